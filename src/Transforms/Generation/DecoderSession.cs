using Microsoft.ML.OnnxRuntime;
using MlNetLlm.Onnx;

namespace MlNetLlm.Generation;

/// <summary>
/// The ONNX decoder of a causal language model (Optimum / transformers.js layout): <c>input_ids</c>, <c>attention_mask</c>,
/// optional <c>position_ids</c> and <c>use_cache_branch</c> (merged decoders), and <c>past_key_values.{i}.key/.value</c> in; <c>logits</c> and <c>present.{i}.key/.value</c> out.
/// One session, shared by every caller; all per-call state lives in a <see cref="KvCache"/>.
/// </summary>
internal sealed class DecoderSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _logitsName;
    private readonly string[] _presentNames;
    /// <summary>The inputs in the order <see cref="Forward"/> fills them: ids, mask, position ids and cache branch when the graph has them, the pasts.</summary>
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasPositionIds;
    private readonly bool _hasCacheBranch;
    private readonly UsageGate _gate;

    private DecoderSession(InferenceSession session, string modelPath, string device, ModelConfig config)
    {
        _session = session;
        ModelPath = modelPath;
        Device = device;
        _gate = new UsageGate(modelPath);
        OnnxSignature.RequireInputs(session, modelPath, "input_ids", "attention_mask", "past_key_values.0.key", "past_key_values.0.value");
        OnnxSignature.RequireShape(session.InputMetadata, modelPath, "input_ids", typeof(long), 2);
        OnnxSignature.RequireShape(session.InputMetadata, modelPath, "past_key_values.0.key", typeof(float), 4);
        var logits = OnnxSignature.RequireOutput(session, modelPath, "logits");
        OnnxSignature.RequireShape(session.OutputMetadata, modelPath, logits, typeof(float), 3);

        Layers = Enumerable.Range(0, int.MaxValue).TakeWhile(i => session.InputMetadata.ContainsKey($"past_key_values.{i}.key")).Count();
        var pastNames = Enumerable.Range(0, Layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" }).ToArray();
        OnnxSignature.RequireInputs(session, modelPath, pastNames);
        _presentNames = pastNames.Select(p =>
        {
            var suffix = p["past_key_values.".Length..];
            return OnnxSignature.RequireOutput(session, modelPath, "present." + suffix, "present_key_values." + suffix);
        }).ToArray();
        _logitsName = logits;
        _inputNames = ["input_ids", "attention_mask", .. session.InputMetadata.Keys.Where(k => k is "position_ids" or "use_cache_branch")
            .OrderBy(k => k == "use_cache_branch"), .. pastNames];
        _outputNames = [logits, .. _presentNames];

        _hasPositionIds = session.InputMetadata.ContainsKey("position_ids");
        _hasCacheBranch = session.InputMetadata.ContainsKey("use_cache_branch");

        var kv = session.InputMetadata["past_key_values.0.key"].Dimensions;
        KeyValueHeads = kv[1] > 0 ? kv[1] : config.KeyValueHeads ?? throw Missing("the number of key/value heads", "num_key_value_heads");
        HeadDim = kv[3] > 0 ? kv[3] : config.HeadDim ?? throw Missing("the head size", "head_dim");
        var vocab = session.OutputMetadata[logits].Dimensions;
        VocabularySize = vocab.Length == 3 && vocab[2] > 0 ? vocab[2] : config.VocabularySize ?? throw Missing("the vocabulary size", "vocab_size");

        InvalidDataException Missing(string what, string key) =>
            new($"ONNX model '{modelPath}' does not fix {what} and config.json has no '{key}'.");
    }

    public string ModelPath { get; }

    /// <summary>Where the session runs ("CPU" or "CUDA:n").</summary>
    public string Device { get; }

    public int Layers { get; }

    public int KeyValueHeads { get; }

    public int HeadDim { get; }

    public int VocabularySize { get; }

    /// <summary>Opens <paramref name="modelPath"/> and checks that it is a decoder with a KV cache.</summary>
    public static DecoderSession Open(string modelPath, ModelConfig config, OnnxDeviceSettings settings)
    {
        var session = OnnxSessionFactory.Create(modelPath, settings, out var device);
        try
        {
            return new DecoderSession(session, modelPath, device, config);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>An empty cache for <paramref name="batch"/> rows that will hold at most <paramref name="expectedLength"/> tokens per row (0: unknown).</summary>
    public KvCache CreateCache(int batch, int expectedLength = 0) => new(batch, 2 * Layers, KeyValueHeads, HeadDim, expectedLength);

    /// <summary>
    /// Runs <paramref name="sequenceLength"/> new tokens per row through the model and appends them to <paramref name="cache"/>.
    /// <paramref name="attentionMask"/> covers past and new tokens ([batch, cache.Length + sequenceLength]).
    /// Returns the logits [batch, sequenceLength, vocabulary], valid until the cache changes again.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed (or is being disposed).</exception>
    public ReadOnlySpan<float> Forward(KvCache cache, Memory<long> inputIds, Memory<long> attentionMask, Memory<long> positionIds, int sequenceLength)
    {
        using var lease = _gate.Enter();
        long batch = cache.Batch;
        if (batch * sequenceLength * VocabularySize > Array.MaxLength)
            throw new InvalidOperationException($"The logits of {batch} rows × {sequenceLength} tokens × {VocabularySize} vocabulary entries do not fit in one array; pass fewer or shorter prompts.");
        using var ids = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputIds, [batch, sequenceLength]);
        using var mask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, attentionMask, [batch, cache.Length + sequenceLength]);
        using var positions = _hasPositionIds
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, positionIds, [batch, sequenceLength])
            : null;
        // Optimum's merged decoders choose their with-past branch with this flag.
        using var cacheBranch = _hasCacheBranch ? OrtValue.CreateTensorValueFromMemory(new[] { cache.Length > 0 }, [1]) : null;
        var (past, presents) = cache.Prepare(sequenceLength);
        var inputs = new OrtValue[_inputNames.Length];
        int k = 0;
        inputs[k++] = ids;
        inputs[k++] = mask;
        if (positions is not null) inputs[k++] = positions;
        if (cacheBranch is not null) inputs[k++] = cacheBranch;
        past.CopyTo(inputs, k);
        if (sequenceLength == 1)
        {
            // A decode step: every output goes into a buffer the cache owns (the logits are one row per sequence), through
            // the Run overload that takes the output values and looks the names up once per session.
            var outputs = new OrtValue[_outputNames.Length];
            outputs[0] = cache.StepLogits(VocabularySize);
            presents.CopyTo(outputs, 1);
            _session.Run(_runOptions, _inputNames, inputs, _outputNames, outputs);
            return cache.AdvanceOneToken();
        }
        // A prompt, through an IOBinding: ONNX Runtime writes the presents into buffers the cache owns and allocates the
        // logits (one row per position) itself, so the export's final Reshape hands them over without a copy.
        using var binding = _session.CreateIoBinding();
        for (int i = 0; i < inputs.Length; i++) binding.BindInput(_inputNames[i], inputs[i]);
        binding.BindOutputToDevice(_logitsName, OrtMemoryInfo.DefaultInstance);
        for (int i = 0; i < presents.Length; i++) binding.BindOutput(_presentNames[i], presents[i]);
        _session.RunWithBinding(_runOptions, binding);
        return cache.Advance(sequenceLength, binding.GetOutputValues());
    }

    /// <summary>Waits for the forward passes in flight, then releases the session; later passes throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (!_gate.Close()) return;
        _session.Dispose();
        _runOptions.Dispose();
    }
}
