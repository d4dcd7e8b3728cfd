using System.Numerics.Tensors;
using MlNetLlm.Numerics;

namespace MlNetLlm.Generation;

/// <summary>
/// Picks the next token of one sequence: repetition penalty, then greedy argmax or temperature / top-k / top-p sampling.
/// Sampling uses a stable softmax and selects the top-k / top-p candidates partially (<see cref="TopTokens"/>), best first;
/// with neither limit it draws over the whole vocabulary in id order. A seed makes the draws reproducible.
/// </summary>
internal sealed class TokenSampler
{
    private readonly SamplingSettings _settings;
    private readonly Random? _random;
    private readonly bool[]? _seen;
    private readonly float[]? _scores;
    private readonly int[]? _order;

    public TokenSampler(SamplingSettings settings, int vocabularySize, IEnumerable<int> context)
    {
        _settings = settings;
        // Plain greedy takes the argmax of the model's logits in place; only a penalty or sampling needs a copy to change.
        if (settings.DoSample || settings.RepetitionPenalty != 1f) _scores = new float[vocabularySize];
        if (settings.DoSample)
        {
            _random = settings.Seed is int seed ? new Random(seed) : new Random();
            _order = new int[vocabularySize];
        }
        if (settings.RepetitionPenalty != 1f)
        {
            _seen = new bool[vocabularySize];
            foreach (var id in context) Observe(id);
        }
    }

    /// <summary>Records a token for the repetition penalty.</summary>
    public void Observe(int id)
    {
        if (_seen is not null && (uint)id < (uint)_seen.Length) _seen[id] = true;
    }

    /// <summary>The next token given the last position's <paramref name="logits"/>.</summary>
    public int Next(ReadOnlySpan<float> logits)
    {
        if (_scores is null) return TensorPrimitives.IndexOfMax(logits);

        var scores = _scores.AsSpan();
        logits.CopyTo(scores);
        if (_seen is not null)
        {
            float penalty = _settings.RepetitionPenalty;
            for (int i = 0; i < scores.Length; i++)
                if (_seen[i]) scores[i] = scores[i] > 0 ? scores[i] / penalty : scores[i] * penalty;
        }
        if (_random is null) return TensorPrimitives.IndexOfMax(scores);

        Softmax.Apply(scores, scores, _settings.Temperature);
        var order = _order.AsSpan();
        int topK = _settings.TopK;
        float topP = _settings.TopP;
        int kept;
        float mass;
        if (topK > 0 && topK < scores.Length)
        {
            TopTokens.Largest(scores, topK, order);
            float topKMass = 0;
            for (int i = 0; i < topK; i++) topKMass += scores[order[i]];
            // Top-p within the top k: the fewest best tokens whose share of the top-k mass reaches TopP.
            for (kept = 0, mass = 0; kept < topK && (kept == 0 || mass < topP * topKMass); kept++) mass += scores[order[kept]];
        }
        else if (topP < 1f)
        {
            (kept, mass) = TopTokens.Nucleus(scores, topP * TensorPrimitives.Sum(scores), order);
        }
        else
        {
            for (int i = 0; i < order.Length; i++) order[i] = i;
            (kept, mass) = (order.Length, TensorPrimitives.Sum(scores));
        }
        return Draw(scores, order[..kept], mass);
    }

    /// <summary>
    /// Draws one of <paramref name="candidates"/> with probability proportional to its score, walking them in order;
    /// rounding can never pick a candidate of probability 0.
    /// </summary>
    private int Draw(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> candidates, float mass)
    {
        double draw = _random!.NextDouble() * mass;
        int last = candidates[0];
        foreach (int id in candidates)
        {
            if (probabilities[id] == 0) continue;
            last = id;
            draw -= probabilities[id];
            if (draw < 0) return id;
        }
        return last;
    }
}
