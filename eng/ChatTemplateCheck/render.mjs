// Renders the expected outputs of the chat-template test cases with @huggingface/jinja, the reference Jinja
// implementation transformers.js uses (not written by us): every template x conversation x add_generation_prompt.
// Usage: npm install && node render.mjs ../../test/MlNetLlm.Transforms.Tests/Interop/chat_template_cases.json
import fs from 'fs';
import path from 'path';
import { Template } from '@huggingface/jinja';

const file = process.argv[2];
const data = JSON.parse(fs.readFileSync(file, 'utf8'));
const packageJson = path.join(path.dirname(new URL(import.meta.resolve('@huggingface/jinja')).pathname), '..', 'package.json');
const version = JSON.parse(fs.readFileSync(packageJson, 'utf8')).version;
data.renderer = `@huggingface/jinja ${version} via eng/ChatTemplateCheck/render.mjs (a reference implementation we did not write)`;
data.cases = [];
for (const t of data.templates) {
  const template = new Template(t.template);
  for (const [conversation, messages] of Object.entries(data.conversations)) {
    for (const add_generation_prompt of [true, false]) {
      const c = { model: t.model, conversation, add_generation_prompt };
      try {
        c.expected = template.render({ messages, add_generation_prompt, bos_token: t.bos_token, eos_token: t.eos_token });
      } catch (e) {
        c.error = e.message;
      }
      data.cases.push(c);
    }
  }
}
const { templates, conversations, cases, renderer } = data;
fs.writeFileSync(file, JSON.stringify({ renderer, templates, conversations, cases }, null, 2) + "\n");
