using System.Text.Json;

namespace MlNetLlm.Tests.CrossEncoders;

/// <summary>One pair of a cross-encoder <c>reference_outputs.json</c> (transformers.js, all pairs in one padded batch).</summary>
internal sealed record CrossEncoderCase(int Index, string Text, string TextPair, int[] InputIds, int[] TokenTypeIds, float[] Logits, float Score)
{
    public const float Tolerance = 1e-4f;

    public static string ModelDir => TestAssets.Model("tiny-cross-encoder");

    /// <summary>The cases of <paramref name="path"/> (default: the bundled tiny-cross-encoder's file).</summary>
    public static CrossEncoderCase[] Load(string? path = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path ?? Path.Combine(ModelDir, "reference_outputs.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select((c, i) => new CrossEncoderCase(i,
            c.GetProperty("text").GetString()!, c.GetProperty("text_pair").GetString()!,
            c.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("token_type_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            c.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
            c.GetProperty("score").GetSingle())).ToArray();
    }

    public static TheoryData<int> Indices() => new(Enumerable.Range(0, Load().Length));
}
