using BenchmarkDotNet.Attributes;
using MlNetLlm.Generation;
using MlNetLlm.Numerics;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// One sampled token over GPT-2's 50,257 logits (tiny-gpt2's first-step logits for a Shakespeare prompt): the sampler's
/// partial top-k / top-p selection against the full sort of the vocabulary it replaced.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SamplingBenchmarks
{
    private float[] _logits = null!;
    private TokenSampler _sampler = null!;
    private readonly float[] _scores = new float[50257];
    private readonly int[] _order = new int[50257];

    /// <summary>"k=50,p=0.95", "k=0,p=0.9" (top-p alone) or "k=0,p=1" (plain sampling).</summary>
    [Params("k=50,p=0.95", "k=0,p=0.9", "k=0,p=1")]
    public string Limits { get; set; } = "";

    private (int TopK, float TopP) Parsed => Limits switch
    {
        "k=50,p=0.95" => (50, 0.95f),
        "k=0,p=0.9" => (0, 0.9f),
        _ => (0, 1f),
    };

    [GlobalSetup]
    public void Setup()
    {
        using var model = CausalLanguageModel.FromDirectory(BenchmarkAssets.Model("tiny-gpt2"));
        _logits = model.NextTokenLogits(model.Encode("KING RICHARD III:\nNow is the winter of our discontent"));
        var (topK, topP) = Parsed;
        _sampler = new TokenSampler(new SamplingSettings(1, null, true, 1f, topK, topP, 1f, [], 1), _logits.Length, []);
    }

    [Benchmark(Description = "TokenSampler.Next (partial selection)")]
    public int PartialSelection() => _sampler.Next(_logits);

    /// <summary>The previous approach: softmax, then sort every id by probability, then cut top-k / top-p.</summary>
    [Benchmark(Baseline = true, Description = "Full sort of the vocabulary")]
    public int FullSort()
    {
        var (topK, topP) = Parsed;
        Softmax.Apply(_logits, _scores);
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        for (int i = 0; i < _scores.Length; i++) _scores[i] = -_scores[i];
        Array.Sort(_scores, _order);
        int keep = topK > 0 ? topK : _order.Length;
        float topKMass = 0;
        for (int i = 0; i < keep; i++) topKMass -= _scores[i];
        float mass = 0;
        int kept = 0;
        while (kept < keep && (kept == 0 || mass < topP * topKMass)) mass -= _scores[kept++];
        return _order[kept - 1];
    }
}
