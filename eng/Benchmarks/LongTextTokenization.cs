using System.Diagnostics;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// Wall-clock time to tokenize very long inputs with the stories260k (Llama SentencePiece BPE, no pre-tokenizer)
/// tokenizer, where the whole text is one BPE word: a 200,000-character single word and a 1 MB ordinary prompt.
/// Prints wall-clock and process CPU time (the latter is less disturbed by other work on the machine).
/// </summary>
internal static class LongTextTokenization
{
    public static void Run()
    {
        var tokenizer = PretrainedTokenizer.FromDirectory(BenchmarkAssets.Model("stories260k"));
        var random = new Random(1);
        var word = new string(Enumerable.Range(0, 200_000).Select(_ => (char)('a' + random.Next(26))).ToArray());
        var sentences = File.ReadAllLines(BenchmarkAssets.Data("sst2", "train.tsv")).Skip(1).Select(l => l.Split('\t')[0]);
        var prompt = new System.Text.StringBuilder();
        foreach (var s in sentences) { if (prompt.Length >= 1_000_000) break; prompt.Append(s).Append(' '); }
        tokenizer.Encode(word[..1000]);
        Measure(tokenizer, "200,000-character single word", word);
        Measure(tokenizer, $"{prompt.Length:N0}-character prompt (SST-2 sentences)", prompt.ToString(0, Math.Min(prompt.Length, 1_000_000)));
    }

    private static void Measure(PretrainedTokenizer tokenizer, string label, string text)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        int count = tokenizer.Encode(text).Count;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"{label}: {count:N0} tokens in {watch.Elapsed.TotalSeconds:F2} s ({cpu.TotalSeconds:F2} s CPU)");
    }
}
