using System.Diagnostics;
using MlNetLlm.Generation;
using MlNetLlm.Onnx;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// Cost per token of generation's text layer (incremental detokenizer, stop-sequence matcher, streaming hold-back) at
/// token 100 and token 2,000, against the old way (decode all ids and search the whole text at every token). A
/// <see cref="GenerationSession"/> runs over scripted logits that pick the ids of a long text (SST-2 sentences through the
/// stories260k tokenizer, byte fallback included), so the model's cost is left out. Run:
/// <c>dotnet run -c Release --project eng/Benchmarks -- stream-text-cost [tokenizer folder]</c>.
/// </summary>
public static class StreamingTextCost
{
    private const int Tokens = 2_100, Rounds = 15, Window = 25;
    private const string NeverMatches = "<never matches>";

    /// <summary>Prints the per-token times and their ratio for the tokenizer in <paramref name="dir"/>.</summary>
    public static void Run(string dir)
    {
        var tokenizer = PretrainedTokenizer.FromDirectory(dir);
        var ids = tokenizer.Encode(string.Join(" ", BenchmarkAssets.Sst2Sentences(400)), addSpecialTokens: false).Ids[..Tokens];
        var settings = SamplingSettings.Resolve(new GenerationOptions { MaxNewTokens = Tokens, StopSequences = [NeverMatches] }, ModelConfig.Load(dir), 4096);

        var perToken = new double[Rounds][];
        for (int round = 0; round < Rounds; round++)
        {
            using var session = new GenerationSession(tokenizer, new HashSet<int>(), settings, trackText: true,
                _ => (new ScriptedSteps(ids, tokenizer.VocabularySize), [([1], Tokens, 1)]), [[1]]);
            var times = perToken[round] = new double[Tokens];
            long length = 0;
            for (int t = 0; t < Tokens; t++)
            {
                long start = Stopwatch.GetTimestamp();
                session.Step();
                length += session.TakeNewText(0).Length;
                times[t] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            if (!(tokenizer.Decode([1]) + session.GetResult(0).Text).Equals(tokenizer.Decode([1, .. ids]), StringComparison.Ordinal))
                throw new InvalidOperationException("The streamed text differs from Decode(ids).");
        }
        double early = Median(perToken, 100), late = Median(perToken, 2_000);
        double oldEarly = OldCost(tokenizer, ids, 100), oldLate = OldCost(tokenizer, ids, 2_000);
        Console.WriteLine($"{Path.GetFileName(dir)} tokenizer (clean-up {(tokenizer.CleansUpTokenizationSpaces ? "on" : "off")}):");
        Console.WriteLine($"Text layer per token (median of {Rounds} rounds, tokens ±{Window}): token 100 {early:F1} µs, token 2,000 {late:F1} µs, ratio {late / early:F2}");
        Console.WriteLine($"Old re-decode of all ids + stop search per token: token 100 {oldEarly:F1} µs, token 2,000 {oldLate:F1} µs, ratio {oldLate / oldEarly:F2}");
    }

    private static double Median(double[][] rounds, int token) =>
        rounds.Select(times => times[(token - Window)..(token + Window)].Average()).Order().ElementAt(rounds.Length / 2);

    /// <summary>What the old text layer did at each token: decode the prompt and every generated id, then search the whole text.</summary>
    private static double OldCost(PretrainedTokenizer tokenizer, int[] ids, int token)
    {
        var samples = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int t = token - Window; t < token + Window; t++)
                _ = tokenizer.Decode([1, .. ids[..t]]).IndexOf(NeverMatches, StringComparison.Ordinal);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / (2 * Window));
        }
        return samples.Order().ElementAt(Rounds / 2);
    }

    /// <summary>Logits that make greedy decoding pick the next id of a fixed list.</summary>
    private sealed class ScriptedSteps(int[] ids, int vocabulary) : IDecodingSteps
    {
        private readonly float[] _logits = new float[vocabulary];
        private int _next;

        public int VocabularySize => vocabulary;

        public bool HasRoom => _next < ids.Length;

        public ReadOnlySpan<float> Step(ReadOnlySpan<int> lastTokens, out int positions)
        {
            Array.Clear(_logits);
            _logits[ids[_next++]] = 1;
            positions = 1;
            return _logits;
        }

        public void Dispose() { }
    }
}
