using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Samples;
using Xunit.Abstractions;

namespace MlNetLlm.Tests.Embeddings;

/// <summary>
/// The bundled all-MiniLM-L6-v2 (ONNX extracted from its NuGet package by the build) loaded with no options: the
/// folder's sentence-transformers files set the defaults, and the embeddings equal transformers.js's references.
/// </summary>
public sealed class AllMiniLMTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    private static string ModelDir => TestAssets.Model("all-MiniLM-L6-v2");

    private static (string Text, int Tokens, float[] Embedding)[] ReferenceCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "reference_outputs.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("n_tokens").GetInt32(),
                c.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray()))
            .ToArray();
    }

    private void AssertMatches(IReadOnlyList<float[]> actual, (string Text, int Tokens, float[] Embedding)[] cases, string how)
    {
        Assert.Equal(cases.Length, actual.Count);
        var failures = new List<string>();
        for (int i = 0; i < cases.Length; i++)
        {
            float diff = TextEmbeddingModelTests.MaxAbsDiff(actual[i], cases[i].Embedding);
            if (diff > Tolerance) failures.Add($"case {i} ({cases[i].Tokens} tokens): max diff {diff}");
        }
        foreach (var failure in failures) output.WriteLine($"{how}: {failure}");
        Assert.True(failures.Count == 0, $"{how}: {string.Join("; ", failures)}");
    }

    [Fact]
    public void FolderDefaults_AreMeanPoolingNormalizedAndMaxLength256()
    {
        using var model = TextEmbeddingModel.FromDirectory(ModelDir);
        Assert.Equal((EmbeddingPooling.Mean, true, 256, 384), (model.Pooling, model.Normalize, model.MaxLength, model.Dimension));
    }

    [Fact]
    public void Embed_MatchesReference_OnAll39Texts()
    {
        var cases = ReferenceCases();
        Assert.Equal(39, cases.Length);
        Assert.Contains(cases, c => c.Tokens == 256);
        using var model = TextEmbeddingModel.FromDirectory(ModelDir);
        AssertMatches(model.Embed(cases.Select(c => c.Text).ToArray()), cases, "Embed (batched)");
        AssertMatches(cases.Select(c => model.Embed(c.Text)).ToArray(), cases, "Embed (one by one)");
    }

    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private sealed class Embedded
    {
        [VectorType(384)] public float[] Embedding { get; set; } = [];
    }

    [Fact]
    public void EmbedText_MatchesReference_OnAll39Texts()
    {
        var cases = ReferenceCases();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(cases.Select(c => new Row { Text = c.Text }));
        var transformed = ml.Transforms.Text.EmbedText(ModelDir).Fit(data).Transform(data);
        var rows = ml.Data.CreateEnumerable<Embedded>(transformed, reuseRowObject: false).Select(r => r.Embedding).ToArray();
        AssertMatches(rows, cases, "EmbedText");
    }

    [Fact]
    public void StsBTest_SpearmanOfCosineSimilarity_Is08203()
    {
        // transformers.js with the same weights gives 0.8203 (SOURCE.md); the published MTEB STSBenchmark score is 82.03.
        var (spearman, pairs) = StsBenchmark.Evaluate(ModelDir, TestAssets.Data("stsb", "sts-test.csv"));
        output.WriteLine($"STS-B test: Spearman(cosine, gold) = {spearman:F4} over {pairs} pairs (all-MiniLM-L6-v2, folder defaults)");
        Assert.Equal(1379, pairs);
        Assert.InRange(spearman, 0.8183, 0.8223);
    }
}
