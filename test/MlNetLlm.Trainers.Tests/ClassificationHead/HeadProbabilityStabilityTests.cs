using MlNetLlm.ClassificationHead;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>A multiclass head whose logits reach ±1e4 still gives finite probabilities that sum to 1.</summary>
public sealed class HeadProbabilityStabilityTests
{
    [Fact]
    public void Logits_PlusMinus1e4_GiveTheExactSoftmaxNotNaN()
    {
        // Input [1, 0]: logits = biases + the first weight column = [1e4, -1e4, 1e4 - 1].
        var layer = new ClassificationHeadLayer(2, 3, [0f, 5f, 0f, 5f, 0f, 5f], [1e4f, -1e4f, 1e4f - 1]);
        var model = new ClassificationHeadModel(false, 3, ["a", "b", "c"], [layer], new ClassificationHeadOptions());
        var output = new float[3];

        model.Score(FeatureRow.Dense([1f, 0f]), [], output);

        double e = Math.Exp(-1);
        Assert.Equal(1 / (1 + e), output[0], 1e-4);
        Assert.Equal(0f, output[1]);
        Assert.Equal(e / (1 + e), output[2], 1e-4);
    }
}
