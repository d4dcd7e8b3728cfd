using Microsoft.ML;
using Xunit.Abstractions;

using MlNetLlm.Samples;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>
/// The intended use: a head trained on frozen sentence embeddings (the bundled tiny-bert-embed encoder, see
/// <see cref="TextClassificationData.Embed"/>), against LbfgsLogisticRegression on the same embeddings.
/// </summary>
public sealed class EmbeddingHeadTests(ITestOutputHelper output)
{
    [Fact]
    public void HeadsOnTinyBertEmbeddings_ClassifySst2Dev()
    {
        var ml = new MLContext(seed: 1);
        string encoder = TestAssets.Model("tiny-bert-embed");
        var train = ml.Data.LoadFromEnumerable(TextClassificationData.Embed(encoder, DataSets.Sst2(TestAssets.Data("sst2", "train.tsv"), take: 10_000)));
        var dev = ml.Data.LoadFromEnumerable(TextClassificationData.Embed(encoder, DataSets.Sst2(TestAssets.Data("sst2", "dev.tsv"))));
        double Accuracy(IEstimator<ITransformer> trainer) => ml.BinaryClassification.Evaluate(trainer.Fit(train).Transform(dev)).Accuracy;

        double lbfgs = Accuracy(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        double linear = Accuracy(ml.BinaryClassification.Trainers.ClassificationHead());
        double mlp = Accuracy(ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions { HiddenSize = 64, Activation = HeadActivation.Gelu, Dropout = 0.1f }));
        output.WriteLine($"SST-2 dev on tiny-bert-embed embeddings (10k train): LBFGS {lbfgs:P2}, linear head {linear:P2}, MLP head (64, GELU) {mlp:P2}");

        Assert.True(linear >= lbfgs - 0.005, $"linear head {linear:P2} vs LBFGS {lbfgs:P2}");
        Assert.True(mlp > 0.7, $"MLP head {mlp:P2}");
    }
}
