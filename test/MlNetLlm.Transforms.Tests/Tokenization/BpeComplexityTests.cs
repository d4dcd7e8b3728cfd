using System.Diagnostics;

namespace MlNetLlm.Tests.Tokenization;

/// <summary>
/// Guards only the complexity class of BPE merging: the stories260k (Llama SentencePiece BPE) tokenizer has no
/// pre-tokenizer, so a whole text is one word. Merging with a rank-ordered priority queue is O(n log n); rescanning all
/// pairs after every merge is O(n²), i.e. 64× the time for 8× the text. The bound, 32×, is generous either way.
/// Absolute speed is measured in eng/Benchmarks (<c>tokenize-long</c>), not here. Runs in the non-parallel collection,
/// so the process CPU time it reads is its own.
/// </summary>
[Collection(MemorySensitiveCollection.Name)]
public class BpeComplexityTests
{
    [Fact]
    public void SingleWord_EightTimesLonger_CostsLessThanThirtyTwoTimesTheCpu()
    {
        var tokenizer = PretrainedTokenizer.FromDirectory(TestAssets.Model("stories260k"));
        var random = new Random(12);
        var text = new string(Enumerable.Range(0, 160_000).Select(_ => (char)('a' + random.Next(26))).ToArray());
        tokenizer.Encode(text[..1000]); // warm up

        double small = MinCpuSeconds(() => tokenizer.Encode(text[..20_000]));
        double large = MinCpuSeconds(() => tokenizer.Encode(text));
        Assert.True(large < 32 * Math.Max(small, 0.002), $"8× the text took {large / small:F1}× the CPU ({small * 1000:F1} ms → {large * 1000:F1} ms)");
    }

    private static double MinCpuSeconds(Action action)
    {
        double best = double.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            action();
            best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
        }
        return best;
    }
}
