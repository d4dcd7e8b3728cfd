using System.Text;
using MlNetLlm.Generation;

namespace MlNetLlm;

/// <summary>
/// A step-level generation over token ids, like onnxruntime-genai's <c>Generator</c>: append the input's ids, then call
/// <see cref="GenerateNextToken"/> until <see cref="IsDone"/>. Create one with <see cref="ILanguageModel.CreateSession"/>.
/// Generate, GenerateIds and streaming all run through this class.
/// </summary>
/// <remarks>
/// The layers: the model's decoding steps give next-token logits (a causal prompt and KV cache, or an encoder-decoder's
/// encoder states and caches); a sampler picks the token; an incremental detokenizer turns the new ids into text, decoding
/// only a small window; a stop-sequence matcher looks at the new text only. Every step costs the same however long the
/// text already is. Not thread-safe; dispose it to release the model's tensors.
/// </remarks>
public sealed class GenerationSession : IDisposable
{
    private readonly SessionStart _start;
    private readonly PretrainedTokenizer _tokenizer;
    private readonly IReadOnlySet<int> _eos;
    private readonly SamplingSettings _settings;
    private readonly StopSequenceMatcher _stops;
    private readonly bool _trackText;
    private readonly List<int> _input = [];
    private IDecodingSteps? _steps;
    private Row[] _rows = [];
    private int[] _last = [];
    private bool _disposed;

    /// <summary>
    /// A session that starts on the first <see cref="GenerateNextToken"/>, with <paramref name="inputs"/> (one per row) or,
    /// when null, the ids given to <see cref="AppendTokens"/>. Without <paramref name="trackText"/> and stop sequences no
    /// text is decoded.
    /// </summary>
    internal GenerationSession(PretrainedTokenizer tokenizer, IReadOnlySet<int> eos, SamplingSettings settings, bool trackText,
        SessionStart start, IReadOnlyList<int[]>? inputs = null)
    {
        _tokenizer = tokenizer;
        _eos = eos;
        _settings = settings;
        _stops = new StopSequenceMatcher(settings.StopSequences);
        _trackText = trackText || !_stops.IsEmpty;
        _start = start;
        if (inputs is not null) Start(inputs);
    }

    /// <summary>True once generation has ended (eos, a stop sequence, the token limit or a full context).</summary>
    public bool IsDone => _steps is not null && Array.TrueForAll(_rows, r => r.Done);

    /// <summary>The ids generated so far (no eos); empty before the first <see cref="GenerateNextToken"/>.</summary>
    public IReadOnlyList<int> NewTokens => _steps is null ? [] : Ids(0);

    /// <summary>Why generation ended; null while it runs.</summary>
    public FinishReason? FinishReason => _rows.Length > 0 ? _rows[0].Reason : null;

    /// <summary>
    /// Adds ids to the input: a causal model's prompt, or an encoder-decoder's encoder input. Only before the first
    /// <see cref="GenerateNextToken"/>; an empty input starts a causal model from its BOS token.
    /// </summary>
    /// <exception cref="InvalidOperationException">Generation has already started.</exception>
    public void AppendTokens(ReadOnlySpan<int> tokens)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_steps is not null)
            throw new InvalidOperationException("AppendTokens: generation has already started; append the input's tokens before the first GenerateNextToken.");
        foreach (var id in tokens)
            if (id < 0) throw new ArgumentOutOfRangeException(nameof(tokens), id, "Token ids must not be negative.");
        _input.AddRange(tokens);
    }

    /// <summary>Runs the model once and appends the next token (or ends generation).</summary>
    /// <exception cref="InvalidOperationException">Generation has already ended (<see cref="IsDone"/>).</exception>
    public void GenerateNextToken()
    {
        if (IsDone) throw new InvalidOperationException($"GenerateNextToken: generation has ended ({FinishReason}); check IsDone first.");
        Step();
    }

    /// <summary>The whole sequence of row <paramref name="index"/>: the context the tokens continue (the fitted prompt, or the decoder start token) and the generated ids.</summary>
    public IReadOnlyList<int> GetSequence(int index = 0) => [.. RowAt(index).Context, .. RowAt(index).Generated];

    /// <summary>The text generated since the last call, held back while it may still change or begin a stop sequence; the pieces concatenate to <see cref="GetResult"/>'s text.</summary>
    public string TakeNewText() => TakeNewText(0);

    /// <summary>The text, ids, finish reason and token counts of row <paramref name="index"/> so far.</summary>
    public GenerationResult GetResult(int index = 0)
    {
        var row = RowAt(index);
        return new GenerationResult(Text(index), [.. row.Generated],
            row.Reason ?? MlNetLlm.FinishReason.Length, row.PromptTokens, row.Generated.Count);
    }

    /// <summary>Releases the model's tensors for this generation.</summary>
    public void Dispose()
    {
        _disposed = true;
        _steps?.Dispose();
    }

    /// <summary>The tokens generated so far for row <paramref name="row"/> (no eos).</summary>
    internal IReadOnlyList<int> Ids(int row) => RowAt(row).Generated;

    /// <summary>Runs one forward pass and appends one token to every unfinished row; false once every row has finished.</summary>
    internal bool Step()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_steps is null) Start([[.. _input]]);
        if (Array.TrueForAll(_rows, r => r.Done)) return false;
        var steps = _steps!;
        if (!steps.HasRoom)
        {
            foreach (var row in _rows.Where(r => !r.Done)) Finish(row, MlNetLlm.FinishReason.Length);
            return false;
        }
        for (int r = 0; r < _rows.Length; r++) _last[r] = _rows[r].Last;
        var logits = steps.Step(_last, out int positions);
        int vocabulary = steps.VocabularySize;
        for (int r = 0; r < _rows.Length; r++)
        {
            var row = _rows[r];
            if (row.Done) continue;
            int token = row.Sampler.Next(logits.Slice((r * positions + positions - 1) * vocabulary, vocabulary));
            if (_eos.Contains(token))
            {
                Finish(row, MlNetLlm.FinishReason.Stop);
                continue;
            }
            row.Generated.Add(token);
            row.Sampler.Observe(token);
            if (row.Detokenizer is { } detokenizer)
            {
                int from = row.Final.Length;
                row.Final.Append(detokenizer.Append(token));
                if (!_stops.IsEmpty && (row.StopAt = _stops.Find(row.Final, from, detokenizer.Pending)) >= 0)
                {
                    Finish(row, MlNetLlm.FinishReason.StopSequence);
                    continue;
                }
            }
            if (row.Generated.Count >= row.MaxNewTokens) Finish(row, MlNetLlm.FinishReason.Length);
        }
        return Array.Exists(_rows, r => !r.Done);
    }

    /// <summary>The text of row <paramref name="row"/>: once it has finished, all of it cut before a stop sequence; before, the part that can no longer change.</summary>
    internal string Text(int row)
    {
        var r = RowAt(row);
        if (r.Detokenizer is null) throw new InvalidOperationException("This session was started without decoding text.");
        return r.Final.ToString(0, r.TextLength);
    }

    /// <summary>
    /// The text of row <paramref name="row"/> not returned before. Until the row finishes it holds back text that may
    /// still change (see <see cref="IncrementalDetokenizer"/>) and any ending that could start a stop sequence.
    /// </summary>
    internal string TakeNewText(int row)
    {
        var r = RowAt(row);
        if (r.Detokenizer is null) throw new InvalidOperationException("This session was started without decoding text.");
        int end = r.Done ? r.TextLength : r.Final.Length - _stops.PossibleStart(r.Final);
        if (end <= r.Streamed) return "";
        var piece = r.Final.ToString(r.Streamed, end - r.Streamed);
        r.Streamed = end;
        return piece;
    }

    private void Start(IReadOnlyList<int[]> inputs)
    {
        var (steps, rows) = _start(inputs);
        _steps = steps;
        _rows = rows.Select(p => new Row(p.Context, p.MaxNewTokens, p.PromptTokens, new TokenSampler(_settings, steps.VocabularySize, p.Context),
            _trackText ? new IncrementalDetokenizer(_tokenizer, p.Context) : null)).ToArray();
        _last = new int[_rows.Length];
    }

    private Row RowAt(int index)
    {
        if (_steps is null) throw new InvalidOperationException("Generation has not started: call GenerateNextToken first.");
        if ((uint)index >= (uint)_rows.Length) throw new ArgumentOutOfRangeException(nameof(index), index, $"The session has {_rows.Length} sequence(s).");
        return _rows[index];
    }

    private static void Finish(Row row, FinishReason reason)
    {
        row.Done = true;
        row.Reason = reason;
        if (row.Detokenizer is { } detokenizer) row.Final.Append(detokenizer.Flush());
    }

    private sealed class Row(int[] context, int maxNewTokens, int promptTokens, TokenSampler sampler, IncrementalDetokenizer? detokenizer)
    {
        public int[] Context { get; } = context;
        public int MaxNewTokens { get; } = maxNewTokens;
        public int PromptTokens { get; } = promptTokens;
        public TokenSampler Sampler { get; } = sampler;
        public IncrementalDetokenizer? Detokenizer { get; } = detokenizer;
        public List<int> Generated { get; } = [];
        /// <summary>The text that can no longer change; all of it once the row is done.</summary>
        public StringBuilder Final { get; } = new();
        public bool Done { get; set; }
        public FinishReason? Reason { get; set; }
        public int StopAt { get; set; } = -1;
        public int Streamed { get; set; }
        public int TextLength => StopAt >= 0 ? StopAt : Final.Length;
        public int Last => Generated.Count > 0 ? Generated[^1] : Context[^1];
    }
}
