using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

// Streams a story from a causal language model, then shows perplexity and prompt-based classification.
// Usage: dotnet run --project samples/TextGeneration -- [--prompt "Once upon a time"] [--max-new-tokens 200]
//        [--temperature 0.8] [--top-k 40] [--top-p 0.95] [--seed 42] [--model <folder>]
// Sampling is on when --temperature, --top-k, --top-p or --seed is given; otherwise decoding is greedy.
var options = ParseArguments(args);
var modelDir = options.GetValueOrDefault("--model") ?? SampleAssets.Model("stories260k");
using var model = CausalLanguageModel.FromDirectory(modelDir);
bool sample = new[] { "--temperature", "--top-k", "--top-p", "--seed" }.Any(options.ContainsKey);
var generation = new GenerationOptions
{
    MaxNewTokens = Int("--max-new-tokens") ?? 200,
    DoSample = sample,
    Temperature = Float("--temperature"),
    TopK = Int("--top-k"),
    TopP = Float("--top-p"),
    Seed = Int("--seed"),
};
var prompt = options.GetValueOrDefault("--prompt") ?? "Once upon a time";

AnsiConsole.MarkupLine($"[grey]Model[/] {Markup.Escape(modelDir)} [grey]on[/] {model.Device}, [grey]{(sample ? "sampling" : "greedy")}[/]");
AnsiConsole.Markup($"[bold]{Markup.Escape(prompt)}[/]");
var clock = Stopwatch.StartNew();
using var session = model.CreateSession(generation);
session.AppendTokens(model.Tokenizer.Encode(prompt).Ids);
while (!session.IsDone)
{
    session.GenerateNextToken();
    Console.Write(session.TakeNewText());
}
clock.Stop();
var result = session.GetResult();
Console.WriteLine();
AnsiConsole.MarkupLine($"[grey]{result.CompletionTokens} tokens after a {result.PromptTokens}-token prompt in {clock.Elapsed.TotalMilliseconds:F0} ms: " +
    $"{result.CompletionTokens / clock.Elapsed.TotalSeconds:F0} tokens/s (streaming), finish reason {result.FinishReason}[/]");

var table = new Table().AddColumns("Text", "Perplexity");
foreach (var text in new[]
{
    "Once upon a time, there was a little girl named Lily. She loved to play outside.",
    "The dog ran to the park. He saw a big red ball and played with it all day.",
    "Quarterly revenue exceeded the consensus estimate despite currency headwinds.",
    "ball the red big saw park dog. day all ran",
})
    table.AddRow(Markup.Escape(text), model.Perplexity(text).ToString("F2"));
AnsiConsole.Write(table);

// Prompt-based classification with the model loaded above: the pipelines share it and leave its disposal to `using`. A 260K-parameter story model is far too small to follow instructions: expect results near
// chance (about 50% for two labels). The point is the mechanics, which work the same with a larger model folder.
var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(new[]
{
    new Story { Text = "Lily got a new red ball and played with her friends all day.", Label = "happy" },
    new Story { Text = "Tom lost his toy car and cried all night.", Label = "sad" },
    new Story { Text = "Mom made a big cake and everyone laughed and sang.", Label = "happy" },
    new Story { Text = "The little bird fell from the tree and hurt its wing.", Label = "sad" },
    new Story { Text = "Ben and Sue went to the park and had so much fun.", Label = "happy" },
    new Story { Text = "The dog was alone in the rain and nobody came.", Label = "sad" },
});
string[] labels = ["happy", "sad"];
var keys = ml.Data.LoadFromEnumerable(labels.Select(l => new LabelOnly { Label = l }));
PromptExample[] shots = [new("Sam won the race and got a prize.", "happy"), new("Anna broke her favorite doll.", "sad")];
var templates = new (string Name, PromptTemplate Template)[]
{
    ("zero-shot", new PromptTemplate("{text} The story is", instruction: "Is each story happy or sad?")),
    ("few-shot", new PromptTemplate("Story: {text}\nFeeling:", shots)),
    ("chain-of-thought style", PromptTemplate.ChainOfThought(
    [
        new("Sam won the race and got a prize.", "happy", "Sam won. Winning is good."),
        new("Anna broke her favorite doll.", "sad", "Anna lost her doll. That is bad."),
    ])),
};
var results = new Table().AddColumns("Template", "Accuracy", "Predictions");
foreach (var (name, template) in templates)
{
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
        .Append(ml.Transforms.Text.ClassifyWithPrompt(model, labels, template)); // shares the model loaded above
    var scored = pipeline.Fit(data).Transform(data);
    var metrics = ml.MulticlassClassification.Evaluate(scored);
    var predicted = scored.GetColumn<uint>("PredictedLabel").Select(k => labels[k - 1]);
    results.AddRow(name, metrics.MicroAccuracy.ToString("P0"), string.Join(", ", predicted));
}
AnsiConsole.Write(results);
AnsiConsole.MarkupLine("[grey]stories260k is a 260K-parameter story model: classification accuracy near chance is expected.[/]");

int? Int(string name) => options.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
float? Float(string name) => options.TryGetValue(name, out var v) ? float.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var known = new[] { "--prompt", "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--seed", "--model" };
    var result = new Dictionary<string, string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (!known.Contains(args[i]) || i + 1 >= args.Length)
            throw new ArgumentException($"Unknown or incomplete option '{args[i]}'. Options: {string.Join(", ", known)} (each followed by a value).");
        result[args[i]] = args[++i];
    }
    return result;
}

internal sealed class Story
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

internal sealed class LabelOnly
{
    public string Label { get; set; } = "";
}
