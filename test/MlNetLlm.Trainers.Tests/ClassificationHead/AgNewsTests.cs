using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Text;
using Xunit.Abstractions;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>Multiclass on real text: AG News (4 topics) from ../shared/data, skipped locally when absent.</summary>
public sealed class AgNewsTests(ITestOutputHelper output)
{
    [Fact]
    public void MulticlassHead_MatchesLbfgsMaximumEntropy_OnAgNews()
    {
        // The 7,600-row AG News test file, split 80/20 (the shared copy of the training file has only 581 rows).
        if (TestAssets.Shared("data", "ag_news", "test.csv") is not { } path) return;
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromTextFile<AgNewsRow>(path, separatorChar: ',', allowQuoting: true), testFraction: 0.2, seed: 1);
        var features = ml.Transforms.Text.FeaturizeText("Features", new TextFeaturizingEstimator.Options(), nameof(AgNewsRow.Title), nameof(AgNewsRow.Description))
            .Append(ml.Transforms.Conversion.MapValueToKey("Label", nameof(AgNewsRow.Class)))
            .Fit(split.TrainSet);
        var train = ml.Data.Cache(features.Transform(split.TrainSet));
        var test = features.Transform(split.TestSet);
        double Accuracy(IEstimator<ITransformer> trainer) => ml.MulticlassClassification.Evaluate(trainer.Fit(train).Transform(test)).MicroAccuracy;

        double lbfgs = Accuracy(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        double head = Accuracy(ml.MulticlassClassification.Trainers.ClassificationHead());
        output.WriteLine($"AG News (80/20 of test.csv): LbfgsMaximumEntropy {lbfgs:P2}, head {head:P2}");

        Assert.True(head >= lbfgs - 0.005, $"head {head:P2} vs LbfgsMaximumEntropy {lbfgs:P2}");
    }

    public sealed class AgNewsRow
    {
        [LoadColumn(0)]
        public string Class { get; set; } = "";

        [LoadColumn(1)]
        public string Title { get; set; } = "";

        [LoadColumn(2)]
        public string Description { get; set; } = "";
    }
}
