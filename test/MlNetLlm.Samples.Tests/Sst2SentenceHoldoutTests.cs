using MlNetLlm.Samples;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>The SentimentClassification sample's train-only validation split of SST-2 train.</summary>
public class Sst2SentenceHoldoutTests
{
    private static readonly List<LabeledText> Train = DataSets.Sst2(TestAssets.Data("sst2", "train.tsv"));

    [Fact]
    public void Sst2SentenceHoldout_HoldsOutWholeSentences_AndLeavesNoneOfTheirPhrasesInTrain()
    {
        var (train, holdout) = DataSets.Sst2SentenceHoldout(Train, seed: 1);

        Assert.Equal(800, holdout.Count);
        Assert.All(holdout, r => Assert.True(r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 15, r.Text));
        // No training row is a token span of a held-out sentence: every contiguous word run of the held-out sentences.
        var spans = new HashSet<string>();
        foreach (var words in holdout.Select(r => r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            for (int start = 0; start < words.Length; start++)
                for (int length = 1; start + length <= words.Length; length++)
                    spans.Add(string.Join(' ', words.Skip(start).Take(length)));
        Assert.DoesNotContain(train, r => spans.Contains(string.Join(' ', r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        // The training part keeps the file's order and drops more than the held-out sentences themselves (their phrases too).
        Assert.True(train.Count < Train.Count - holdout.Count, $"{train.Count} training rows of {Train.Count}");
        int next = 0;
        foreach (var row in train)
        {
            while (next < Train.Count && !ReferenceEquals(Train[next], row)) next++;
            Assert.True(next++ < Train.Count, "training rows out of file order");
        }
    }

    [Fact]
    public void Sst2SentenceHoldout_IsTheSameForOneSeed_AndDiffersAcrossSeeds()
    {
        var first = DataSets.Sst2SentenceHoldout(Train, seed: 1).Holdout.Select(r => r.Text).ToList();
        var again = DataSets.Sst2SentenceHoldout(Train, seed: 1).Holdout.Select(r => r.Text).ToList();
        var other = DataSets.Sst2SentenceHoldout(Train, seed: 2).Holdout.Select(r => r.Text).ToList();

        Assert.Equal(first, again);
        Assert.NotEqual(first.ToHashSet(), other.ToHashSet());
    }
}
