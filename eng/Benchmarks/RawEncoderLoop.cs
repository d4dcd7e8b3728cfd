using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// The plain ONNX Runtime loop a user writes around a sentence encoder: batches in input order padded to their longest
/// sentence, <c>last_hidden_state</c> out, mean pooling over the attention mask and L2 normalization by hand. The baseline
/// of EmbeddingBenchmarks and embed-compare.
/// </summary>
internal static class RawEncoderLoop
{
    /// <summary>Embeds <paramref name="sentences"/>; returns the sum of every embedding's first component (a checksum).</summary>
    public static float Run(InferenceSession session, PretrainedTokenizer tokenizer, string[] sentences, int batchSize, int maxLength)
    {
        bool hasTypes = session.InputMetadata.ContainsKey("token_type_ids");
        string[] names = hasTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        float sum = 0;
        for (int start = 0; start < sentences.Length; start += batchSize)
        {
            var batch = sentences.Skip(start).Take(batchSize).Select(s => tokenizer.Encode(s, maxLength: maxLength)).ToArray();
            int length = batch.Max(e => e.Count);
            var ids = new long[batch.Length * length];
            var mask = new long[ids.Length];
            var types = new long[ids.Length];
            for (int r = 0; r < batch.Length; r++)
                for (int t = 0; t < batch[r].Count; t++)
                    (ids[r * length + t], mask[r * length + t], types[r * length + t]) = (batch[r].Ids[t], 1, batch[r].TypeIds[t]);
            long[] shape = [batch.Length, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, names, hasTypes ? [idsValue, maskValue, typesValue] : [idsValue, maskValue], ["last_hidden_state"]);
            var hidden = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            int dim = hidden.Length / (batch.Length * length);
            for (int r = 0; r < batch.Length; r++)
                sum += MeanPoolNormalized(hidden.AsSpan(r * length * dim, length * dim), mask.AsSpan(r * length, length))[0];
        }
        return sum;
    }

    /// <summary>Mean of the hidden states over the attention mask, then L2 normalization.</summary>
    public static float[] MeanPoolNormalized(ReadOnlySpan<float> hidden, ReadOnlySpan<long> mask)
    {
        int dim = hidden.Length / mask.Length;
        var vector = new float[dim];
        for (int t = 0; t < mask.Length; t++)
        {
            if (mask[t] == 0) continue;
            for (int d = 0; d < dim; d++) vector[d] += hidden[t * dim + d];
        }
        float norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (int d = 0; d < dim; d++) vector[d] /= norm;
        return vector;
    }
}
