using System.Text.Json;

namespace MlNetLlm.Tests.Embeddings;

/// <summary>Embeddings against transformers.js reference outputs, one by one and in mixed-length batches.</summary>
public class TextEmbeddingModelTests
{
    private const float Tolerance = 1e-4f;

    internal static string ModelDir => TestAssets.Model("tiny-bert-embed");

    internal static (string Text, int Tokens, float[] Mean, float[] Cls)[] ReferenceCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "reference_outputs.json")));
        static float[] Floats(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("n_tokens").GetInt32(), Floats(c, "mean_normalized"), Floats(c, "cls")))
            .ToArray();
    }

    internal static float MaxAbsDiff(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        return expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
    }

    [Theory]
    [InlineData(EmbeddingPooling.Mean, true)]
    [InlineData(EmbeddingPooling.Cls, false)]
    public void Embed_MatchesReference_OneByOneAndInBatches(EmbeddingPooling pooling, bool normalize)
    {
        var cases = ReferenceCases();
        Assert.Equal(38, cases.Length);
        Assert.True(cases[^1].Tokens == 128, "the last reference case is truncated to 128 tokens");
        var texts = cases.Select(c => c.Text).ToArray();
        float[] Expected(int i) => pooling == EmbeddingPooling.Mean ? cases[i].Mean : cases[i].Cls;

        using var model = TextEmbeddingModel.FromDirectory(ModelDir, new TextEmbeddingOptions { Pooling = pooling, Normalize = normalize, BatchSize = 5 });
        Assert.Equal(64, model.Dimension);
        Assert.Equal(128, model.MaxLength);
        var batched = model.Embed(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var single = model.Embed(texts[i]);
            Assert.True(MaxAbsDiff(single, Expected(i)) <= Tolerance, $"case {i} one by one: max diff {MaxAbsDiff(single, Expected(i))}");
            Assert.True(MaxAbsDiff(batched[i], Expected(i)) <= Tolerance, $"case {i} batched: max diff {MaxAbsDiff(batched[i], Expected(i))}");
        }
    }

    [Fact]
    public void Defaults_AreMeanNormalized_AndEmptyOrNullTextIsSpecialTokensOnly()
    {
        using var model = TextEmbeddingModel.FromDirectory(ModelDir);
        Assert.Equal((EmbeddingPooling.Mean, true, "CPU", 32), (model.Pooling, model.Normalize, model.Device, model.BatchSize));
        var empty = ReferenceCases().Single(c => c.Text == "");
        Assert.Equal(2, empty.Tokens);
        Assert.True(MaxAbsDiff(model.Embed((string?)null), empty.Mean) <= Tolerance);
        Assert.True(MaxAbsDiff(model.Embed(""), empty.Mean) <= Tolerance);
    }

    [Fact]
    public void SentenceTransformersFiles_SetPoolingAndNormalization()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        File.WriteAllText(scratch.PathOf("modules.json"),
            """[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]""");
        Directory.CreateDirectory(scratch.PathOf("1_Pooling"));
        File.WriteAllText(scratch.PathOf("1_Pooling/config.json"),
            """{"word_embedding_dimension":64,"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":false,"pooling_mode_max_tokens":false}""");
        using var model = TextEmbeddingModel.FromDirectory(scratch.Directory);
        Assert.Equal((EmbeddingPooling.Cls, false), (model.Pooling, model.Normalize));
        var first = ReferenceCases()[0];
        Assert.True(MaxAbsDiff(model.Embed(first.Text), first.Cls) <= Tolerance);
    }

    [Fact]
    public void MaxPooling_IsElementwiseMaximumOverTokens()
    {
        using var max = TextEmbeddingModel.FromDirectory(ModelDir, new TextEmbeddingOptions { Pooling = EmbeddingPooling.Max, Normalize = false });
        using var cls = TextEmbeddingModel.FromDirectory(ModelDir, new TextEmbeddingOptions { Pooling = EmbeddingPooling.Cls, Normalize = false });
        var pooled = max.Embed("a sometimes tedious film .");
        var first = cls.Embed("a sometimes tedious film .");
        Assert.All(pooled.Zip(first), p => Assert.True(p.First >= p.Second));
    }

    [Fact]
    public void ConcurrentCallers_GetTheSameResults()
    {
        var texts = ReferenceCases().Select(c => c.Text).ToArray();
        using var model = TextEmbeddingModel.FromDirectory(ModelDir, new TextEmbeddingOptions { BatchSize = 4 });
        var expected = model.Embed(texts);
        Parallel.For(0, 8, _ =>
        {
            var actual = model.Embed(texts);
            for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], actual[i]);
        });
    }

    [Fact]
    public void GraphWithoutTokenTypeIds_IsFedIdsAndMaskOnly_AndPaddingIsMasked()
    {
        // A graph whose "hidden state" is the token id itself: mean pooling gives the mean id of each text's own tokens.
        using var scratch = new ScratchModel("tiny-bert-embed");
        scratch.WriteCastModel(["input_ids", "attention_mask"], "last_hidden_state", hiddenAxis: true);
        using var model = TextEmbeddingModel.FromDirectory(scratch.Directory, new TextEmbeddingOptions { Normalize = false, BatchSize = 3 });
        Assert.Equal(1, model.Dimension);
        var tokenizer = PretrainedTokenizer.FromDirectory(ModelDir);
        string?[] texts = ["a", "a much longer text than the others in its batch", null, "two words", "", "unflinchingly bleak and desperate"];
        var embedded = model.Embed(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal((float)tokenizer.Encode(texts[i]).Ids.Average(), embedded[i][0], tolerance: 1e-2f);
    }
}
