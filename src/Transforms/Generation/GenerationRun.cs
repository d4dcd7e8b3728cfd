namespace MlNetLlm.Generation;

/// <summary>
/// One batched generation: the model side (<see cref="IDecodingSteps"/>: a decoder-only model's prompts and KV cache, or an
/// encoder-decoder's encoder states and caches) produces next-token logits for every row; this side samples, stops rows at
/// eos, a stop sequence or their token limit, and decodes their text. Finished rows are skipped.
/// </summary>
internal sealed class GenerationRun : IDisposable
{
    private readonly IDecodingSteps _steps;
    private readonly PretrainedTokenizer _tokenizer;
    private readonly IReadOnlySet<int> _eos;
    private readonly IReadOnlyList<string> _stops;
    private readonly Row[] _rows;
    private readonly int[] _last;

    /// <summary>
    /// Takes ownership of <paramref name="steps"/>. Each row's <c>Context</c> is the token sequence its generated tokens
    /// continue (a causal prompt, or a seq2seq decoder start token): the repetition penalty sees it, and the text is what
    /// decoding it with the generated tokens adds to decoding it alone.
    /// </summary>
    public GenerationRun(IDecodingSteps steps, PretrainedTokenizer tokenizer, IReadOnlySet<int> eos, SamplingSettings settings,
        IReadOnlyList<(int[] Context, int MaxNewTokens)> rows)
    {
        _steps = steps;
        _tokenizer = tokenizer;
        _eos = eos;
        _stops = settings.StopSequences;
        _rows = rows.Select(p => new Row(p.Context, p.MaxNewTokens, new TokenSampler(settings, steps.VocabularySize, p.Context))).ToArray();
        _last = new int[_rows.Length];
    }

    /// <summary>The tokens generated so far for row <paramref name="row"/> (no eos).</summary>
    public IReadOnlyList<int> Ids(int row) => _rows[row].Generated;

    /// <summary>Runs one forward pass and appends one token to every unfinished row; false once every row has finished.</summary>
    public bool Step()
    {
        if (Array.TrueForAll(_rows, r => r.Done)) return false;
        if (!_steps.HasRoom)
        {
            foreach (var row in _rows.Where(r => !r.Done)) row.Done = row.ReachedLimit = true;
            return false;
        }
        for (int r = 0; r < _rows.Length; r++) _last[r] = _rows[r].Last;
        var logits = _steps.Step(_last, out int positions);
        int vocabulary = _steps.VocabularySize;
        for (int r = 0; r < _rows.Length; r++)
        {
            var row = _rows[r];
            if (row.Done) continue;
            int token = row.Sampler.Next(logits.Slice((r * positions + positions - 1) * vocabulary, vocabulary));
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
    /// (an incomplete UTF-8 byte sequence), the text from the last space on when the tokenizer cleans up tokenization
    /// spaces, and any ending that could start a stop sequence.
    /// </summary>
    public string TakeNewText(int row)
    {
        var r = _rows[row];
        var text = Text(row);
        int end = text.Length;
        if (!r.Done)
        {
            while (end > r.Emitted && text[end - 1] == '\uFFFD') end--;
            // Cleaning up tokenization spaces (" 's" → "'s", " ." → ".") may still change the text from its last space on.
            if (_tokenizer.CleansUpTokenizationSpaces && end > 0 && text.LastIndexOf(' ', end - 1) is >= 0 and var space) end = space;
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

    public void Dispose() => _steps.Dispose();

    private sealed class Row(int[] prompt, int maxNewTokens, TokenSampler sampler)
    {
        public int[] Prompt { get; } = prompt;
        public int MaxNewTokens { get; } = maxNewTokens;
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
