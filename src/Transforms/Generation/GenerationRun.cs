namespace MlNetLlm.Generation;

/// <summary>
/// One batched generation: prompts are left-padded (attention mask 0, position ids counted from the first real token),
/// prefilled in one forward pass, then decoded one token per step with the KV cache. Finished rows are skipped.
/// </summary>
internal sealed class GenerationRun : IDisposable
{
    private readonly DecoderSession _decoder;
    private readonly PretrainedTokenizer _tokenizer;
    private readonly IReadOnlySet<int> _eos;
    private readonly IReadOnlyList<string> _stops;
    private readonly int _contextLength;
    private readonly Row[] _rows;
    private readonly KvCache _cache;
    private readonly long[] _ids;
    private readonly long[] _positions;
    private readonly long[] _mask;
    private readonly int _promptLength;
    private readonly int _paddingId;

    public GenerationRun(DecoderSession decoder, PretrainedTokenizer tokenizer, IReadOnlySet<int> eos, int contextLength, int paddingId,
        SamplingSettings settings, IReadOnlyList<(int[] Prompt, int MaxNewTokens)> prompts)
    {
        _paddingId = paddingId;
        _decoder = decoder;
        _tokenizer = tokenizer;
        _eos = eos;
        _stops = settings.StopSequences;
        _contextLength = contextLength;
        _promptLength = prompts.Max(p => p.Prompt.Length);
        _rows = prompts.Select(p => new Row(p.Prompt, p.MaxNewTokens, _promptLength - p.Prompt.Length,
            new TokenSampler(settings, decoder.VocabularySize, p.Prompt))).ToArray();
        _cache = decoder.CreateCache(_rows.Length);
        _ids = new long[_rows.Length * _promptLength];
        _positions = new long[_rows.Length * _promptLength];
        _mask = new long[_rows.Length * contextLength];
    }

    /// <summary>The tokens generated so far for row <paramref name="row"/> (no eos).</summary>
    public IReadOnlyList<int> Ids(int row) => _rows[row].Generated;

    /// <summary>Runs one forward pass and appends one token to every unfinished row; false once every row has finished.</summary>
    public bool Step()
    {
        if (Array.TrueForAll(_rows, r => r.Done)) return false;
        int batch = _rows.Length;
        int seq = _cache.Length == 0 ? _promptLength : 1;
        int total = _cache.Length + seq;
        if (total > _contextLength)
        {
            foreach (var row in _rows.Where(r => !r.Done)) row.Done = row.ReachedLimit = true;
            return false;
        }
        for (int r = 0; r < batch; r++)
        {
            var row = _rows[r];
            for (int j = 0; j < seq; j++)
            {
                int position = _cache.Length + j - row.Padding;
                _ids[r * seq + j] = position < 0 ? _paddingId : seq == 1 ? row.Last : row.Prompt[position];
                // Padding gets position 1, as transformers.js derives it from the mask (masked out either way).
                _positions[r * seq + j] = position < 0 ? 1 : position;
            }
            for (int j = 0; j < total; j++) _mask[r * total + j] = j < row.Padding ? 0 : 1;
        }

        var logits = _decoder.Forward(_cache, _ids.AsMemory(0, batch * seq), _mask.AsMemory(0, batch * total), _positions.AsMemory(0, batch * seq), seq);
        int vocabulary = _decoder.VocabularySize;
        for (int r = 0; r < batch; r++)
        {
            var row = _rows[r];
            if (row.Done) continue;
            int token = row.Sampler.Next(logits.Slice((r * seq + seq - 1) * vocabulary, vocabulary));
            if (_eos.Contains(token))
            {
                row.Done = true;
                continue;
            }
            row.Generated.Add(token);
            row.Sampler.Observe(token);
            if (_stops.Count > 0 && StopIndex(Continuation(row)) >= 0) row.Done = true;
            else if (row.Generated.Count >= row.MaxNewTokens) row.Done = row.ReachedLimit = true;
        }
        return Array.Exists(_rows, r => !r.Done);
    }

    /// <summary>Token counts of row <paramref name="row"/> and whether a length limit (not eos or a stop sequence) ended it.</summary>
    public GenerationSummary Summary(int row) => new(_rows[row].Prompt.Length, _rows[row].Generated.Count, _rows[row].ReachedLimit);

    /// <summary>The text of row <paramref name="row"/> so far, cut before the first stop sequence.</summary>
    public string Text(int row)
    {
        var text = Continuation(_rows[row]);
        int stop = StopIndex(text);
        return stop >= 0 ? text[..stop] : text;
    }

    /// <summary>
    /// The text of row <paramref name="row"/> not returned before. Until the row finishes it holds back a trailing U+FFFD
    /// (an incomplete UTF-8 byte sequence) and any ending that could start a stop sequence.
    /// </summary>
    public string TakeNewText(int row)
    {
        var r = _rows[row];
        var text = Text(row);
        int end = text.Length;
        if (!r.Done)
        {
            while (end > r.Emitted && text[end - 1] == '\uFFFD') end--;
            foreach (var stop in _stops)
                for (int n = Math.Min(stop.Length - 1, end - r.Emitted); n > 0; n--)
                    if (text.AsSpan(0, end).EndsWith(stop.AsSpan(0, n)))
                    {
                        end -= n;
                        break;
                    }
        }
        if (end <= r.Emitted) return "";
        var piece = text[r.Emitted..end];
        r.Emitted = end;
        return piece;
    }

    /// <summary>
    /// The generated text as it continues the prompt: the decoded prompt plus generated ids, minus the decoded prompt. Unlike
    /// decoding the new ids alone, this keeps the space a SentencePiece word-start token carries after a prompt.
    /// </summary>
    private string Continuation(Row row)
    {
        row.PromptText ??= _tokenizer.Decode(row.Prompt);
        var all = _tokenizer.Decode(row.Prompt.Concat(row.Generated));
        return all.StartsWith(row.PromptText, StringComparison.Ordinal) ? all[row.PromptText.Length..] : _tokenizer.Decode(row.Generated);
    }

    private int StopIndex(string text)
    {
        int first = -1;
        foreach (var stop in _stops)
        {
            int i = text.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        return first;
    }

    public void Dispose() => _cache.Dispose();

    private sealed class Row(int[] prompt, int maxNewTokens, int padding, TokenSampler sampler)
    {
        public int[] Prompt { get; } = prompt;
        public int MaxNewTokens { get; } = maxNewTokens;
        public int Padding { get; } = padding;
        public TokenSampler Sampler { get; } = sampler;
        public List<int> Generated { get; } = [];
        public bool Done { get; set; }
        public bool ReachedLimit { get; set; }
        public int Emitted { get; set; }
        public string? PromptText { get; set; }
        public int Last => Generated.Count > 0 ? Generated[^1] : Prompt[^1];
    }
}

/// <summary>What a finished generation reports to chat clients: prompt tokens (after fitting the context), generated tokens, and whether MaxNewTokens or the context length ended it.</summary>
internal readonly record struct GenerationSummary(int PromptTokens, int GeneratedTokens, bool ReachedLimit);
