using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// Greedy tiny-t5 generation: <see cref="Seq2SeqLanguageModel.GenerateIds(string, GenerationOptions?)"/> versus a plain ONNX
/// Runtime loop over the same two files (encoder once, merged decoder with use_cache_branch, decoder pasts fed back,
/// cross-attention pasts kept from the first call), both on one intra-op thread (the library's default for a model
/// this small). Checks that both produce the same ids, then times alternating rounds and reports tokens/s (decoder calls,
/// eos included) and the raw loop's encoder and decoder time. A Stopwatch command, not a BenchmarkDotNet job.
/// </summary>
internal static class Seq2SeqSpeed
{
    private const int MaxNewTokens = 32;

    public static void Run(int rounds, int sentences)
    {
        var dir = BenchmarkAssets.Model("tiny-t5");
        var inputs = File.ReadLines(BenchmarkAssets.Data("sst2", "dev.tsv")).Skip(1).Take(sentences)
            .Select(l => "summarize: " + l.Split('\t')[0].Trim()).ToArray();
        var greedy = new GenerationOptions { MaxNewTokens = MaxNewTokens, DoSample = false };
        using var model = Seq2SeqLanguageModel.FromDirectory(dir, new Seq2SeqLanguageModelOptions { IntraOpNumThreads = 1 });
        using var raw = new RawLoop(dir);

        int calls = 0;
        foreach (var input in inputs)
        {
            var ids = model.GenerateIds(input, greedy);
            var (rawIds, _, _) = raw.Generate(model.Tokenizer.Encode(input).Ids);
            var expected = rawIds[^1] == 1 ? rawIds[..^1] : rawIds;
            if (!ids.SequenceEqual(expected))
                throw new InvalidOperationException($"The library and the raw loop differ on '{input}'.");
            calls += rawIds.Length;
        }
        Console.WriteLine($"tiny-t5, {inputs.Length} SST-2 dev sentences, greedy, max {MaxNewTokens} new tokens: identical ids, {calls} decoder calls per round.");

        double ours = 0, rawTime = 0, encoder = 0, decoder = 0, batched = 0;
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var input in inputs) model.GenerateIds(input, greedy);
            ours += clock.Elapsed.TotalSeconds;

            clock.Restart();
            foreach (var input in inputs)
            {
                var (_, e, d) = raw.Generate(model.Tokenizer.Encode(input).Ids);
                encoder += e;
                decoder += d;
            }
            rawTime += clock.Elapsed.TotalSeconds;

            clock.Restart();
            model.GenerateIds(inputs, greedy);
            batched += clock.Elapsed.TotalSeconds;
        }
        double total = (double)calls * rounds;
        Console.WriteLine($"Seq2SeqLanguageModel.GenerateIds, one input at a time: {total / ours,8:F0} tokens/s");
        Console.WriteLine($"Raw ONNX Runtime loop, one input at a time:         {total / rawTime,8:F0} tokens/s  (library / raw = {rawTime / ours:F2}x)");
        Console.WriteLine($"  raw loop time: encoder {100 * encoder / (encoder + decoder):F1} %, decoder {100 * decoder / (encoder + decoder):F1} % " +
                          $"({1000 * encoder / (rounds * inputs.Length):F2} ms per encoder run, {1000 * decoder / total:F2} ms per decoder call)");
        Console.WriteLine($"Seq2SeqLanguageModel.GenerateIds, all {inputs.Length} in one batch:  {total / batched,8:F0} tokens/s (rows decoded together; a batch runs until its longest row ends)");
    }

    /// <summary>The generation loop written directly against ONNX Runtime, as SOURCE.md describes it.</summary>
    private sealed class RawLoop : IDisposable
    {
        private const int Layers = 2, Heads = 4, HeadDim = 16;
        private readonly InferenceSession _encoder, _decoder;
        private readonly string[] _decoderInputs, _decoderOutputs;

        public RawLoop(string dir)
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            _encoder = new InferenceSession(Path.Combine(dir, "onnx", "encoder_model.onnx"), options);
            _decoder = new InferenceSession(Path.Combine(dir, "onnx", "decoder_model_merged.onnx"), options);
            string[] kinds = ["decoder.key", "decoder.value", "encoder.key", "encoder.value"];
            var pasts = Enumerable.Range(0, Layers).SelectMany(i => kinds.Select(k => $"{i}.{k}")).ToArray();
            _decoderInputs = ["encoder_attention_mask", "input_ids", "encoder_hidden_states", "use_cache_branch", .. pasts.Select(p => "past_key_values." + p)];
            _decoderOutputs = ["logits", .. pasts.Select(p => "present." + p)];
        }

        /// <summary>Greedy ids (eos included when reached), and seconds spent in the encoder and in the decoder.</summary>
        public (int[] Ids, double Encoder, double Decoder) Generate(int[] inputIds)
        {
            var clock = Stopwatch.StartNew();
            using var ids = OrtValue.CreateTensorValueFromMemory(inputIds.Select(i => (long)i).ToArray(), [1, inputIds.Length]);
            using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, inputIds.Length).ToArray(), [1, inputIds.Length]);
            using var encoded = _encoder.Run(new RunOptions(), ["input_ids", "attention_mask"], [ids, mask], ["last_hidden_state"]);
            double encoderTime = clock.Elapsed.TotalSeconds;

            clock.Restart();
            var empty = Enumerable.Range(0, 4 * Layers)
                .Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, Heads, 0, HeadDim])).ToArray();
            var token = new long[1];
            using var tokenValue = OrtValue.CreateTensorValueFromMemory(token, [1, 1]);
            using var noCache = OrtValue.CreateTensorValueFromMemory(new[] { false }, [1]);
            using var withCache = OrtValue.CreateTensorValueFromMemory(new[] { true }, [1]);
            IDisposableReadOnlyCollection<OrtValue>? first = null, last = null;
            var result = new List<int>();
            var inputs = new OrtValue[_decoderInputs.Length];
            while (result.Count < MaxNewTokens)
            {
                (inputs[0], inputs[1], inputs[2], inputs[3]) = (mask, tokenValue, encoded[0], first is null ? noCache : withCache);
                for (int i = 0; i < 4 * Layers; i++) inputs[4 + i] = first is null ? empty[i] : (i % 4 < 2 ? last! : first)[1 + i];
                var outputs = _decoder.Run(new RunOptions(), _decoderInputs, inputs, _decoderOutputs);
                int next = TensorPrimitives.IndexOfMax(outputs[0].GetTensorDataAsSpan<float>());
                if (last is not null && last != first) last.Dispose();
                first ??= outputs;
                last = outputs;
                result.Add(next);
                token[0] = next;
                if (next == 1) break;
            }
            if (last != first) last?.Dispose();
            first?.Dispose();
            foreach (var value in empty) value.Dispose();
            return ([.. result], encoderTime, clock.Elapsed.TotalSeconds);
        }

        public void Dispose()
        {
            _encoder.Dispose();
            _decoder.Dispose();
        }
    }
}
