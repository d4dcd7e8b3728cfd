using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetLlm.Onnx;

namespace MlNetLlm.Generation;

/// <summary>
/// The two ONNX sessions of an encoder-decoder model in the Optimum / transformers.js layout.
/// Encoder: <c>input_ids</c>, <c>attention_mask</c> in; <c>last_hidden_state</c> out.
/// Merged decoder (an If node on <c>use_cache_branch</c>): <c>encoder_attention_mask</c>, <c>input_ids</c>,
/// <c>encoder_hidden_states</c>, <c>past_key_values.{i}.decoder/encoder.key/value</c> and <c>use_cache_branch</c> in;
/// <c>logits</c> and <c>present.{i}.decoder/encoder.key/value</c> out. Shared by every caller; per-call state lives in
/// <see cref="Seq2SeqDecodingSteps"/>.
/// </summary>
internal sealed class EncoderDecoderSession : IDisposable
{
    private static readonly string[] PastKinds = ["decoder.key", "decoder.value", "encoder.key", "encoder.value"];

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _decoder;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _encoderInputs = ["input_ids", "attention_mask"];
    private readonly string[] _encoderOutputs = ["last_hidden_state"];
    private readonly string[] _decoderInputs;
    private readonly string[] _decoderOutputs;

    private EncoderDecoderSession(InferenceSession encoder, InferenceSession decoder, string encoderPath, string decoderPath, string device, int? configHiddenSize, int? configVocabulary)
    {
        _encoder = encoder;
        _decoder = decoder;
        EncoderPath = encoderPath;
        DecoderPath = decoderPath;
        Device = device;

        OnnxSignature.RequireInputs(encoder, encoderPath, _encoderInputs);
        foreach (var name in _encoderInputs) OnnxSignature.RequireShape(encoder.InputMetadata, encoderPath, name, typeof(long), 2);
        OnnxSignature.RequireOutput(encoder, encoderPath, _encoderOutputs);
        OnnxSignature.RequireShape(encoder.OutputMetadata, encoderPath, _encoderOutputs[0], typeof(float), 3);

        OnnxSignature.RequireInputs(decoder, decoderPath, "encoder_attention_mask", "input_ids", "encoder_hidden_states", "past_key_values.0.decoder.key", "use_cache_branch");
        OnnxSignature.RequireShape(decoder.InputMetadata, decoderPath, "input_ids", typeof(long), 2);
        OnnxSignature.RequireShape(decoder.InputMetadata, decoderPath, "encoder_hidden_states", typeof(float), 3);
        OnnxSignature.RequireShape(decoder.InputMetadata, decoderPath, "past_key_values.0.decoder.key", typeof(float), 4);
        Layers = Enumerable.Range(0, int.MaxValue).TakeWhile(i => decoder.InputMetadata.ContainsKey($"past_key_values.{i}.decoder.key")).Count();
        var pasts = Enumerable.Range(0, Layers).SelectMany(i => PastKinds.Select(k => $"past_key_values.{i}.{k}")).ToArray();
        OnnxSignature.RequireInputs(decoder, decoderPath, pasts);
        _decoderInputs = ["encoder_attention_mask", "input_ids", "encoder_hidden_states", "use_cache_branch", .. pasts];
        var unexpected = decoder.InputMetadata.Keys.Except(_decoderInputs).ToArray();
        if (unexpected.Length > 0)
            throw new InvalidDataException(
                $"ONNX model '{decoderPath}' has input(s) [{string.Join(", ", unexpected)}] a seq2seq decoder is not fed; " +
                $"expected only [{string.Join(", ", _decoderInputs)}].");
        _decoderOutputs = [OnnxSignature.RequireOutput(decoder, decoderPath, "logits"),
            .. pasts.Select(p => OnnxSignature.RequireOutput(decoder, decoderPath, "present." + p["past_key_values.".Length..]))];
        OnnxSignature.RequireShape(decoder.OutputMetadata, decoderPath, "logits", typeof(float), 3);

        // The decoder attends to the encoder's states: their widths must agree.
        int? encoderWidth = Fixed(encoder.OutputMetadata[_encoderOutputs[0]].Dimensions[2]);
        int? decoderWidth = Fixed(decoder.InputMetadata["encoder_hidden_states"].Dimensions[2]);
        if (encoderWidth is int e && decoderWidth is int d && e != d)
            throw new InvalidDataException(
                $"ONNX model '{decoderPath}' expects encoder_hidden_states of width {d}, but the encoder '{encoderPath}' " +
                $"outputs last_hidden_state of width {e}; the two files are not from the same model.");
        HiddenSize = encoderWidth ?? decoderWidth ?? configHiddenSize
            ?? throw new InvalidDataException($"Neither '{encoderPath}' nor config.json (d_model) gives the hidden size.");

        var kv = decoder.InputMetadata["past_key_values.0.decoder.key"].Dimensions;
        Heads = Fixed(kv[1]) ?? throw new InvalidDataException($"ONNX model '{decoderPath}' does not fix the number of heads of past_key_values.0.decoder.key.");
        HeadDim = Fixed(kv[3]) ?? throw new InvalidDataException($"ONNX model '{decoderPath}' does not fix the head size of past_key_values.0.decoder.key.");
        VocabularySize = Fixed(decoder.OutputMetadata["logits"].Dimensions[2]) ?? configVocabulary
            ?? throw new InvalidDataException($"ONNX model '{decoderPath}' does not fix the vocabulary size and config.json has no 'vocab_size'.");
    }

    public string EncoderPath { get; }

    public string DecoderPath { get; }

    /// <summary>Where the sessions run ("CPU" or "CUDA:n").</summary>
    public string Device { get; }

    /// <summary>Decoder layers (each with four past tensors).</summary>
    public int Layers { get; }

    public int Heads { get; }

    public int HeadDim { get; }

    /// <summary>Width of the encoder's hidden states.</summary>
    public int HiddenSize { get; }

    public int VocabularySize { get; }

    /// <summary>Opens both files and checks that they form one encoder-decoder model.</summary>
    public static EncoderDecoderSession Open(string encoderPath, string decoderPath, ModelConfig config, int? hiddenSize, OnnxDeviceSettings settings)
    {
        var encoder = OnnxSessionFactory.Create(encoderPath, settings, out var device);
        InferenceSession? decoder = null;
        try
        {
            decoder = OnnxSessionFactory.Create(decoderPath, settings, out _);
            return new EncoderDecoderSession(encoder, decoder, encoderPath, decoderPath, device, hiddenSize, config.VocabularySize);
        }
        catch
        {
            encoder.Dispose();
            decoder?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the encoder on right-padded ids [batch, length]; the result's first value is <c>last_hidden_state</c> [batch, length, hidden].</summary>
    public IDisposableReadOnlyCollection<OrtValue> Encode(OrtValue inputIds, OrtValue attentionMask) =>
        _encoder.Run(_runOptions, _encoderInputs, [inputIds, attentionMask], _encoderOutputs);

    /// <summary>
    /// Runs the decoder. <paramref name="pasts"/> holds the <c>4 × Layers</c> past tensors in the order layer 0 decoder.key,
    /// decoder.value, encoder.key, encoder.value, layer 1 …; the result is <c>logits</c> followed by the presents in the same order.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Decode(OrtValue encoderMask, OrtValue inputIds, OrtValue encoderStates, bool useCacheBranch, ReadOnlySpan<OrtValue> pasts)
    {
        using var branch = OrtValue.CreateTensorValueFromMemory(new[] { useCacheBranch }, [1]);
        var inputs = new OrtValue[_decoderInputs.Length];
        (inputs[0], inputs[1], inputs[2], inputs[3]) = (encoderMask, inputIds, encoderStates, branch);
        pasts.CopyTo(inputs.AsSpan(4));
        return _decoder.Run(_runOptions, _decoderInputs, inputs, _decoderOutputs);
    }

    /// <summary>An empty past tensor [batch, heads, 0, head size], what the first decoder call is fed.</summary>
    public OrtValue EmptyPast(int batch) =>
        OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, Heads, 0, HeadDim]);

    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
        _runOptions.Dispose();
    }

    private static int? Fixed(long dimension) => dimension > 0 ? (int)dimension : null;
}
