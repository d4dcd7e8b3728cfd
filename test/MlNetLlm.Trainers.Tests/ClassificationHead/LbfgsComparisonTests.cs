using Microsoft.ML;
using Xunit.Abstractions;

using MlNetLlm.Samples;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>
/// The linear head (default options) against ML.NET's LbfgsLogisticRegression on the same FeaturizeText features, both
/// with default options and with lighter regularization (L1 0, L2 0.1, which scores better on both sets): test accuracy
/// here; training time in eng/Benchmarks/ClassificationHeadBenchmarks.cs.
/// </summary>
public sealed class LbfgsComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void LinearHead_MatchesLbfgsAccuracyOnSmsSpam()
    {
        var ml = new MLContext(seed: 1);
        var (trainRows, testRows) = DataSets.SmsSpam(TestAssets.Data("sms_spam", "SMSSpamCollection"));
        var (train, test) = TextClassificationData.Featurize(ml, trainRows, testRows);
        var (lbfgsAccuracy, tunedAccuracy, headAccuracy) = Accuracies(ml, train, test);
        output.WriteLine($"SMS spam ({trainRows.Count} train / {testRows.Count} test): LBFGS {lbfgsAccuracy:P2}, LBFGS L2 0.1 {tunedAccuracy:P2}, head {headAccuracy:P2}");

        Assert.True(headAccuracy >= Math.Max(lbfgsAccuracy, tunedAccuracy) - 0.005, $"head {headAccuracy:P2} vs LBFGS {lbfgsAccuracy:P2} / {tunedAccuracy:P2}");
    }

    [Fact]
    public void LinearHead_ComparedWithLbfgsOnSst2Dev()
    {
        var ml = new MLContext(seed: 1);
        var (train, test) = TextClassificationData.Featurize(ml,
            DataSets.Sst2(TestAssets.Data("sst2", "train.tsv"), take: 10_000), DataSets.Sst2(TestAssets.Data("sst2", "dev.tsv")));
        var (lbfgsAccuracy, tunedAccuracy, headAccuracy) = Accuracies(ml, train, test);
        output.WriteLine($"SST-2 (10k train → dev): LBFGS {lbfgsAccuracy:P2}, LBFGS L2 0.1 {tunedAccuracy:P2}, head {headAccuracy:P2}");

        Assert.True(headAccuracy >= Math.Max(lbfgsAccuracy, tunedAccuracy) - 0.01, $"head {headAccuracy:P2} vs LBFGS {lbfgsAccuracy:P2} / {tunedAccuracy:P2}");
    }

    private static (double Lbfgs, double LbfgsL2, double Head) Accuracies(MLContext ml, IDataView train, IDataView test)
    {
        double Accuracy(IEstimator<ITransformer> trainer) => ml.BinaryClassification.Evaluate(trainer.Fit(train).Transform(test)).Accuracy;
        return (Accuracy(ml.BinaryClassification.Trainers.LbfgsLogisticRegression()),
            Accuracy(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(l1Regularization: 0, l2Regularization: 0.1f)),
            Accuracy(ml.BinaryClassification.Trainers.ClassificationHead()));
    }
}
