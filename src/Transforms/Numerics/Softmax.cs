using System.Numerics.Tensors;

namespace MlNetLlm.Numerics;

/// <summary>
/// Numerically stable softmax and log-softmax: the maximum is subtracted before exponentiating (and before dividing by a
/// temperature), so the largest term is exactly 1 and logits of any magnitude give finite probabilities that sum to 1.
/// (<see cref="TensorPrimitives.SoftMax{T}(ReadOnlySpan{T}, Span{T})"/> exponentiates first: [1000, 0, -5] gives NaN.)
/// </summary>
internal static class Softmax
{
    /// <summary>
    /// Writes softmax(<paramref name="logits"/> / <paramref name="temperature"/>) to <paramref name="destination"/> (which may
    /// be <paramref name="logits"/> itself) and returns the log of the normalizer, log Σ exp(logits / temperature).
    /// </summary>
    public static double Apply(ReadOnlySpan<float> logits, Span<float> destination, float temperature = 1f)
    {
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, destination);
        if (temperature != 1f) TensorPrimitives.Divide(destination, temperature, destination);
        TensorPrimitives.Exp(destination, destination);
        float sum = TensorPrimitives.Sum(destination);
        TensorPrimitives.Divide(destination, sum, destination);
        return (double)max / temperature + Math.Log(sum);
    }

    /// <summary>log softmax(<paramref name="logits"/>)[<paramref name="index"/>]; <paramref name="scratch"/> (as long as the logits) is overwritten.</summary>
    public static double LogProbability(ReadOnlySpan<float> logits, int index, Span<float> scratch)
    {
        float logit = logits[index];
        return logit - Apply(logits, scratch);
    }
}
