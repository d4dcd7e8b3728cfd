using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Samples;
using Xunit.Abstractions;

namespace MlNetLlm.Tests.Similarity;

/// <summary>Spearman correlation, and the STS-B evaluation of tiny-bert-embed with EmbedText + CosineSimilarity.</summary>
public sealed class StsBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public void Spearman_MatchesHandComputedValues()
    {
        // No ties: 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 4 / 120 = 0.8.
        Assert.Equal(0.8, Correlation.Spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]), 12);
        // Ties: ranks of y are 1, 2, 3.5, 5, 3.5; Pearson of the ranks is 8 / sqrt(10 * 9.5).
        Assert.Equal([1, 2, 3.5, 5, 3.5], Correlation.Ranks([5, 6, 7, 8, 7]));
        Assert.Equal(8 / Math.Sqrt(95), Correlation.Spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 12);
        // Monotonic but not linear: rank correlation 1 and -1.
        Assert.Equal(1, Correlation.Spearman([1, 2, 3, 4], [1, 10, 100, 1000]), 12);
        Assert.Equal(-1, Correlation.Spearman([1, 2, 3, 4], [9, 4, 1, 0]), 12);
    }

    [Theory]
    [InlineData("dev", 1500)]
    [InlineData("test", 1379)]
    public void StsB_SpearmanOfTinyBertEmbed_IsFinite(string split, int pairs)
    {
        var (spearman, count) = StsBenchmark.Evaluate(TestAssets.Model("tiny-bert-embed"), TestAssets.Data("stsb", $"sts-{split}.csv"));
        output.WriteLine($"STS-B {split}: Spearman(cosine, gold) = {spearman:F4} over {count} pairs (tiny-bert-embed, mean pooling)");
        Assert.Equal(pairs, count);
        Assert.InRange(spearman, -1, 1);
    }
}
