using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetLlm.Onnx;

namespace MlNetLlm.Generation;

/// <summary>
/// The ONNX sessions of an encoder-decoder model in the Optimum / transformers.js layout.
/// Encoder: <c>input_ids</c>, <c>attention_mask</c> in; <c>last_hidden_state</c> out.
/// Merged decoder (an If node on <c>use_cache_branch</c>): <c>encoder_attention_mask</c>, <c>input_ids</c>,
/// <c>encoder_hidden_states</c>, <c>past_key_values.{i}.decoder/encoder.key/value</c> and <c>use_cache_branch</c> in;
/// <c>logits</c> and <c>present.{i}.decoder/encoder.key/value</c> out. Or the older non-merged pair: the same decoder
/// without pasts and <c>use_cache_branch</c> for the first call, and a with-past decoder (no <c>encoder_hidden_states</c>,
/// only the decoder presents out) for the later ones. Shared by every caller; per-call state lives in <see cref="Seq2SeqDecodingSteps"/>.
/// </summary>
internal sealed class EncoderDecoderSession : IDisposable
{
    private static readonly string[] PastKinds = ["decoder.key", "decoder.value", "encoder.key", "encoder.value"];

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _decoder;
    private readonly InferenceSession? _withPast;
    private readonly RunOptions _runOptions = new();
    private readonly UsageGate _gate;
    private readonly string[] _encoderInputs = ["input_ids", "attention_mask"];
    private readonly string[] _encoderOutputs = ["last_hidden_state"];
    private readonly string[] _decoderInputs, _decoderOutputs;
    private readonly string[] _withPastInputs = [], _withPastOutputs = [];

    private EncoderDecoderSession(InferenceSession encoder, InferenceSession decoder, InferenceSession? withPast, string encoderPath,
        string decoderPath, string? withPastPath, string device, int? configHiddenSize, int? configVocabulary)
    {
        _encoder = encoder;
        _decoder = decoder;
        _withPast = withPast;
        EncoderPath = encoderPath;
        DecoderPath = decoderPath;
        WithPastPath = withPastPath;
        Device = device;
        _gate = new UsageGate(decoderPath);

        OnnxSignature.RequireInputs(encoder, encoderPath, _encoderInputs);
        foreach (var name in _encoderInputs) OnnxSignature.RequireShape(encoder.InputMetadata, encoderPath, name, typeof(long), 2);
        OnnxSignature.RequireOutput(encoder, encoderPath, _encoderOutputs);
        OnnxSignature.RequireShape(encoder.OutputMetadata, encoderPath, _encoderOutputs[0], typeof(float), 3);

        // The session holding the pasts: the merged decoder, or the with-past one of a pair.
        var (pastSession, pastPath) = withPast is null ? (decoder, decoderPath) : (withPast, withPastPath!);
        OnnxSignature.RequireInputs(decoder, decoderPath, "encoder_attention_mask", "input_ids", "encoder_hidden_states");
        OnnxSignature.RequireInputs(pastSession, pastPath, "past_key_values.0.decoder.key");
        OnnxSignature.RequireShape(decoder.InputMetadata, decoderPath, "input_ids", typeof(long), 2);
        OnnxSignature.RequireShape(decoder.InputMetadata, decoderPath, "encoder_hidden_states", typeof(float), 3);
        OnnxSignature.RequireShape(pastSession.InputMetadata, pastPath, "past_key_values.0.decoder.key", typeof(float), 4);
        Layers = Enumerable.Range(0, int.MaxValue).TakeWhile(i => pastSession.InputMetadata.ContainsKey($"past_key_values.{i}.decoder.key")).Count();
        var pasts = Enumerable.Range(0, Layers).SelectMany(i => PastKinds.Select(k => $"{i}.{k}")).ToArray();
        string[] first = ["encoder_attention_mask", "input_ids", "encoder_hidden_states"];
        if (withPast is null)
        {
            _decoderInputs = [.. first, "use_cache_branch", .. pasts.Select(p => "past_key_values." + p)];
            _decoderOutputs = ["logits", .. pasts.Select(p => "present." + p)];
        }
        else
        {
            _decoderInputs = first;
            _decoderOutputs = ["logits", .. pasts.Select(p => "present." + p)];
            _withPastInputs = ["encoder_attention_mask", "input_ids", .. pasts.Select(p => "past_key_values." + p)];
            _withPastOutputs = ["logits", .. pasts.Where(p => p.Contains(".decoder.", StringComparison.Ordinal)).Select(p => "present." + p)];
            Check(withPast, withPastPath!, _withPastInputs, _withPastOutputs);
        }
        Check(decoder, decoderPath, _decoderInputs, _decoderOutputs);

        // The decoder attends to the encoder's states: their widths must agree.
        int? encoderWidth = Fixed(encoder.OutputMetadata[_encoderOutputs[0]].Dimensions[2]);
        int? decoderWidth = Fixed(decoder.InputMetadata["encoder_hidden_states"].Dimensions[2]);
        if (encoderWidth is int e && decoderWidth is int d && e != d)
            throw new InvalidDataException(
                $"ONNX model '{decoderPath}' expects encoder_hidden_states of width {d}, but the encoder '{encoderPath}' " +
                $"outputs last_hidden_state of width {e}; the two files are not from the same model.");
        HiddenSize = encoderWidth ?? decoderWidth ?? configHiddenSize
            ?? throw new InvalidDataException($"Neither '{encoderPath}' nor config.json (d_model) gives the hidden size.");

        var kv = pastSession.InputMetadata["past_key_values.0.decoder.key"].Dimensions;
        Heads = Fixed(kv[1]) ?? throw new InvalidDataException($"ONNX model '{pastPath}' does not fix the number of heads of past_key_values.0.decoder.key.");
        HeadDim = Fixed(kv[3]) ?? throw new InvalidDataException($"ONNX model '{pastPath}' does not fix the head size of past_key_values.0.decoder.key.");
        VocabularySize = Fixed(decoder.OutputMetadata["logits"].Dimensions[2]) ?? configVocabulary
            ?? throw new InvalidDataException($"ONNX model '{decoderPath}' does not fix the vocabulary size and config.json has no 'vocab_size'.");
    }

    /// <summary>Requires exactly <paramref name="inputs"/> and at least <paramref name="outputs"/>; logits float of rank 3.</summary>
    private static void Check(InferenceSession session, string path, string[] inputs, string[] outputs)
    {
        OnnxSignature.RequireInputs(session, path, inputs);
        var unexpected = session.InputMetadata.Keys.Except(inputs).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException(
                $"ONNX model '{path}' has input(s) [{string.Join(", ", unexpected)}] a seq2seq decoder is not fed; " +
                $"expected only [{string.Join(", ", inputs)}].");
        foreach (var output in outputs) OnnxSignature.RequireOutput(session, path, output);
        OnnxSignature.RequireShape(session.OutputMetadata, path, "logits", typeof(float), 3);
    }

    public string EncoderPath { get; }

    public string DecoderPath { get; }

    /// <summary>The with-past decoder of a non-merged pair, or null for a merged decoder.</summary>
    public string? WithPastPath { get; }

    /// <summary>Where the sessions run ("CPU" or "CUDA:n").</summary>
    public string Device { get; }

    /// <summary>Decoder layers (each with four past tensors).</summary>
    public int Layers { get; }

    public int Heads { get; }

    public int HeadDim { get; }

    /// <summary>Width of the encoder's hidden states.</summary>
    public int HiddenSize { get; }

    public int VocabularySize { get; }

    /// <summary>Opens the files (a merged decoder, or a pair when <paramref name="withPastPath"/> is given) and checks that they form one model.</summary>
    public static EncoderDecoderSession Open(string encoderPath, string decoderPath, string? withPastPath, ModelConfig config, int? hiddenSize, OnnxDeviceSettings settings)
    {
        var sessions = new List<InferenceSession>();
        try
        {
            sessions.Add(OnnxSessionFactory.Create(encoderPath, settings, out var device));
            sessions.Add(OnnxSessionFactory.Create(decoderPath, settings, out _));
            if (withPastPath is not null) sessions.Add(OnnxSessionFactory.Create(withPastPath, settings, out _));
            return new EncoderDecoderSession(sessions[0], sessions[1], sessions.ElementAtOrDefault(2), encoderPath, decoderPath, withPastPath,
                device, hiddenSize, config.VocabularySize);
        }
        catch
        {
            foreach (var session in sessions) session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the encoder on right-padded ids [batch, length]; the result's first value is <c>last_hidden_state</c> [batch, length, hidden].</summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed (or is being disposed).</exception>
    public IDisposableReadOnlyCollection<OrtValue> Encode(OrtValue inputIds, OrtValue attentionMask)
    {
        using var lease = _gate.Enter();
        return _encoder.Run(_runOptions, _encoderInputs, [inputIds, attentionMask], _encoderOutputs);
    }

    /// <summary>
    /// Runs the decoder. <paramref name="pasts"/> holds the <c>4 × Layers</c> past tensors in the order layer 0 decoder.key,
    /// decoder.value, encoder.key, encoder.value, layer 1 …; the result is <c>logits</c> followed by the presents in the same
    /// order, except a with-past decoder of a pair, which returns only the decoder presents (see <see cref="PresentIndex"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed (or is being disposed).</exception>
    public IDisposableReadOnlyCollection<OrtValue> Decode(OrtValue encoderMask, OrtValue inputIds, OrtValue encoderStates, bool useCacheBranch, ReadOnlySpan<OrtValue> pasts)
    {
        using var lease = _gate.Enter();
        if (_withPast is not null)
            return useCacheBranch
                ? _withPast.Run(_runOptions, _withPastInputs, [encoderMask, inputIds, .. pasts], _withPastOutputs)
                : _decoder.Run(_runOptions, _decoderInputs, [encoderMask, inputIds, encoderStates], _decoderOutputs);
        using var branch = OrtValue.CreateTensorValueFromMemory(new[] { useCacheBranch }, [1]);
        var inputs = new OrtValue[_decoderInputs.Length];
        (inputs[0], inputs[1], inputs[2], inputs[3]) = (encoderMask, inputIds, encoderStates, branch);
        pasts.CopyTo(inputs.AsSpan(4));
        return _decoder.Run(_runOptions, _decoderInputs, inputs, _decoderOutputs);
    }

    /// <summary>Where the present for past slot <paramref name="slot"/> (a decoder key or value) is in the outputs of a call made with <paramref name="useCacheBranch"/>.</summary>
    public int PresentIndex(bool useCacheBranch, int slot) =>
        _withPast is not null && useCacheBranch ? 1 + 2 * (slot / 4) + slot % 4 : 1 + slot;

    /// <summary>An empty past tensor [batch, heads, 0, head size], what the first decoder call is fed.</summary>
    public OrtValue EmptyPast(int batch) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, Heads, 0, HeadDim]);

    /// <summary>Waits for the runs in flight, then releases the sessions; later runs throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (!_gate.Close()) return;
        _encoder.Dispose();
        _decoder.Dispose();
        _withPast?.Dispose();
        _runOptions.Dispose();
    }

    private static int? Fixed(long dimension) => dimension > 0 ? (int)dimension : null;
}
