using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// The plain ONNX Runtime greedy loop a user would write by hand for an Optimum-layout decoder: prefill, then one token per
/// run with the presents fed back as the next pasts and the argmax taken by hand. The baseline of genai-compare.
/// </summary>
internal sealed class RawLoop : IDisposable
{
    private readonly InferenceSession _session;
    private readonly List<string> _inputNames = ["input_ids", "attention_mask"];
    private readonly List<string> _outputNames = ["logits"];
    private readonly bool _hasPositions;
    private readonly RunOptions _runOptions = new();
    private List<OrtValue> _past;
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;
    private long[] _tokens;
    private int _length;

    /// <summary>A generation after <paramref name="prompt"/>; the first <see cref="Step"/> runs the whole prompt.</summary>
    public RawLoop(InferenceSession session, int[] prompt)
    {
        _session = session;
        int layers = session.InputMetadata.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal) && k.EndsWith(".key", StringComparison.Ordinal));
        var kv = session.InputMetadata["past_key_values.0.key"].Dimensions;
        _hasPositions = session.InputMetadata.ContainsKey("position_ids");
        if (_hasPositions) _inputNames.Add("position_ids");
        for (int i = 0; i < layers; i++)
        {
            _inputNames.AddRange([$"past_key_values.{i}.key", $"past_key_values.{i}.value"]);
            _outputNames.AddRange([$"present.{i}.key", $"present.{i}.value"]);
        }
        _past = Enumerable.Range(0, 2 * layers)
            .Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, kv[1], 0, kv[3]])).ToList();
        _tokens = [.. prompt.Select(t => (long)t)];
    }

    /// <summary>A session on <paramref name="onnx"/>; with <paramref name="profilePrefix"/>, ONNX Runtime's profiler writes every node's time to a JSON file.</summary>
    public static InferenceSession Open(int intraOpThreads, string onnx, string? profilePrefix = null)
    {
        using var options = new SessionOptions { IntraOpNumThreads = intraOpThreads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (profilePrefix is not null)
        {
            options.EnableProfiling = true;
            options.ProfileOutputPathPrefix = profilePrefix;
        }
        return new InferenceSession(onnx, options);
    }

    /// <summary>Up to <paramref name="newTokens"/> greedy ids after <paramref name="prompt"/>, without the eos that ends them.</summary>
    public static int[] Greedy(InferenceSession session, int[] prompt, int newTokens, IReadOnlyCollection<int> eos)
    {
        using var loop = new RawLoop(session, prompt);
        var result = new List<int>(newTokens);
        while (result.Count < newTokens)
        {
            int best = loop.Step();
            if (eos.Contains(best)) break;
            result.Add(best);
        }
        return [.. result];
    }

    /// <summary>One run (the prompt, then the last token); returns the argmax of the last position's logits, which the next step feeds.</summary>
    public int Step()
    {
        var mask = new long[_length + _tokens.Length];
        Array.Fill(mask, 1L);
        var positions = Enumerable.Range(_length, _tokens.Length).Select(p => (long)p).ToArray();
        using var ids = OrtValue.CreateTensorValueFromMemory(_tokens, [1, _tokens.Length]);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, [1, mask.Length]);
        using var positionIds = OrtValue.CreateTensorValueFromMemory(positions, [1, positions.Length]);
        List<OrtValue> inputs = _hasPositions ? [ids, attention, positionIds, .. _past] : [ids, attention, .. _past];
        var next = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
        var logits = next[0].GetTensorDataAsSpan<float>();
        int vocabulary = logits.Length / _tokens.Length;
        var last = logits[^vocabulary..];
        int best = 0;
        for (int v = 1; v < vocabulary; v++) if (last[v] > last[best]) best = v;
        if (_outputs is null) foreach (var p in _past) p.Dispose();
        _outputs?.Dispose();
        _outputs = next;
        _past = next.Skip(1).ToList();
        _length = mask.Length;
        _tokens = [best];
        return best;
    }

    public void Dispose()
    {
        if (_outputs is null) foreach (var p in _past) p.Dispose();
        _outputs?.Dispose();
        _runOptions.Dispose();
    }
}
