using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// The plain ONNX Runtime greedy loop a user would write by hand for an Optimum-layout decoder: prefill, then one token per
/// run with the presents fed back as the next pasts and the argmax taken by hand. The baseline of genai-compare.
/// </summary>
internal static class RawLoop
{
    public static InferenceSession Open(int intraOpThreads, string onnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = intraOpThreads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        return new InferenceSession(onnx, options);
    }

    /// <summary>Up to <paramref name="newTokens"/> greedy ids after <paramref name="prompt"/>, without the eos that ends them.</summary>
    public static int[] Greedy(InferenceSession session, int[] prompt, int newTokens, IReadOnlyCollection<int> eos)
    {
        int layers = session.InputMetadata.Keys.Count(k => k.StartsWith("past_key_values.", StringComparison.Ordinal) && k.EndsWith(".key", StringComparison.Ordinal));
        var kv = session.InputMetadata["past_key_values.0.key"].Dimensions;
        bool hasPositions = session.InputMetadata.ContainsKey("position_ids");
        var inputNames = new List<string> { "input_ids", "attention_mask" };
        if (hasPositions) inputNames.Add("position_ids");
        var outputNames = new List<string> { "logits" };
        for (int i = 0; i < layers; i++)
        {
            inputNames.AddRange([$"past_key_values.{i}.key", $"past_key_values.{i}.value"]);
            outputNames.AddRange([$"present.{i}.key", $"present.{i}.value"]);
        }
        var past = Enumerable.Range(0, 2 * layers)
            .Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, kv[1], 0, kv[3]])).ToList();
        IDisposableReadOnlyCollection<OrtValue>? outputs = null;
        var result = new List<int>(newTokens);
        using var runOptions = new RunOptions();
        long[] tokens = [.. prompt.Select(t => (long)t)];
        int length = 0;
        while (result.Count < newTokens)
        {
            var mask = new long[length + tokens.Length];
            Array.Fill(mask, 1L);
            var positions = Enumerable.Range(length, tokens.Length).Select(p => (long)p).ToArray();
            using var ids = OrtValue.CreateTensorValueFromMemory(tokens, [1, tokens.Length]);
            using var attention = OrtValue.CreateTensorValueFromMemory(mask, [1, mask.Length]);
            using var positionIds = OrtValue.CreateTensorValueFromMemory(positions, [1, positions.Length]);
            List<OrtValue> inputs = hasPositions ? [ids, attention, positionIds, .. past] : [ids, attention, .. past];
            var next = session.Run(runOptions, inputNames, inputs, outputNames);
            var logits = next[0].GetTensorDataAsSpan<float>();
            int vocabulary = logits.Length / tokens.Length;
            var last = logits[^vocabulary..];
            int best = 0;
            for (int v = 1; v < vocabulary; v++) if (last[v] > last[best]) best = v;
            if (outputs is null) foreach (var p in past) p.Dispose();
            outputs?.Dispose();
            outputs = next;
            past = next.Skip(1).ToList();
            length = mask.Length;
            if (eos.Contains(best)) break;
            result.Add(best);
            tokens = [best];
        }
        outputs?.Dispose();
        return [.. result];
    }
}
