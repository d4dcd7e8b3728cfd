using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// <c>genai-compare [model folder]</c>: greedy generation with <see cref="CausalLanguageModel"/> and with onnxruntime-genai's
/// <see cref="Generator"/> on the same ONNX file and prompt ids (the configuration comes from eng/genai/&lt;model&gt;/genai_config.json).
/// Checks the ids are identical, then times both (interleaved repetitions after a warm-up) and prints tokens per second.
/// </summary>
internal static class GenAiCompare
{

    private static readonly string[] Prompts =
    [
        "Once upon a time",
        "KING RICHARD III:\nNow is the winter of our discontent",
        "The little dog ran to the park",
    ];

    /// <param name="folder">The model folder; its name picks eng/genai/&lt;name&gt;/genai_config.json.</param>
    /// <param name="newTokens">Greedy tokens per prompt (at most; fewer when the context is short).</param>
    /// <param name="repetitions">Timed repetitions of each engine.</param>
    public static void Run(string folder, int newTokens = 200, int repetitions = 9)
    {
        folder = Path.GetFullPath(folder);
        WithGenAiFolder(folder, null, genAiFolder => Compare(folder, genAiFolder, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), newTokens, repetitions));
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a temporary folder holding the model's files (linked, not copied) and its
    /// eng/genai/&lt;name&gt;/genai_config.json, with the decoder's intra-op thread count set to <paramref name="threads"/> when given.
    /// </summary>
    public static void WithGenAiFolder(string folder, int? threads, Action<string> action)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var configPath = Path.Combine(BenchmarkAssets.RepoRoot, "eng", "genai", name, "genai_config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"No onnxruntime-genai configuration for '{name}': expected '{configPath}'.", configPath);

        var genAiFolder = Directory.CreateTempSubdirectory("mlnetllm-genai-").FullName;
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
                if (Path.GetFileName(entry) != "genai_config.json")
                    File.CreateSymbolicLink(Path.Combine(genAiFolder, Path.GetFileName(entry)), entry);
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!;
            if (threads is int n) config["model"]!["decoder"]!["session_options"]!["intra_op_num_threads"] = n;
            File.WriteAllText(Path.Combine(genAiFolder, "genai_config.json"), config.ToJsonString());
            action(genAiFolder);
        }
        finally
        {
            Directory.Delete(genAiFolder, recursive: true);
        }
    }

    private static void Compare(string folder, string genAiFolder, string name, int maxNewTokens, int repetitions)
    {
        // All three engines on the intra-op thread count the configuration gives onnxruntime-genai.
        int threads = IntraOpThreads(genAiFolder);
        using var ours = CausalLanguageModel.FromDirectory(folder, new CausalLanguageModelOptions { IntraOpNumThreads = threads });
        using var theirs = new Model(genAiFolder);
        var prompts = Prompts.Select(p => ours.Encode(p)).ToArray();
        int newTokens = Math.Min(maxNewTokens, ours.ContextLength - prompts.Max(p => p.Length) - 1);
        var options = new GenerationOptions { MaxNewTokens = newTokens, DoSample = false };

        int[] Ours(int[] prompt) => [.. ours.GenerateIds([prompt], options)[0]];
        int[] Theirs(int[] prompt)
        {
            using var parameters = new GeneratorParams(theirs);
            parameters.SetSearchOption("max_length", prompt.Length + newTokens);
            parameters.SetSearchOption("do_sample", false);
            using var generator = new Generator(theirs, parameters);
            generator.AppendTokens(prompt);
            while (!generator.IsDone()) generator.GenerateNextToken();
            return generator.GetSequence(0)[prompt.Length..].ToArray();
        }

        using var rawSession = RawLoop.Open(threads, Path.Combine(genAiFolder, DecoderFile(genAiFolder)));
        int[] Raw(int[] prompt) => RawLoop.Greedy(rawSession, prompt, newTokens, ours.EosTokenIds);

        // Same ids: onnxruntime-genai keeps the eos id that ended a sequence, CausalLanguageModel does not return it.
        int tokens = 0;
        for (int i = 0; i < prompts.Length; i++)
        {
            var a = Ours(prompts[i]);
            var b = Theirs(prompts[i]);
            var bWithoutEos = b.Length > 0 && ours.EosTokenIds.Contains(b[^1]) ? b[..^1] : b;
            if (!a.SequenceEqual(bWithoutEos) || !a.SequenceEqual(Raw(prompts[i])))
                throw new InvalidOperationException($"Prompt {i}: the engines differ.\n ours:   {string.Join(' ', a)}\n genai:  {string.Join(' ', b)}\n raw:    {string.Join(' ', Raw(prompts[i]))}");
            tokens += b.Length;
            Console.WriteLine($"prompt {i}: {prompts[i].Length} prompt ids, {b.Length} new ids, identical{(b.Length > a.Length ? " (both stopped on eos)" : "")}");
        }

        var oursRuns = new List<(double Wall, double Cpu)>();
        var theirsRuns = new List<(double Wall, double Cpu)>();
        var rawRuns = new List<(double Wall, double Cpu)>();
        for (int r = 0; r < repetitions; r++)
        {
            // Alternate which engine goes first, so neither always runs on a warmer (or busier) machine.
            if (r % 2 == 0) oursRuns.Add(Time(() => { foreach (var p in prompts) Ours(p); }));
            theirsRuns.Add(Time(() => { foreach (var p in prompts) Theirs(p); }));
            rawRuns.Add(Time(() => { foreach (var p in prompts) Raw(p); }));
            if (r % 2 == 1) oursRuns.Add(Time(() => { foreach (var p in prompts) Ours(p); }));
        }
        var c = CultureInfo.InvariantCulture;
        string Rates(IEnumerable<double> seconds) => string.Join(", ", seconds.Select(x => (tokens / x).ToString("F0", c)));
        Console.WriteLine($"tokens/s per repetition (wall clock), ours:   {Rates(oursRuns.Select(x => x.Wall))}");
        Console.WriteLine($"tokens/s per repetition (wall clock), genai:  {Rates(theirsRuns.Select(x => x.Wall))}");
        Console.WriteLine($"tokens/s per repetition (wall clock), raw:    {Rates(rawRuns.Select(x => x.Wall))}");
        if (threads == 1 && ThreadCpuSeconds() is not null)
        {
            // With one intra-op thread the engines compute on the calling thread, so its CPU time excludes waiting for the cores.
            double oursCpu = tokens / Median(oursRuns.Select(x => x.Cpu)), theirsCpu = tokens / Median(theirsRuns.Select(x => x.Cpu));
            double rawCpu = tokens / Median(rawRuns.Select(x => x.Cpu));
            Console.WriteLine(string.Create(c, $"per CPU second of the generating thread (median): vs genai {oursCpu / theirsCpu:F2}x, vs raw ONNX Runtime loop {oursCpu / rawCpu:F2}x ({oursCpu:F0} vs {theirsCpu:F0} vs {rawCpu:F0} tokens/s)"));
        }
        // The best repetition of each: on a shared machine other work only ever adds time, so the fastest run is the least disturbed.
        double oursRate = tokens / oursRuns.Min(x => x.Wall), theirsRate = tokens / theirsRuns.Min(x => x.Wall);
        Console.WriteLine(string.Create(c,
            $"best of {repetitions} alternating repetitions over {prompts.Length} prompts, wall clock, after the warm-up pass above " +
            $"(median ratio {Median(theirsRuns.Select(x => x.Wall)) / Median(oursRuns.Select(x => x.Wall)):F2}x)"));
        Console.WriteLine(string.Create(c, $"generation vs raw ONNX Runtime loop (best, wall clock): {oursRate * rawRuns.Min(x => x.Wall) / tokens:F2}x"));
        Console.WriteLine(string.Create(c,
            $"generation vs onnxruntime-genai: {oursRate / theirsRate:F2}x ({name}, {tokens} tokens, {oursRate:F0} vs {theirsRate:F0} tokens/s)"));
    }

    /// <summary>The decoder file genai_config.json names.</summary>
    public static string DecoderFile(string folder) => Decoder(folder).GetProperty("filename").GetString()!;

    /// <summary>The intra-op thread count genai_config.json gives the decoder session.</summary>
    private static int IntraOpThreads(string folder) =>
        Decoder(folder).GetProperty("session_options").GetProperty("intra_op_num_threads").GetInt32();

    private static System.Text.Json.JsonElement Decoder(string folder) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "genai_config.json")))
            .RootElement.GetProperty("model").GetProperty("decoder");

    /// <summary>Wall-clock seconds and, on Linux, CPU seconds of the calling thread (else the wall-clock time again).</summary>
    private static (double Wall, double Cpu) Time(Action action)
    {
        double? cpu = ThreadCpuSeconds();
        var watch = Stopwatch.StartNew();
        action();
        double wall = watch.Elapsed.TotalSeconds;
        return (wall, cpu is double before && ThreadCpuSeconds() is double after ? after - before : wall);
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private const int ClockThreadCpuTime = 3;

    private static double? ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux()) return null;
        return clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds * 1e-9 : null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
