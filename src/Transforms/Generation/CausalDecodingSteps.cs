namespace MlNetLlm.Generation;

/// <summary>
/// Decoder-only steps: prompts are left-padded (attention mask 0, position ids counted from the first real token) and
/// prefilled in one forward pass, then one token per row per step goes through the KV cache.
/// </summary>
internal sealed class CausalDecodingSteps : IDecodingSteps
{
    private readonly DecoderSession _decoder;
    private readonly int _contextLength;
    private readonly int _paddingId;
    private readonly int[][] _prompts;
    private readonly int _promptLength;
    private readonly KvCache _cache;
    private readonly long[] _ids;
    private readonly long[] _positions;
    private readonly long[] _mask;

    /// <param name="decoder">The decoder session.</param>
    /// <param name="contextLength">The model's context length.</param>
    /// <param name="paddingId">The id fed at left-padded positions (masked out).</param>
    /// <param name="prompts">The prompts' ids, already fitted to leave room for the new tokens.</param>
    /// <param name="maxNewTokens">The most tokens any row may add, to size the KV cache once.</param>
    public CausalDecodingSteps(DecoderSession decoder, int contextLength, int paddingId, int[][] prompts, int maxNewTokens)
    {
        _decoder = decoder;
        _contextLength = contextLength;
        _paddingId = paddingId;
        _prompts = prompts;
        _promptLength = prompts.Max(p => p.Length);
        _cache = decoder.CreateCache(prompts.Length, (int)Math.Min(contextLength, (long)_promptLength + maxNewTokens));
        _ids = new long[prompts.Length * _promptLength];
        _positions = new long[prompts.Length * _promptLength];
        _mask = new long[prompts.Length * contextLength];
    }

    public int VocabularySize => _decoder.VocabularySize;

    public bool HasRoom => _cache.Length + NextLength <= _contextLength;

    private int NextLength => _cache.Length == 0 ? _promptLength : 1;

    public ReadOnlySpan<float> Step(ReadOnlySpan<int> lastTokens, out int positions)
    {
        int batch = _prompts.Length, seq = NextLength, total = _cache.Length + seq;
        for (int r = 0; r < batch; r++)
        {
            int padding = _promptLength - _prompts[r].Length;
            for (int j = 0; j < seq; j++)
            {
                int position = _cache.Length + j - padding;
                _ids[r * seq + j] = position < 0 ? _paddingId : seq == 1 && _cache.Length > 0 ? lastTokens[r] : _prompts[r][position];
                // Padding gets position 1, as transformers.js derives it from the mask (masked out either way).
                _positions[r * seq + j] = position < 0 ? 1 : position;
            }
            for (int j = 0; j < total; j++) _mask[r * total + j] = j < padding ? 0 : 1;
        }
        positions = seq;
        return _decoder.Forward(_cache, _ids.AsMemory(0, batch * seq), _mask.AsMemory(0, batch * total), _positions.AsMemory(0, batch * seq), seq);
    }

    public void Dispose() => _cache.Dispose();
}
