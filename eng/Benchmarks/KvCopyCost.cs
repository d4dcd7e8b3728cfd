using System.Globalization;
using System.Text.Json;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// <c>kv-copy-cost &lt;decoder folder&gt; [long prompt tokens] [threads]</c>: what the export's own key/value copies cost per
/// decode step, measured with ONNX Runtime's profiler on the raw loop (<see cref="RawLoop"/>, the same graph and session
/// options as <see cref="CausalLanguageModel"/>). Decodes 6 steps after a 10-token prompt and 6 after the long prompt, then
/// prints, for the steps with about 10 and with the long prompt's length of tokens cached, the median time of the whole run,
/// of the <c>Concat(past, new)</c> nodes that write the presents, and of each operator type.
/// </summary>
internal static class KvCopyCost
{
    private const int Steps = 6;

    public static void Run(string folder, int longPrompt, int threads)
    {
        var prefix = Path.Combine(Path.GetTempPath(), "mlnetllm-kv-profile");
        string profile;
        using (var session = RawLoop.Open(threads, Path.Combine(folder, "onnx", "model.onnx"), prefix))
        {
            foreach (var length in new[] { 10, longPrompt })
            {
                using var loop = new RawLoop(session, [.. Enumerable.Range(0, length).Select(i => 100 + i % 1000)]);
                for (int s = 0; s <= Steps; s++) loop.Step();
            }
            profile = session.EndProfiling();
        }
        try
        {
            Report(profile, longPrompt, threads);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    private static void Report(string profile, int longPrompt, int threads)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(profile));
        var events = json.RootElement.EnumerateArray().ToArray();
        // Runs in order: prefill, Steps decode steps (short), prefill, Steps decode steps (long).
        var runs = events.Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), Duration: e.GetProperty("dur").GetInt64())).OrderBy(r => r.Start).ToArray();
        if (runs.Length != 2 * (Steps + 1)) throw new InvalidDataException($"Expected {2 * (Steps + 1)} runs in '{profile}', found {runs.Length}.");
        var nodes = events.Where(e => e.GetProperty("cat").GetString() == "Node" && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), Duration: e.GetProperty("dur").GetInt64(),
                Name: e.GetProperty("name").GetString()!, Op: e.GetProperty("args").GetProperty("op_name").GetString()!)).ToArray();
        var c = CultureInfo.InvariantCulture;
        var perOp = new SortedDictionary<string, double[]>();
        Console.WriteLine($"{threads} intra-op thread(s); median of {Steps} decode steps each, ms (ONNX Runtime profiler)");
        for (int part = 0; part < 2; part++)
        {
            var decode = runs.Skip(part * (Steps + 1) + 1).Take(Steps).ToArray();
            var inRun = decode.Select(r => nodes.Where(n => n.Start >= r.Start && n.Start <= r.Start + r.Duration).ToArray()).ToArray();
            double run = GenAiCompare.Median(decode.Select(r => r.Duration / 1000.0));
            double concat = GenAiCompare.Median(inRun.Select(ns => ns.Where(n => n.Op == "Concat" && n.Name.StartsWith("present.", StringComparison.Ordinal)).Sum(n => n.Duration) / 1000.0));
            int cached = part == 0 ? 10 : longPrompt;
            Console.WriteLine(string.Create(c, $"~{cached} tokens cached: run {run:F1} ms, Concat(past, new) into the presents {concat:F2} ms ({concat / run:P1})"));
            foreach (var op in nodes.Select(n => n.Op).Distinct())
            {
                if (!perOp.TryGetValue(op, out var times)) perOp[op] = times = new double[2];
                times[part] = GenAiCompare.Median(inRun.Select(ns => ns.Where(n => n.Op == op).Sum(n => n.Duration) / 1000.0));
            }
        }
        Console.WriteLine("per operator type (all nodes of that type in one step), ms: ~10 cached -> long prompt cached");
        foreach (var (op, times) in perOp.OrderByDescending(p => p.Value[1]).Take(12))
            Console.WriteLine(string.Create(c, $"  {op,-16} {times[0],8:F2} -> {times[1],8:F2}"));
    }
}
