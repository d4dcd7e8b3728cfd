using System.Diagnostics;
using System.Globalization;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// <c>long-context &lt;decoder folder&gt; [prompt tokens] [threads]</c>: greedy <see cref="CausalLanguageModel"/> on a long prompt.
/// Prints the time to first token (best of 2), the per-token latency of decode steps with about 15 and with the prompt's
/// length of tokens in the KV cache (two <see cref="GenerationSession"/>s stepped alternately, median of 20 steps each), and the
/// process's peak resident set size against the size of the ONNX files.
/// <c>long-generate &lt;decoder folder&gt; [new tokens] [threads]</c>: generates that many tokens after a 10-token prompt
/// and prints the time and the peak resident set size (run it in its own process).
/// </summary>
internal static class LongContext
{
    /// <summary>The text long prompts repeat.</summary>
    public const string Text = "KING RICHARD III:\nNow is the winter of our discontent made glorious summer by this sun of York; " +
        "and all the clouds that lour'd upon our house in the deep bosom of the ocean buried. ";

    public static void Latency(string folder, int promptTokens, int threads)
    {
        using var model = CausalLanguageModel.FromDirectory(folder, new CausalLanguageModelOptions { IntraOpNumThreads = threads });
        var prompt = Prompt(model, Text, promptTokens);
        // Two sessions, one after a 10-token prompt and one after the long prompt, stepped alternately so that both see the
        // same machine load; the first step of each runs its prompt (time to first token).
        double Time(GenerationSession session)
        {
            var watch = Stopwatch.StartNew();
            session.GenerateNextToken();
            return watch.Elapsed.TotalSeconds;
        }
        GenerationSession Start(int[] ids)
        {
            var session = model.CreateSession(new GenerationOptions { MaxNewTokens = 11, DoSample = false });
            session.AppendTokens(ids);
            return session;
        }
        using (var warmUp = Start(prompt[..10])) Time(warmUp);
        double firstToken = double.MaxValue;
        var shortSteps = new List<double>();
        var longSteps = new List<double>();
        for (int r = 0; r < 2; r++)
        {
            using var shortSession = Start(prompt[..10]);
            using var longSession = Start(prompt);
            Time(shortSession);
            firstToken = Math.Min(firstToken, Time(longSession));
            for (int i = 0; i < 10; i++)
            {
                shortSteps.Add(Time(shortSession));
                longSteps.Add(Time(longSession));
            }
        }
        double shortStep = GenAiCompare.Median(shortSteps), longStep = GenAiCompare.Median(longSteps);
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"time to first token, {prompt.Length}-token prompt: {firstToken:F2} s (best of 2)"));
        Console.WriteLine(string.Create(c, $"per-token latency (median of 20 steps), ~15 tokens cached: {shortStep * 1000:F0} ms; ~{prompt.Length + 5} cached: {longStep * 1000:F0} ms; ratio {longStep / shortStep:F2}x"));
        PrintMemory(folder);
    }

    public static void Generate(string folder, int newTokens, int threads)
    {
        using var model = CausalLanguageModel.FromDirectory(folder, new CausalLanguageModelOptions { IntraOpNumThreads = threads });
        var watch = Stopwatch.StartNew();
        int produced = model.GenerateIds([Prompt(model, Text, 10)], new GenerationOptions { MaxNewTokens = newTokens, DoSample = false })[0].Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {produced} tokens after a 10-token prompt in {watch.Elapsed.TotalSeconds:F1} s ({produced / watch.Elapsed.TotalSeconds:F2} tokens/s, load excluded)"));
        PrintMemory(folder);
    }

    /// <summary>The first <paramref name="tokens"/> ids of <paramref name="text"/> repeated.</summary>
    public static int[] Prompt(CausalLanguageModel model, string text, int tokens)
    {
        var ids = new List<int>();
        while (ids.Count < tokens) ids.AddRange(model.Encode(text));
        return [.. ids.Take(tokens)];
    }

    /// <summary>Peak resident set size (VmHWM) of this process vs the ONNX files (graph plus external data).</summary>
    private static void PrintMemory(string folder)
    {
        long weights = Directory.EnumerateFiles(folder, "*.onnx*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        long peak = long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak RSS {peak / 1e9:F2} GB vs ONNX files {weights / 1e9:F2} GB ({(double)peak / weights:F2}x)"));
    }
}
