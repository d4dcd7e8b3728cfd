using System.Text.Json;

namespace MlNetLlm.Tests.Interop;

/// <summary>
/// ChatTemplate against real chat templates of popular models (chat_template_cases.json). The expected strings were
/// rendered by @huggingface/jinja 0.5.11 (eng/ChatTemplateCheck/render.mjs), the Jinja implementation transformers.js
/// uses, which we did not write; the templates were copied from the models' tokenizer_config.json files as quoted in
/// @huggingface/jinja's own end-to-end tests and other public projects.
/// </summary>
public class ChatTemplateTests
{
    private static readonly JsonElement Cases =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(TestAssets.RepoRoot, "test", "MlNetLlm.Transforms.Tests", "Interop", "chat_template_cases.json"))).RootElement;

    public static TheoryData<string, string, bool> ReferenceCases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var c in Cases.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("model").GetString()!, c.GetProperty("conversation").GetString()!, c.GetProperty("add_generation_prompt").GetBoolean());
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Render_MatchesHuggingFaceJinja(string model, string conversation, bool addGenerationPrompt)
    {
        Assert.StartsWith("@huggingface/jinja 0.5.11", Cases.GetProperty("renderer").GetString());
        var expected = Cases.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("model").GetString() == model
            && c.GetProperty("conversation").GetString() == conversation && c.GetProperty("add_generation_prompt").GetBoolean() == addGenerationPrompt);
        var t = Cases.GetProperty("templates").EnumerateArray().Single(t => t.GetProperty("model").GetString() == model);
        var template = ChatTemplate.Parse(t.GetProperty("template").GetString()!);
        var variables = new Dictionary<string, object?>
        {
            ["messages"] = Cases.GetProperty("conversations").GetProperty(conversation).EnumerateArray()
                .Select(m => new Dictionary<string, object?> { ["role"] = m.GetProperty("role").GetString(), ["content"] = m.GetProperty("content").GetString() })
                .ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = t.GetProperty("bos_token").GetString(),
            ["eos_token"] = t.GetProperty("eos_token").GetString(),
        };

        if (expected.TryGetProperty("error", out var error))
            Assert.Equal(error.GetString(), Assert.Throws<InvalidOperationException>(() => template.Render(variables)).Message);
        else
            Assert.Equal(expected.GetProperty("expected").GetString(), template.Render(variables));
    }

    private static string Render(string template, object? x = null) =>
        ChatTemplate.Parse(template).Render(new Dictionary<string, object?> { ["x"] = x });

    [Theory]
    [InlineData("{{ [1, 2, 3, 4][1:] }}|{{ [1, 2, 3][-1] }}|{{ 'abc'[::-1] }}|{{ [1, 2, 3, 4][:-2] }}", "[2, 3, 4]|3|cba|[1, 2]")]
    [InlineData("{{ ' a ' | trim | upper }}{{ 'B' | lower }}{{ 'ab' | length }}{{ ' x '.strip() }}{{ 'abc'.startswith('ab') }}", "Ab2xtrue")]
    [InlineData("{{ {'a': [1, 'é\"']} | tojson }}|{{ none }}|{{ true }}|{{ 7 // 2 }}{{ 7 % 3 }}{{ 7 / 2 }}{{ 2 * 1.5 }}", "{\"a\": [1, \"é\\\"\"]}||true|313.53.0")]
    [InlineData("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "6")]
    [InlineData("{% for i in [1, 2, 3] if i != 2 %}{{ loop.index }}{{ i }}{{ '.' if loop.last else ',' }}{% endfor %}", "11,23.")]
    [InlineData("{% for i in [] %}x{% else %}empty{% endfor %}{% set y = 1 %}{% for i in [1] %}{% set y = 2 %}{% endfor %}{{ y }}", "empty1")]
    [InlineData("{{ y is defined }}{{ y is not defined }}{{ none is none }}{{ 'a' in 'cat' }}{{ 'z' not in ['a'] }}{{ not 0 and 1 or 2 }}{{ 'a' in y }}", "falsetruetruetruetrue1false")]
    [InlineData("  {%- if true -%}  a  {%- endif -%}  |{# c #}{{- ' b ' -}} |\n  {% if true %}\nc{% endif %}\n", "a| b |\nc")]
    [InlineData("{{ 'a' ~ 1 }}{{ 'x' + 2 }}{{ {'k': 'v'}.get('k') }}{{ {'k': 'v'}.get('z', 'd') }}{{ 'a-b'.split('-') }}", "a1x2vd[\"a\", \"b\"]")]
    [InlineData("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}{% for k, v in {'c': 3} | items %}{{ k }}{{ v }}{% endfor %}", "a=1;b=2;c3")]
    [InlineData("{{ [{'r': 'a'}, {'r': 'b'}, {'x': 1}] | selectattr('r', 'equalto', 'b') | list | length }}{{ [{'r': 'a'}, {'x': 1}] | rejectattr('r', 'defined') | first | tojson }}", "1{\"x\": 1}")]
    public void Render_SupportsTheSubset(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{% macro m() %}{% endmacro %}", "'{% macro %}'")]
    [InlineData("{% set x %}a{% endset %}", "block assignments")]
    [InlineData("{{ x | map(attribute='role') }}", "filter 'map'")]
    [InlineData("{{ x | wordcount }}", "filter 'wordcount'")]
    [InlineData("{{ x is sameas 1 }}", "test 'is sameas'")]
    [InlineData("{{ strftime_now('%Y') }}", "function 'strftime_now'")]
    [InlineData("{{ 'a'.zfill(3) }}", "method 'zfill'")]
    [InlineData("{% break %}", "'{% break %}'")]
    public void UnsupportedConstructs_ThrowNotSupported_NamingThem(string template, string construct)
    {
        var ex = Assert.ThrowsAny<NotSupportedException>(() => Render(template, new List<object?>()));
        Assert.Contains(construct, ex.Message);
    }

    [Theory]
    [InlineData("{% if true %}a")]
    [InlineData("{{ 'a' ")]
    [InlineData("{% endif %}")]
    [InlineData("{{ 'unclosed }}")]
    [InlineData("{# comment")]
    public void MalformedTemplates_ThrowFormatException(string template) =>
        Assert.Throws<FormatException>(() => ChatTemplate.Parse(template));

    [Fact]
    public void Render_AcceptsTypedDictionariesAndLists() => Assert.Equal("user: hi|2|1.5|true", ChatTemplate.Parse(
            "{% for m in messages %}{{ m.role }}: {{ m['content'] }}{% endfor %}|{{ n }}|{{ f }}|{{ b }}")
        .Render(new Dictionary<string, object?>
        {
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = "hi" } },
            ["n"] = 2,
            ["f"] = 1.5f,
            ["b"] = true,
        }));

    [Fact]
    public void RaiseException_ThrowsWithTheTemplatesMessage() =>
        Assert.Equal("no", Assert.Throws<InvalidOperationException>(() => Render("{{ raise_exception('no') }}")).Message);
}
