using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Generation;

/// <summary>
/// Encoder-decoder steps, as the model was exported: the encoder runs once on the right-padded inputs; the first decoder
/// call feeds the decoder start token with empty pasts (<c>use_cache_branch</c> false) and returns both caches; each later
/// call feeds one token per row with the decoder pasts of the previous call and the encoder (cross-attention) pasts of the
/// first call. The with-past branch returns empty placeholder <c>present.*.encoder.*</c> tensors, which are never used.
/// </summary>
internal sealed class Seq2SeqDecodingSteps : IDecodingSteps
{
    private readonly EncoderDecoderSession _session;
    private readonly int _batch;
    private readonly int _decoderStartTokenId;
    private readonly OrtValue _encoderIds, _encoderMask, _decoderIds;
    private readonly long[] _decoderIdBuffer;
    private readonly IDisposableReadOnlyCollection<OrtValue> _encoded;
    private readonly OrtValue[] _empty;
    private readonly OrtValue[] _pasts;
    private IDisposableReadOnlyCollection<OrtValue>? _first, _last;

    /// <summary>Runs the encoder on <paramref name="inputs"/> (token ids per row), right-padded with <paramref name="paddingId"/>.</summary>
    public Seq2SeqDecodingSteps(EncoderDecoderSession session, int[][] inputs, int decoderStartTokenId, int paddingId)
    {
        _session = session;
        _batch = inputs.Length;
        _decoderStartTokenId = decoderStartTokenId;
        int length = inputs.Max(i => i.Length);
        var ids = new long[_batch * length];
        var mask = new long[_batch * length];
        for (int r = 0; r < _batch; r++)
            for (int j = 0; j < length; j++)
            {
                bool real = j < inputs[r].Length;
                ids[r * length + j] = real ? inputs[r][j] : paddingId;
                mask[r * length + j] = real ? 1 : 0;
            }
        _encoderIds = OrtValue.CreateTensorValueFromMemory(ids, [_batch, length]);
        _encoderMask = OrtValue.CreateTensorValueFromMemory(mask, [_batch, length]);
        _decoderIdBuffer = new long[_batch];
        _decoderIds = OrtValue.CreateTensorValueFromMemory(_decoderIdBuffer, [_batch, 1]);
        _empty = Enumerable.Range(0, 4 * session.Layers).Select(_ => session.EmptyPast(_batch)).ToArray();
        _pasts = new OrtValue[_empty.Length];
        try
        {
            _encoded = session.Encode(_encoderIds, _encoderMask);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int VocabularySize => _session.VocabularySize;

    /// <summary>Always true: the decoder's length is bounded by MaxNewTokens, checked against the model's limit up front.</summary>
    public bool HasRoom => true;

    /// <summary>The encoder's <c>last_hidden_state</c> [batch, input length, hidden].</summary>
    public ReadOnlySpan<float> EncoderStates => _encoded[0].GetTensorDataAsSpan<float>();

    public ReadOnlySpan<float> Step(ReadOnlySpan<int> lastTokens, out int positions)
    {
        bool first = _first is null;
        for (int r = 0; r < _batch; r++) _decoderIdBuffer[r] = first ? _decoderStartTokenId : lastTokens[r];
        for (int i = 0; i < _pasts.Length; i++)
            // Per layer: decoder.key, decoder.value from the last call; encoder.key, encoder.value from the first.
            _pasts[i] = first ? _empty[i]
                : i % 4 < 2 ? _last![_session.PresentIndex(useCacheBranch: _last != _first, i)]
                : _first![1 + i];
        var outputs = _session.Decode(_encoderMask, _decoderIds, _encoded[0], useCacheBranch: !first, _pasts);
        var previous = _last;
        _last = outputs;
        _first ??= outputs;
        if (previous is not null && previous != _first) previous.Dispose();
        positions = 1;
        return outputs[0].GetTensorDataAsSpan<float>();
    }

    /// <summary>
    /// One decoder call over whole decoder sequences <paramref name="decoderIds"/> [batch, <paramref name="length"/>] with
    /// empty pasts (teacher forcing, for scoring); the result's first value is the logits [batch, length, vocabulary].
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Forward(long[] decoderIds, int length)
    {
        using var ids = OrtValue.CreateTensorValueFromMemory(decoderIds, [_batch, length]);
        return _session.Decode(_encoderMask, ids, _encoded[0], useCacheBranch: false, _empty);
    }

    public void Dispose()
    {
        if (_last != _first) _last?.Dispose();
        _first?.Dispose();
        _encoded?.Dispose();
        foreach (var value in _empty) value.Dispose();
        _encoderIds.Dispose();
        _encoderMask.Dispose();
        _decoderIds.Dispose();
    }
}
