using MlNetLlm.Samples;

namespace MlNetLlm.Tests.Similarity;

/// <summary>The SemanticSearch sample's data reader and ranking metrics.</summary>
public class SemanticSearchDataTests
{
    [Fact]
    public void AgNews_ReadsEveryRowWithItsClass()
    {
        // Class counts from Python's csv module over the same file (assets/data/ag_news/SOURCE.md).
        var articles = DataSets.AgNews(TestAssets.Data("ag_news", "test_first3000.csv"));
        Assert.Equal(3000, articles.Count);
        Assert.Equal([747, 775, 702, 776], Enumerable.Range(1, 4).Select(c => articles.Count(a => a.Label == c)));
        Assert.Equal("Fears for T N pension after talks", articles[0].Title);
        Assert.Equal("Business", articles[0].Class);
        Assert.Equal(581, DataSets.AgNews(TestAssets.Data("ag_news", "train_first581.csv")).Count);
    }

    [Fact]
    public void RankingMetrics_MatchHandComputedValues()
    {
        bool[] ranking = [false, true, false, true];
        // DCG = 1/log2(3) + 1/log2(5); ideal with 2 relevant = 1 + 1/log2(3).
        Assert.Equal((1 / Math.Log2(3) + 1 / Math.Log2(5)) / (1 + 1 / Math.Log2(3)), RankingMetrics.NdcgAt(ranking, 10, 2), 12);
        Assert.Equal(1 / Math.Log2(3) / (1 + 1 / Math.Log2(3)), RankingMetrics.NdcgAt(ranking, 2, 5), 12);
        Assert.Equal(0.5, RankingMetrics.ReciprocalRankAt(ranking, 10));
        Assert.Equal(0, RankingMetrics.ReciprocalRankAt(ranking, 1));
        Assert.Equal(0, RankingMetrics.NdcgAt([false], 10, 0));
    }
}
