using System.Numerics.Tensors;
using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Odd text is data, not an error: lone surrogates, NUL, control and bidi characters, ZWJ sequences and megabyte inputs
/// embed, classify and score to the same results one by one as in a batch, finite and normalized.
/// </summary>
public class TextHostileTests(StoriesModelFixture stories) : IClassFixture<StoriesModelFixture>
{
    private static readonly string[] Odd =
    [
        "\uD800 lone high surrogate", "lone low \uDC00", "nul \0 inside", "\u202Eright-to-left override", "שלום עולם", "👩‍👩‍👧‍👦 family",
        "\u0007\u001B[31m control", "\uFEFF bom", "   ", "a\u0301\u0302\u0303 combining", new string('x', 1 << 20),
    ];

    public static TheoryData<string> OddTexts => new(Odd);

    [Theory]
    [MemberData(nameof(OddTexts))]
    public void OddText_EmbedsToAFiniteUnitVector_SameAloneAsInABatch(string text)
    {
        using var model = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"));

        var alone = model.Embed(text);
        var batched = model.Embed(["short", text, "a somewhat longer neighbour sentence"])[1];

        Assert.Equal(model.Dimension, alone.Length);
        Assert.All(alone, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, TensorPrimitives.Norm(alone), 1e-4f);
        Assert.Equal(alone, batched);
    }

    [Fact]
    public void NullText_EmbedsLikeEmptyText()
    {
        using var model = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"));
        Assert.Equal(model.Embed(""), model.Embed((string?)null));
    }

    [Fact]
    public void OddText_ClassifiesToProbabilitiesSummingToOne()
    {
        using var model = TextClassificationModel.FromDirectory(TestAssets.Model("tiny-bert-sst2"));
        string?[] texts = [.. Odd, null];

        foreach (var result in model.Classify(texts))
            Assert.Equal(1f, result.Probabilities.Sum(), 1e-4f);
    }

    [Theory]
    [InlineData("Once upon a time")]
    [InlineData("")]
    public void ScoreCompletions_EmptyCompletion_ScoresZero(string prompt)
    {
        var scores = stories.Model.ScoreCompletions(prompt, ["", " there was"]);

        Assert.Equal(0.0, scores[0]);
        Assert.True(scores[1] < 0);
    }

    [Fact]
    public void Generate_FromOddPrompt_ReturnsTextWithoutThrowing()
    {
        var text = stories.Model.Generate("\uD800\0\u202E👩‍👩‍👧", new GenerationOptions { MaxNewTokens = 5 });
        Assert.NotNull(text);
    }
}
