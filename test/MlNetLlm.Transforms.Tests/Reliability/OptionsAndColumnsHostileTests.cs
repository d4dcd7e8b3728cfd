using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Careless options and columns: each is refused before data flows, with the ML.NET exception type and the name of the
/// option or column, and buffers are sized by the data rather than by the options.
/// </summary>
public class OptionsAndColumnsHostileTests
{
    private static string Embed => TestAssets.Model("tiny-bert-embed");
    private static string Sst2 => TestAssets.Model("tiny-bert-sst2");
    private static string Stories => TestAssets.Model("stories260k");

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class NumberRow
    {
        public float Text { get; set; }
    }

    private sealed class VectorRow
    {
        [VectorType(2)]
        public string[] Text { get; set; } = ["a", "b"];
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(EncoderOptions.MaxBatchSize + 1)]
    [InlineData(0)]
    [InlineData(-5)]
    public void HugeOrNonPositiveBatchSize_IsRejectedNamingTheOption(int batchSize)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TextEmbeddingModel.FromDirectory(Embed, new TextEmbeddingOptions { BatchSize = batchSize }));
        Assert.Contains("BatchSize", e.ParamName);
    }

    [Fact]
    public void LargestBatchSize_WorksForAFewRows_BuffersSizedByTheData()
    {
        using var big = TextEmbeddingModel.FromDirectory(Embed, new TextEmbeddingOptions { BatchSize = EncoderOptions.MaxBatchSize });
        using var small = TextEmbeddingModel.FromDirectory(Embed);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var vectors = big.Embed(["one", "two words"]);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16L << 20, "a two-row batch allocated more than 16 MB");
        Assert.Equal(small.Embed(["one", "two words"]), vectors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100_000)]
    public void MaxLengthOutsideTheModelsRange_IsRejectedNamingTheOption(int maxLength)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => TextClassificationModel.FromDirectory(Sst2, new TextClassificationOptions { MaxLength = maxLength }));
        Assert.Equal("MaxLength", e.ParamName);
    }

    [Fact]
    public void ClassifyText_SameNameForScoreAndPredictedLabel_IsRejectedLikeMlNet()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ClassifyText(Sst2, outputColumnName: "Out", predictedLabelColumnName: "Out"));
        Assert.Equal("predictedLabelColumnName", e.ParamName);
        Assert.Contains("'Out' specified multiple times", e.Message);
    }

    [Fact]
    public void ClassifyWithPrompt_SameNameForScoreAndPredictedLabel_IsRejectedLikeMlNet()
    {
        var ml = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ClassifyWithPrompt(Stories, ["yes", "no"],
            new PromptTemplate("Q: {text} A:"), outputColumnName: "Same", predictedLabelColumnName: "Same"));
        Assert.Contains("'Same' specified multiple times", e.Message);
    }

    [Theory]
    [InlineData(-1, null, null, "MaxNewTokens")]
    [InlineData(null, 0f, null, "Temperature")]
    [InlineData(null, -0.5f, null, "Temperature")]
    [InlineData(null, null, 1.5f, "TopP")]
    [InlineData(null, null, 0f, "TopP")]
    public void InvalidGenerationOptions_AreRejectedAtFitNamingTheOption(int? maxNewTokens, float? temperature, float? topP, string option)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "x" } });
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, Temperature = temperature, TopP = topP, DoSample = true };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.GenerateText(Stories, inputColumnName: "Text", options: options).Fit(data));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void EmbedText_MissingInputColumn_NamesIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.EmbedText(Embed, inputColumnName: "Sentence").Fit(data));
        Assert.Contains("'Sentence'", e.Message);
    }

    [Fact]
    public void EmbedText_NumericInputColumn_NamesItAndTheType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumberRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.EmbedText(Embed).Fit(data));
        Assert.Contains("'Text'", e.Message);
        Assert.Contains("Single", e.Message);
    }

    [Fact]
    public void ClassifyText_VectorOfTextColumn_NamesIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new VectorRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.ClassifyText(Sst2).Fit(data));
        Assert.Contains("'Text'", e.Message);
    }

    [Fact]
    public void EmbedText_OutputColumnNamedLikeTheInput_ReplacesItLikeMlNet()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "hello" } });
        var output = ml.Transforms.Text.EmbedText(Embed, outputColumnName: "Text", inputColumnName: "Text").Fit(data).Transform(data);

        using var model = TextEmbeddingModel.FromDirectory(Embed);
        Assert.Equal(model.Embed("hello"), output.GetColumn<float[]>("Text").Single());
    }
}
