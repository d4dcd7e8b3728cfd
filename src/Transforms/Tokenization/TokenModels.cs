using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace MlNetLlm.Tokenization;

/// <summary>A <c>tokenizer.json</c> model (WordPiece, BPE, Unigram): turns one pre-tokenized word into vocabulary ids.</summary>
internal abstract class TokenModel
{
    protected TokenModel(Vocabulary vocabulary, int? unknownId, bool fuseUnknown)
    {
        Vocabulary = vocabulary;
        UnknownId = unknownId;
        FuseUnknown = fuseUnknown;
    }

    public Vocabulary Vocabulary { get; }

    /// <summary>Id of the unknown token, when the model has one.</summary>
    public int? UnknownId { get; }

    /// <summary>Whether consecutive unknown tokens collapse into one.</summary>
    public bool FuseUnknown { get; }

    /// <summary>Appends the ids of <paramref name="word"/> to <paramref name="ids"/>.</summary>
    public abstract void Tokenize(ReadOnlySpan<char> word, List<int> ids);

    public static TokenModel Create(JsonElement config)
    {
        var type = config.GetString("type");
        if (type is null)
        {
            // Old tokenizer.json files omit the model type; infer it as the reference does.
            if (config.TryGetProperty("continuing_subword_prefix", out _) && !config.TryGetProperty("merges", out _)) type = "WordPiece";
            else if (config.TryGetProperty("merges", out _)) type = "BPE";
            else if (config.TryGetProperty("vocab", out var v) && v.ValueKind == JsonValueKind.Array) type = "Unigram";
        }
        return type switch
        {
            "WordPiece" => WordPieceModel.FromJson(config),
            "BPE" => BpeModel.FromJson(config),
            "Unigram" => UnigramModel.FromJson(config),
            _ => throw TokenizerJson.Unsupported("model", type ?? "(no type)"),
        };
    }
}

/// <summary>Token strings and ids, looked up without allocating substrings.</summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;
    private string?[] _tokens;

    /// <summary>Highest token id accepted (hostile ids fail instead of sizing an array by them).</summary>
    public const int MaxId = (1 << 24) - 1;

    public Vocabulary(Dictionary<string, int> ids)
    {
        foreach (var (token, id) in ids) CheckId(token, id);
        _ids = ids;
        _spanIds = ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _tokens = new string?[ids.Count == 0 ? 0 : ids.Values.Max() + 1];
        foreach (var (token, id) in ids) _tokens[id] = token;
    }

    /// <summary>Highest id + 1.</summary>
    public int Size => _tokens.Length;

    public bool TryGetId(ReadOnlySpan<char> token, out int id) => _spanIds.TryGetValue(token, out id);

    public int? GetId(string token) => _ids.TryGetValue(token, out var id) ? id : null;

    public string? GetToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    private static void CheckId(string token, int id)
    {
        if ((uint)id > MaxId) throw new InvalidDataException($"token '{token}' has id {id}, outside 0..{MaxId}.");
    }

    /// <summary>Adds or overrides a token (added tokens take precedence over the model's own entries).</summary>
    public void Set(string token, int id)
    {
        CheckId(token, id);
        _ids[token] = id;
        if (id >= _tokens.Length) Array.Resize(ref _tokens, id + 1);
        _tokens[id] = token;
    }
}

/// <summary>WordPiece: greedy longest match from the left, continuation pieces carry a prefix (<c>##</c>).</summary>
internal sealed class WordPieceModel : TokenModel
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;
    private readonly int _maxChars;

    private WordPieceModel(Vocabulary vocabulary, int? unknownId, string prefix, int maxChars) : base(vocabulary, unknownId, false)
    {
        Prefix = prefix;
        _maxChars = maxChars;
        var continuations = new Dictionary<string, int>();
        for (int id = 0; id < vocabulary.Size; id++)
            if (vocabulary.GetToken(id) is { } t && t.StartsWith(prefix, StringComparison.Ordinal) && prefix.Length > 0)
                continuations.TryAdd(t[prefix.Length..], id);
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Prefix { get; }

    public static WordPieceModel FromJson(JsonElement config)
    {
        var vocab = new Vocabulary(config.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        return Create(vocab, config.GetString("unk_token") ?? "[UNK]", config.GetString("continuing_subword_prefix") ?? "##",
            config.GetInt("max_input_chars_per_word") ?? 100);
    }

    public static WordPieceModel Create(Vocabulary vocab, string unkToken, string prefix, int maxChars) =>
        new(vocab, vocab.GetId(unkToken), prefix, maxChars);

    // Continuation pieces are looked up without the prefix; with an empty prefix they are ordinary pieces.
    private bool TryPiece(ReadOnlySpan<char> piece, bool continuation, out int id) =>
        continuation && Prefix.Length > 0 ? _continuations.TryGetValue(piece, out id) : Vocabulary.TryGetId(piece, out id);

    public override void Tokenize(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.Length > _maxChars && JsText.CodePointCount(word) > _maxChars) { AddUnknown(ids); return; }
        int mark = ids.Count, start = 0;
        while (start < word.Length)
        {
            int end = word.Length, found = -1;
            while (start < end)
            {
                if (TryPiece(word[start..end], start > 0, out found)) break;
                found = -1;
                end--;
                if (end > start && char.IsLowSurrogate(word[end]) && char.IsHighSurrogate(word[end - 1])) end--;
            }
            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                AddUnknown(ids);
                return;
            }
            ids.Add(found);
            start = end;
        }
    }

    private void AddUnknown(List<int> ids)
    {
        if (UnknownId is int unk) ids.Add(unk);
    }
}

/// <summary>
/// Byte-pair encoding: merges adjacent symbols by rank (lowest first, leftmost on ties), with optional byte fallback
/// (<c>&lt;0xXX&gt;</c> tokens) for pieces missing from the vocabulary.
/// </summary>
internal sealed class BpeModel : TokenModel
{
    private const int MaxCachedWordLength = 256, CacheCapacity = 10_000;
    private readonly Dictionary<long, int> _ranks;
    private readonly string? _endOfWordSuffix, _continuingSubwordSuffix;
    private readonly bool _byteFallback, _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _cache = new();
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    private BpeModel(Vocabulary vocab, int? unknownId, bool fuseUnknown, Dictionary<long, int> ranks, string? endOfWordSuffix,
        string? continuingSubwordSuffix, bool byteFallback, bool ignoreMerges) : base(vocab, unknownId, fuseUnknown)
    {
        _ranks = ranks;
        _endOfWordSuffix = string.IsNullOrEmpty(endOfWordSuffix) ? null : endOfWordSuffix;
        _continuingSubwordSuffix = string.IsNullOrEmpty(continuingSubwordSuffix) ? null : continuingSubwordSuffix;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string? EndOfWordSuffix => _endOfWordSuffix;

    public static BpeModel FromJson(JsonElement config)
    {
        var vocab = new Vocabulary(config.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        var merges = config.GetArray("merges").Select(m => m.ValueKind == JsonValueKind.Array
            ? (m[0].GetString()!, m[1].GetString()!)
            : SplitMerge(m.GetString()!));
        return Create(vocab, merges, config.GetString("unk_token"), config.GetBool("fuse_unk", false),
            config.GetString("end_of_word_suffix"), config.GetString("continuing_subword_suffix"),
            config.GetBool("byte_fallback", false), config.GetBool("ignore_merges", false));
    }

    public static (string, string) SplitMerge(string line)
    {
        int space = line.IndexOf(' ', 1);
        if (space < 0) throw new FormatException($"Invalid BPE merge '{line}': expected two symbols separated by a space.");
        var second = line[(space + 1)..];
        int extra = second.IndexOf(' ');
        return (line[..space], extra < 0 ? second : second[..extra]);
    }

    public static BpeModel Create(Vocabulary vocab, IEnumerable<(string Left, string Right)> merges, string? unkToken, bool fuseUnknown,
        string? endOfWordSuffix, string? continuingSubwordSuffix, bool byteFallback, bool ignoreMerges)
    {
        var ranks = new Dictionary<long, int>();
        int rank = 0;
        foreach (var (left, right) in merges)
        {
            if (vocab.GetId(left) is int l && vocab.GetId(right) is int r) ranks.TryAdd(Key(l, r), rank);
            rank++;
        }
        return new BpeModel(vocab, unkToken is null ? null : vocab.GetId(unkToken), fuseUnknown, ranks, endOfWordSuffix,
            continuingSubwordSuffix, byteFallback, ignoreMerges);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public override void Tokenize(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (_ignoreMerges && Vocabulary.TryGetId(word, out int whole)) { ids.Add(whole); return; }
        if (_cacheBySpan.TryGetValue(word, out var cached)) { ids.AddRange(cached); return; }

        var result = new List<int>();
        foreach (var piece in Merge(word)) AddPiece(piece, result);
        if (word.Length < MaxCachedWordLength)
        {
            if (_cache.Count >= CacheCapacity) _cache.Clear();
            _cacheBySpan.TryAdd(word, result.ToArray());
        }
        ids.AddRange(result);
    }

    private List<string> Merge(ReadOnlySpan<char> word)
    {
        var symbols = new List<string>(word.Length);
        for (int i = 0; i < word.Length;)
        {
            JsText.CodePointAt(word, i, out int len);
            symbols.Add(word.Slice(i, len).ToString());
            i += len;
        }
        if (_endOfWordSuffix is not null) symbols[^1] += _endOfWordSuffix;

        var symbolIds = symbols.Select(s => Vocabulary.TryGetId(s, out int id) ? id : -1).ToList();
        while (symbols.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (symbolIds[i] < 0 || symbolIds[i + 1] < 0) continue;
                if (_ranks.TryGetValue(Key(symbolIds[i], symbolIds[i + 1]), out int rank) && rank < bestRank) { bestRank = rank; best = i; }
            }
            if (best < 0) break;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
            symbolIds.RemoveAt(best + 1);
            symbolIds[best] = Vocabulary.TryGetId(symbols[best], out int merged) ? merged : -1;
        }
        if (_continuingSubwordSuffix is not null)
            for (int i = 0; i < symbols.Count - 1; i++) symbols[i] += _continuingSubwordSuffix;
        return symbols;
    }

    private void AddPiece(string piece, List<int> ids)
    {
        if (Vocabulary.TryGetId(piece, out int id)) { ids.Add(id); return; }
        if (_byteFallback)
        {
            var bytes = Encoding.UTF8.GetBytes(piece);
            var byteIds = new int[bytes.Length];
            bool all = true;
            for (int k = 0; k < bytes.Length && all; k++)
                all = Vocabulary.TryGetId($"<0x{bytes[k]:X2}>", out byteIds[k]);
            if (all) { ids.AddRange(byteIds); return; }
        }
        if (UnknownId is int unk) ids.Add(unk);
    }
}

/// <summary>Unigram (SentencePiece): the most likely segmentation by Viterbi over piece log-probabilities.</summary>
internal sealed class UnigramModel : TokenModel
{
    private readonly double[] _scores;
    private readonly int _maxPieceLength;
    private readonly double _unknownScore;

    private UnigramModel(Vocabulary vocab, int unknownId, double[] scores) : base(vocab, unknownId, fuseUnknown: true)
    {
        _scores = scores;
        _unknownScore = scores.Min() - 10;
        _scores[unknownId] = _unknownScore;
        for (int id = 0; id < vocab.Size; id++)
            if (vocab.GetToken(id) is { } t) _maxPieceLength = Math.Max(_maxPieceLength, t.Length);
    }

    public static UnigramModel FromJson(JsonElement config)
    {
        var entries = config.GetArray("vocab").ToArray();
        var ids = new Dictionary<string, int>(entries.Length);
        var scores = new double[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            ids.TryAdd(entries[i][0].GetString()!, i);
            scores[i] = entries[i][1].GetDouble();
        }
        int unk = config.GetInt("unk_id") ?? throw new NotSupportedException("tokenizer.json: Unigram model without 'unk_id' is not supported.");
        return new UnigramModel(new Vocabulary(ids), unk, scores);
    }

    private struct Node
    {
        public int Id, Start, Prev;
        public double Score, Best;
    }

    public override void Tokenize(ReadOnlySpan<char> word, List<int> ids)
    {
        if (word.Length == 0) return;
        // Code point boundaries; lattice positions are code point indices.
        var bounds = new List<int>(word.Length + 1);
        for (int i = 0; i < word.Length;)
        {
            bounds.Add(i);
            JsText.CodePointAt(word, i, out int len);
            i += len;
        }
        bounds.Add(word.Length);
        int n = bounds.Count - 1;

        var nodes = new List<Node> { new() { Id = -1, Start = 0, Prev = -1 } }; // BOS
        var endsAt = new List<int>[n + 1];
        for (int p = 0; p <= n; p++) endsAt[p] = [];
        endsAt[0].Add(0);
        var beginsAt = new List<int>[n + 1];
        for (int p = 0; p <= n; p++) beginsAt[p] = [];

        for (int pos = 0; pos < n; pos++)
        {
            bool hasSingle = false;
            for (int end = pos + 1; end <= n && bounds[end] - bounds[pos] <= _maxPieceLength; end++)
            {
                if (!Vocabulary.TryGetId(word.Slice(bounds[pos], bounds[end] - bounds[pos]), out int id)) continue;
                Insert(pos, end, id, _scores[id]);
                if (end == pos + 1) hasSingle = true;
            }
            if (!hasSingle) Insert(pos, pos + 1, UnknownId!.Value, _unknownScore);
        }
        var eos = nodes.Count;
        nodes.Add(new Node { Id = -1, Start = n, Prev = -1 });
        beginsAt[n].Add(eos);

        for (int pos = 0; pos <= n; pos++)
        {
            foreach (int r in beginsAt[pos])
            {
                int bestPrev = -1;
                double best = 0;
                foreach (int l in endsAt[pos])
                {
                    double score = nodes[l].Best + nodes[r].Score;
                    if (bestPrev < 0 || score > best) { bestPrev = l; best = score; }
                }
                var node = nodes[r];
                node.Prev = bestPrev;
                node.Best = best;
                nodes[r] = node;
            }
        }

        var path = new List<int>();
        for (int k = nodes[eos].Prev; k > 0; k = nodes[k].Prev) path.Add(nodes[k].Id);
        path.Reverse();
        ids.AddRange(path);

        void Insert(int start, int end, int id, double score)
        {
            beginsAt[start].Add(nodes.Count);
            endsAt[end].Add(nodes.Count);
            nodes.Add(new Node { Id = id, Start = start, Score = score, Prev = -1 });
        }
    }
}
