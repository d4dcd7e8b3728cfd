using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetLlm.Generation;
using MlNetLlm.Onnx;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// 256 greedy tokens from BOS with stories260k: <see cref="CausalLanguageModel.GenerateIds(string, GenerationOptions?)"/>
/// and streaming versus a plain ONNX Runtime loop that feeds the present key/values back as the next past, both with
/// one intra-op thread (the library's default for a model this small) and with two (ONNX Runtime's default on 2 cores).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class GenerationBenchmarks
{
    private const int Tokens = 256;
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = Tokens, DoSample = false };
    private CausalLanguageModel _model = null!;
    private InferenceSession _session = null!;

    /// <summary>ONNX Runtime intra-op threads, for both the library and the raw loop.</summary>
    [Params(1, 2)]
    public int IntraOpThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dir = BenchmarkAssets.Model("stories260k");
        _model = CausalLanguageModel.FromDirectory(dir, new CausalLanguageModelOptions { IntraOpNumThreads = IntraOpThreads });
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = IntraOpThreads };
        _session = new InferenceSession(Path.Combine(dir, "model.onnx"), sessionOptions);
        var ids = _model.GenerateIds("", Greedy);
        if (ids.Count != Tokens || !ids.SequenceEqual(RawOnnxRuntimeLoop()))
            throw new InvalidOperationException("The library and the raw loop must produce the same 256 tokens.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Raw ONNX Runtime loop with KV cache")]
    public int[] RawOnnxRuntimeLoop()
    {
        const int layers = 5, vocabulary = 512;
        var inputNames = new List<string> { "input_ids", "attention_mask", "position_ids" };
        var outputNames = new List<string> { "logits" };
        for (int i = 0; i < layers; i++)
        {
            inputNames.AddRange([$"past_key_values.{i}.key", $"past_key_values.{i}.value"]);
            outputNames.AddRange([$"present.{i}.key", $"present.{i}.value"]);
        }
        var past = Enumerable.Range(0, 2 * layers)
            .Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, 4, 0, 8])).ToList();
        IDisposableReadOnlyCollection<OrtValue>? outputs = null;
        var result = new int[Tokens];
        long token = 1;
        using var runOptions = new RunOptions();
        for (int step = 0; step < Tokens; step++)
        {
            var mask = new long[step + 1];
            Array.Fill(mask, 1L);
            using var ids = OrtValue.CreateTensorValueFromMemory(new[] { token }, [1, 1]);
            using var attention = OrtValue.CreateTensorValueFromMemory(mask, [1, step + 1]);
            using var positions = OrtValue.CreateTensorValueFromMemory(new long[] { step }, [1, 1]);
            var next = _session.Run(runOptions, inputNames, [ids, attention, positions, .. past], outputNames);
            var logits = next[0].GetTensorDataAsSpan<float>();
            int best = 0;
            for (int v = 1; v < vocabulary; v++) if (logits[v] > logits[best]) best = v;
            result[step] = best;
            token = best;
            if (outputs is null) foreach (var p in past) p.Dispose();
            outputs?.Dispose();
            outputs = next;
            past = next.Skip(1).ToList();
        }
        outputs?.Dispose();
        return result;
    }

    [Benchmark(Description = "CausalLanguageModel.GenerateIds")]
    public IReadOnlyList<int> GenerateIds() => _model.GenerateIds("", Greedy);

    [Benchmark(Description = "CausalLanguageModel.GenerateStreamingAsync")]
    public async Task<int> GenerateStreaming()
    {
        int length = 0;
        await foreach (var piece in _model.GenerateStreamingAsync("", Greedy)) length += piece.Length;
        return length;
    }
}

/// <summary>
/// Latency of one greedy decode step after <see cref="Step"/> tokens are in the KV cache (stories260k, from BOS): each
/// iteration prepares a fresh generation up to that step, then times the next step alone.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 60)]
public class TokenLatencyBenchmarks
{
    private const int ContextLength = 512;
    private PretrainedTokenizer _tokenizer = null!;
    private DecoderSession _decoder = null!;
    private SamplingSettings _settings = null!;
    private GenerationSession _run = null!;

    [Params(10, 250)]
    public int Step { get; set; }

    /// <summary>ONNX Runtime intra-op threads.</summary>
    [Params(1, 2)]
    public int IntraOpThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dir = BenchmarkAssets.Model("stories260k");
        var config = ModelConfig.Load(dir);
        _tokenizer = PretrainedTokenizer.FromDirectory(dir);
        _decoder = DecoderSession.Open(Path.Combine(dir, "model.onnx"), config,
            new OnnxDeviceSettings(null, true, IntraOpThreads, null));
        _settings = SamplingSettings.Resolve(new GenerationOptions { MaxNewTokens = 500 }, config, ContextLength);
    }

    [IterationSetup]
    public void PrepareRun()
    {
        // No eos ids: the run must not stop before the measured step.
        _run = new GenerationSession(_tokenizer, new HashSet<int>(), _settings, trackText: true,
            _ => (new CausalDecodingSteps(_decoder, ContextLength, 0, [[1]], 500), [([1], 500, 1)]), [[1]]);
        for (int i = 0; i < Step; i++) _run.Step();
    }

    [IterationCleanup]
    public void DisposeRun() => _run.Dispose();

    [Benchmark(Description = "One greedy decode step")]
    public bool DecodeStep() => _run.Step();

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();
}
