using System.Text.Json;

namespace MlNetLlm.Tests.Generation;

/// <summary>One tiny-t5 model shared by the tests of a class, and its transformers.js reference file.</summary>
public sealed class TinyT5Fixture : IDisposable
{
    public static string Directory => TestAssets.Model("tiny-t5");

    public static JsonElement Reference { get; } =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "reference_generation.json"))).RootElement;

    public static IEnumerable<object[]> CaseIndices =>
        Enumerable.Range(0, Reference.GetProperty("cases").GetArrayLength()).Select(i => new object[] { i });

    /// <summary>Greedy with the reference's limit.</summary>
    public static GenerationOptions Greedy { get; } = new() { DoSample = false, MaxNewTokens = 32 };

    public Seq2SeqLanguageModel Model { get; } = Seq2SeqLanguageModel.FromDirectory(Directory);

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    public void Dispose() => Model.Dispose();
}
