using System.Text.Json;

namespace MlNetLlm.Tests.Generation;

/// <summary>The bundled tiny-gpt2 (GPT-2 layout) and tiny-qwen2 (Qwen2 layout) decoders with their reference_generation.json.</summary>
public sealed class DecoderModelsFixture : IDisposable
{
    public const string Gpt2 = "tiny-gpt2";
    public const string Qwen2 = "tiny-qwen2";

    private readonly Dictionary<string, CausalLanguageModel> _models = new()
    {
        [Gpt2] = CausalLanguageModel.FromDirectory(TestAssets.Model(Gpt2)),
        [Qwen2] = CausalLanguageModel.FromDirectory(TestAssets.Model(Qwen2)),
    };

    public CausalLanguageModel this[string name] => _models[name];

    /// <summary>The model's reference_generation.json (transformers.js 4.3.1, checked against PyTorch).</summary>
    public static JsonElement Reference(string name) =>
        JsonDocument.Parse(File.ReadAllText(TestAssets.Model(name, "reference_generation.json"))).RootElement;

    /// <summary>A reference case by name, from <c>cases</c>.</summary>
    public static JsonElement Case(string model, string name) =>
        Reference(model).GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public void Dispose()
    {
        foreach (var model in _models.Values) model.Dispose();
    }
}
