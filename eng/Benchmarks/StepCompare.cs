using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// <c>step-compare &lt;decoder folder&gt; [steps] [threads] [rounds] [prompt tokens]</c>: greedy decoding of one prompt with
/// <see cref="CausalLanguageModel"/>'s <see cref="GenerationSession"/>, the raw ONNX Runtime loop (<see cref="RawLoop"/>) and
/// onnxruntime-genai's <see cref="Generator"/>, all on the same ONNX file and thread count, interleaved step by step (the
/// order rotating every step) so the three see the same machine load. Checks the ids are identical; prints per engine the
/// prefill and the median decode step (wall clock and process CPU), and the median over steps of each step's time ratio.
/// </summary>
internal static class StepCompare
{
    /// <param name="promptTokens">The prompt's length in tokens (the text repeated); 0 for the text's first line.</param>
    public static void Run(string folder, int steps, int threads, int rounds, int promptTokens)
    {
        folder = Path.GetFullPath(folder);
        GenAiCompare.WithGenAiFolder(folder, threads, genAiFolder =>
        {
            using var model = CausalLanguageModel.FromDirectory(folder, new CausalLanguageModelOptions { IntraOpNumThreads = threads });
            using var rawSession = RawLoop.Open(threads, Path.Combine(genAiFolder, GenAiCompare.DecoderFile(genAiFolder)));
            using var genAi = new Model(genAiFolder);
            var prompt = promptTokens > 0 ? LongContext.Prompt(model, LongContext.Text, promptTokens) : model.Encode("KING RICHARD III:\nNow is the winter of our discontent");
            var names = new[] { "ours", "raw", "genai" };
            var times = names.Select(_ => new List<(double Wall, double Cpu)>()).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                using var ours = model.CreateSession(new GenerationOptions { MaxNewTokens = steps, DoSample = false });
                ours.AppendTokens(prompt);
                using var raw = new RawLoop(rawSession, prompt);
                var rawIds = new List<int>();
                using var parameters = new GeneratorParams(genAi);
                parameters.SetSearchOption("max_length", prompt.Length + steps);
                parameters.SetSearchOption("do_sample", false);
                using var generator = new Generator(genAi, parameters);
                // Each engine's first step runs the prompt (genai: AppendTokens) and picks a token; later steps run one token.
                var step = new Action<int>[]
                {
                    s => ours.GenerateNextToken(),
                    s => rawIds.Add(raw.Step()),
                    s => { if (s == 0) generator.AppendTokens(prompt); generator.GenerateNextToken(); },
                };
                for (int s = 0; s < steps; s++)
                    for (int k = 0; k < 3; k++)
                    {
                        int engine = (s + k + round) % 3;
                        var t = Time(() => step[engine](s));
                        if (round > 0 || s > 0) times[engine].Add(t); // the first prefill of the process warms up
                    }
                var genAiIds = generator.GetSequence(0)[prompt.Length..].ToArray();
                if (!ours.NewTokens.SequenceEqual(rawIds) || !ours.NewTokens.SequenceEqual(genAiIds))
                    throw new InvalidOperationException($"The engines differ:\n ours:  {string.Join(' ', ours.NewTokens)}\n raw:   {string.Join(' ', rawIds)}\n genai: {string.Join(' ', genAiIds)}");
            }

            var c = CultureInfo.InvariantCulture;
            // Prefills are the entries at multiples of `steps` after the dropped warm-up one: index 0 is step 1 of round 0.
            bool IsPrefill(int i) => (i + 1) % steps == 0;
            double[] Decode(int e, Func<(double Wall, double Cpu), double> pick) => [.. times[e].Where((_, i) => !IsPrefill(i)).Select(pick)];
            double[] Prefill(int e) => [.. times[e].Where((_, i) => IsPrefill(i)).Select(x => x.Wall)];
            Console.WriteLine($"{rounds} rounds × {steps} steps, {prompt.Length}-token prompt, {threads} intra-op thread(s), ids identical");
            for (int e = 0; e < 3; e++)
            {
                double wall = GenAiCompare.Median(Decode(e, x => x.Wall));
                Console.WriteLine(string.Create(c,
                    $"  {names[e],-5} decode step median {wall * 1000:F1} ms wall ({1 / wall:F1} tokens/s), {GenAiCompare.Median(Decode(e, x => x.Cpu)) * 1000:F1} ms process CPU, " +
                    $"min {Decode(e, x => x.Wall).Min() * 1000:F1} ms; prefill median {(Prefill(e).Length > 0 ? GenAiCompare.Median(Prefill(e)) * 1000 : double.NaN):F0} ms"));
            }
            // Ratio of the same step's times (other engine / ours): above 1 means ours is faster.
            double StepRatio(int other) => GenAiCompare.Median(Decode(other, x => x.Wall).Zip(Decode(0, x => x.Wall), (a, b) => a / b));
            Console.WriteLine(string.Create(c, $"ours vs raw ONNX Runtime loop, median of per-step ratios: {StepRatio(1):F2}x; vs onnxruntime-genai: {StepRatio(2):F2}x"));
        });
    }

    /// <summary>Wall-clock and process CPU seconds (all threads) of <paramref name="action"/>.</summary>
    private static (double Wall, double Cpu) Time(Action action)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        action();
        double wall = watch.Elapsed.TotalSeconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalSeconds);
    }
}
