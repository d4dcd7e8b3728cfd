using System.Numerics.Tensors;
using Microsoft.ML;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Similarity;

/// <summary>EmbeddingIndex against a brute-force cosine ranking.</summary>
public class EmbeddingIndexTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public void Search_MatchesBruteForceCosineRanking()
    {
        var random = new Random(7);
        var vectors = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()).ToArray();
        var index = EmbeddingIndex.Build(vectors);
        var query = vectors[0].Select(v => v + 0.1f).ToArray();

        var matches = index.Search(query, 5);

        var expected = vectors.Select((v, i) => (Row: i, Score: TensorPrimitives.CosineSimilarity(query, v)))
            .OrderByDescending(m => m.Score).Take(5).ToArray();
        Assert.Equal(expected.Select(m => m.Row), matches.Select(m => m.Row));
        for (int i = 0; i < 5; i++) Assert.Equal(expected[i].Score, matches[i].Score, 1e-5f);
        Assert.Equal(200, index.Search(query, 500).Count);
    }

    [Fact]
    public void BuildFromEmbedText_FindsTheSameSentenceFirst()
    {
        var ml = new MLContext();
        var texts = TextEmbeddingModelTests.ReferenceCases().Select(c => c.Text).Distinct().Take(20).ToArray();
        var data = ml.Data.LoadFromEnumerable(texts.Select(t => new Row { Text = t }));
        var embedded = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir).Fit(data).Transform(data);
        var index = EmbeddingIndex.Build(embedded, "Embedding");
        using var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir);

        Assert.Equal((texts.Length, 64), (index.Count, index.Dimension));
        for (int i = 0; i < texts.Length; i++)
        {
            var best = index.Search(model, texts[i], 3);
            Assert.Equal(3, best.Count);
            Assert.True(best[0].Score >= 0.9999f, $"row {i}: {best[0]}");
            // Texts embedded to the same vector tie; the query's own row is among them.
            Assert.Contains(best.TakeWhile(m => m.Score >= best[0].Score - 1e-6f), m => m.Row == i);
        }
    }

    [Fact]
    public void Build_RejectsWrongInput()
    {
        Assert.Throws<ArgumentException>(() => EmbeddingIndex.Build([[1f, 2f], [1f]]));
        var index = EmbeddingIndex.Build([[1f, 0f], [0f, 1f]]);
        Assert.Throws<ArgumentException>(() => index.Search(new float[3], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[2], 0));
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable([new Row { Text = "x" }]);
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingIndex.Build(data, "Text"));
        Assert.Throws<ArgumentOutOfRangeException>(() => EmbeddingIndex.Build(data, "Missing"));
    }
}
