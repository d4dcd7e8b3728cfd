using MlNetLlm.Generation;
using MlNetLlm.Numerics;

namespace MlNetLlm.Tests.Generation;

/// <summary>
/// Stable softmax / log-softmax with huge logits and low temperatures, partial top-k / top-p selection against a full sort,
/// and low-temperature sampling on stories260k against greedy decoding.
/// </summary>
public sealed class StableSamplingTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private const double Tolerance = 1e-4;

    private static SamplingSettings Sampling(float temperature, int topK = 0, float topP = 1f, int seed = 1) =>
        new(MaxNewTokens: 10, MaxLength: null, DoSample: true, temperature, topK, topP, RepetitionPenalty: 1f, StopSequences: [], seed);

    [Fact]
    public void Softmax_LogitsOfPlusMinus1e4_IsFiniteAndExact()
    {
        float[] logits = [1e4f, 1e4f - 1, -1e4f, 0f, 1000f, -5f];
        var p = new float[logits.Length];

        double logNormalizer = Softmax.Apply(logits, p);

        double e = Math.Exp(-1);
        Assert.Equal(1 / (1 + e), p[0], Tolerance);
        Assert.Equal(e / (1 + e), p[1], Tolerance);
        Assert.All(p[2..], x => Assert.Equal(0f, x));
        Assert.Equal(1e4 + Math.Log(1 + e), logNormalizer, Tolerance);
        Assert.Equal(-2e4 - Math.Log(1 + e), Softmax.LogProbability(logits, 2, new float[logits.Length]), Tolerance);
        Assert.Equal(-Math.Log(1 + e), Softmax.LogProbability(logits, 0, new float[logits.Length]), Tolerance);

        // In place, as the sampler uses it; [1000, 0, -5] is where an unshifted softmax gives NaN.
        float[] small = [1000f, 0f, -5f];
        Softmax.Apply(small, small);
        Assert.Equal([1f, 0f, 0f], small);
    }

    [Fact]
    public void Softmax_AtTemperatureOneHundredth_DividesAfterSubtractingTheMax()
    {
        // 2^-7 apart: exact in float next to 1e4, and e^-0.78125 apart after dividing by T = 0.01.
        float[] logits = [-1e4f, 1e4f - 0.0078125f, 1e4f];
        var p = new float[3];

        double logNormalizer = Softmax.Apply(logits, p, temperature: 0.01f);

        double r = Math.Exp(-0.78125);
        Assert.Equal([0, r / (1 + r), 1 / (1 + r)], p.Select(x => (double)x), new ToleranceComparer(Tolerance));
        Assert.Equal(1e4 / (double)0.01f + Math.Log(1 + r), logNormalizer, 1e-3);
    }

    [Theory]
    [InlineData(0, 1f)]
    [InlineData(2, 1f)]
    [InlineData(50, 0.99f)]
    [InlineData(0, 0.95f)]
    public void Sampling_logits_of_plus_minus_1e4_at_T_0_01_follows_the_true_distribution(int topK, float topP)
    {
        var logits = new float[1000];
        for (int i = 0; i < logits.Length; i++) logits[i] = i % 2 == 0 ? -1e4f : 1e4f - 1000;
        logits[7] = 1e4f;
        logits[3] = 1e4f - 0.0078125f;
        var sampler = new TokenSampler(Sampling(0.01f, topK, topP, seed: 42), logits.Length, []);

        var draws = Enumerable.Range(0, 4000).Select(_ => sampler.Next(logits)).ToArray();

        Assert.All(draws, id => Assert.Contains(id, new[] { 3, 7 }));
        double share7 = draws.Count(id => id == 7) / 4000.0;
        Assert.InRange(share7, 1 / (1 + Math.Exp(-0.78125)) - 0.03, 1 / (1 + Math.Exp(-0.78125)) + 0.03);
    }

    [Fact]
    public void TopP_BelowTheBestTokensShare_KeepsOnlyItAndSeedsReproduce()
    {
        var logits = new float[500];
        for (int i = 0; i < logits.Length; i++) logits[i] = (i * 37 % 101) / 10f;
        logits[123] = 1e4f;
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Equal(123, new TokenSampler(Sampling(0.01f, topP: 0.5f), 500, []).Next(logits)));

        logits[123] = 0f;
        var a = new TokenSampler(Sampling(1f, topK: 20, topP: 0.9f, seed: 9), 500, []);
        var b = new TokenSampler(Sampling(1f, topK: 20, topP: 0.9f, seed: 9), 500, []);
        var first = Enumerable.Range(0, 200).Select(_ => a.Next(logits)).ToArray();
        Assert.Equal(first, Enumerable.Range(0, 200).Select(_ => b.Next(logits)));
        // Only the 20 best (logits 10.0 down to 9.0: ids with i*37 % 101 in 81..100, each 5 times; ties by id) can be drawn.
        var best20 = Enumerable.Range(0, 500).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(20).ToHashSet();
        Assert.All(first, id => Assert.Contains(id, best20));
        Assert.True(first.Distinct().Count() > 5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(999)]
    [InlineData(1000)]
    public void Partial_selection_equals_a_full_sort(int k)
    {
        var random = new Random(k);
        // Many ties: 1000 weights drawn from 40 values.
        var weights = Enumerable.Range(0, 1000).Select(_ => random.Next(40) / 40f).ToArray();
        var sorted = Enumerable.Range(0, 1000).OrderByDescending(i => weights[i]).ThenBy(i => i).ToArray();
        var order = new int[1000];

        TopTokens.Largest(weights, k, order);
        Assert.Equal(sorted[..k], order[..k]);

        float mass = weights.Sum() * k / 1000f;
        var (count, kept) = TopTokens.Nucleus(weights, mass, order);
        int expected = 0;
        float cumulative = 0;
        while (expected == 0 || (cumulative < mass && expected < 1000)) cumulative += weights[sorted[expected++]];
        Assert.Equal(sorted[..expected], order[..count]);
        Assert.Equal(cumulative, kept, 1e-3f);
    }

    public static TheoryData<string, int> LowTemperaturePrompts => new()
    {
        { "Once upon a time", 1 },
        { "Tom and Lily went to the park", 2 },
        { "The little cat", 3 },
    };

    [Theory]
    [MemberData(nameof(LowTemperaturePrompts))]
    public void Sampling_at_T_0_05_on_stories260k_agrees_with_greedy_on_the_first_20_tokens(string prompt, int seed)
    {
        var greedy = fixture.Model.GenerateIds(prompt, new GenerationOptions { MaxNewTokens = 20, DoSample = false });
        var sampled = fixture.Model.GenerateIds(prompt, new GenerationOptions { MaxNewTokens = 20, DoSample = true, Temperature = 0.05f, TopK = 0, Seed = seed });

        Assert.Equal(20, greedy.Count);
        Assert.Equal(greedy, sampled);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
