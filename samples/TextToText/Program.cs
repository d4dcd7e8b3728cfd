using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

// Text-to-text generation with an encoder-decoder model (T5, FLAN-T5, BART, …) over a column of SST-2 sentences in an
// ML.NET pipeline. The bundled tiny-t5 was trained to "summarize" a sentence as its first six words.
// Usage: dotnet run --project samples/TextToText -- [--model <folder or hub id>] [--rows 32] [--task summarization]
//        [--max-new-tokens 32]
var choice = SampleAssets.Option(args, "--model");
int rows = SampleAssets.IntOption(args, "--rows") ?? 32;
int maxNewTokens = SampleAssets.IntOption(args, "--max-new-tokens") ?? 32;
var task = SampleAssets.Option(args, "--task") ?? "summarization";

AnsiConsole.MarkupLine(choice is null
    ? "[grey]Model: the bundled tiny-t5 (2.2 M parameters, trained to summarize an SST-2 sentence as its first six words). Use --model <folder or hub id> for a real one.[/]"
    : $"Model: [bold]{Markup.Escape(choice)}[/]");
// A hub id is downloaded into the Hugging Face cache; the task's prefix (e.g. "summarize: ") comes from config.json.
using var probe = Seq2SeqLanguageModel.FromPretrained(choice ?? SampleAssets.Model("tiny-t5"));
var modelOptions = new Seq2SeqLanguageModelOptions { Task = probe.TaskPrefixes.ContainsKey(task) ? task : null };
AnsiConsole.MarkupLine(modelOptions.Task is null
    ? $"[grey]config.json has no prefix for '{Markup.Escape(task)}'; inputs are fed as they are.[/]"
    : $"[grey]Task {Markup.Escape(task)}: each input is prefixed with \"{Markup.Escape(probe.TaskPrefixes[task])}\".[/]");

var sentences = DataSets.Sst2(SampleAssets.Data("sst2", "dev.tsv"), rows).Select(r => new Sentence { Text = r.Text.Trim() }).ToArray();
var generation = new GenerationOptions { MaxNewTokens = maxNewTokens, DoSample = false };

var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(sentences);
using var transformer = ml.Transforms.Text.GenerateText(probe.Directory, "Output", "Text", generation, modelOptions).Fit(data);
var clock = Stopwatch.StartNew();
var outputs = transformer.Transform(data).GetColumn<string>("Output").ToArray();
clock.Stop();

var table = new Table().AddColumns("Input", "Output").Expand();
for (int i = 0; i < Math.Min(sentences.Length, 12); i++) table.AddRow(Markup.Escape(sentences[i].Text), Markup.Escape(outputs[i]));
AnsiConsole.Write(table);
AnsiConsole.MarkupLine($"[grey]Pipeline: {outputs.Length} rows in {clock.Elapsed.TotalMilliseconds:F0} ms (batches of 16, encoder inputs right-padded).[/]");

// The same batch through the model directly, counting the generated tokens (eos included, as the decoder produces it).
var model = (Seq2SeqLanguageModel)transformer.Model;
var inputs = sentences.Select(s => s.Text).ToArray();
clock.Restart();
var ids = model.GenerateIds(inputs, generation);
clock.Stop();
int tokens = ids.Sum(r => r.Count < maxNewTokens ? r.Count + 1 : r.Count);
AnsiConsole.MarkupLine($"[grey]Direct GenerateIds, one batch of {inputs.Length}: {tokens} tokens in {clock.Elapsed.TotalMilliseconds:F0} ms = {tokens / clock.Elapsed.TotalSeconds:F0} tokens/s.[/]");

if (choice is null)
{
    // What tiny-t5 was trained for: the first six whitespace-separated words, detokenized like its outputs.
    int exact = inputs.Zip(outputs).Count(p => model.Tokenizer.Decode(model.Tokenizer.Encode(string.Join(' ', p.First.Split(' ').Take(6)), addSpecialTokens: false).Ids) == p.Second);
    AnsiConsole.MarkupLine($"Exactly the first six words: [bold]{exact}[/] of {inputs.Length}.");
}

AnsiConsole.Markup("[grey]Streaming:[/] ");
await foreach (var piece in model.GenerateStreamingAsync(inputs[0], generation)) Console.Write(piece);
Console.WriteLine();

internal sealed class Sentence
{
    public string Text { get; set; } = "";
}
