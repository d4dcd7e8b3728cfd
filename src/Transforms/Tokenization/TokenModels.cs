using System.Collections.Concurrent;
using System.Runtime.InteropServices;
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

    /// <summary>Appends the tokens of <paramref name="word"/>, with their character ranges in the word, to <paramref name="tokens"/>.</summary>
    public abstract void Tokenize(ReadOnlySpan<char> word, List<TokenPiece> tokens);

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

    public override void Tokenize(ReadOnlySpan<char> word, List<TokenPiece> tokens)
    {
        if (word.Length > _maxChars && JsText.CodePointCount(word) > _maxChars) { AddUnknown(tokens, word.Length); return; }
        int mark = tokens.Count, start = 0;
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
                tokens.RemoveRange(mark, tokens.Count - mark);
                AddUnknown(tokens, word.Length);
                return;
            }
            tokens.Add(new TokenPiece(found, start, end));
            start = end;
        }
    }

    private void AddUnknown(List<TokenPiece> tokens, int length)
    {
        if (UnknownId is int unk) tokens.Add(new TokenPiece(unk, 0, length));
    }
}

/// <summary>
/// Byte-pair encoding: merges adjacent symbols by rank (lowest first, leftmost on ties), with optional byte fallback
/// (<c>&lt;0xXX&gt;</c> tokens) for pieces missing from the vocabulary. Merging uses a priority queue of candidate pairs
/// ordered by (rank, position), as Hugging Face <c>tokenizers</c> does: O(n log n) in the word length.
/// </summary>
internal sealed class BpeModel : TokenModel
{
    private const int MaxCachedWordLength = 256, CacheCapacity = 10_000;
    private readonly Dictionary<long, (int Rank, int MergedId)> _merges;
    private readonly string? _endOfWordSuffix, _continuingSubwordSuffix;
    private readonly bool _byteFallback, _ignoreMerges;
    private readonly ConcurrentDictionary<string, TokenPiece[]> _cache = new();
    private readonly ConcurrentDictionary<string, TokenPiece[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    private BpeModel(Vocabulary vocab, int? unknownId, bool fuseUnknown, Dictionary<long, (int, int)> merges, string? endOfWordSuffix,
        string? continuingSubwordSuffix, bool byteFallback, bool ignoreMerges) : base(vocab, unknownId, fuseUnknown)
    {
        _merges = merges;
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
        // A merge of two known symbols applies even when their concatenation is not in the vocabulary (its id is then -1).
        var table = new Dictionary<long, (int, int)>();
        int rank = 0;
        foreach (var (left, right) in merges)
        {
            if (vocab.GetId(left) is int l && vocab.GetId(right) is int r) table.TryAdd(Key(l, r), (rank, vocab.GetId(left + right) ?? -1));
            rank++;
        }
        return new BpeModel(vocab, unkToken is null ? null : vocab.GetId(unkToken), fuseUnknown, table, endOfWordSuffix,
            continuingSubwordSuffix, byteFallback, ignoreMerges);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public override void Tokenize(ReadOnlySpan<char> word, List<TokenPiece> tokens)
    {
        if (word.Length == 0) return;
        if (_ignoreMerges && Vocabulary.TryGetId(word, out int whole)) { tokens.Add(new TokenPiece(whole, 0, word.Length)); return; }
        if (_cacheBySpan.TryGetValue(word, out var cached)) { tokens.AddRange(cached); return; }

        int mark = tokens.Count;
        Merge(word, tokens);
        if (word.Length < MaxCachedWordLength)
        {
            if (_cache.Count >= CacheCapacity) _cache.Clear();
            _cacheBySpan.TryAdd(word, tokens.GetRange(mark, tokens.Count - mark).ToArray());
        }
    }

    /// <summary>A symbol of the word being merged: a run of characters, linked to its live neighbours.</summary>
    private struct Symbol
    {
        public int Id, Start, End, Prev, Next;
    }

    private void Merge(ReadOnlySpan<char> word, List<TokenPiece> tokens)
    {
        var symbols = new List<Symbol>(word.Length);
        for (int i = 0; i < word.Length;)
        {
            JsText.CodePointAt(word, i, out int len);
            int id = Vocabulary.TryGetId(word.Slice(i, len), out int found) ? found : -1;
            symbols.Add(new Symbol { Id = id, Start = i, End = i + len, Prev = symbols.Count - 1, Next = symbols.Count + 1 });
            i += len;
        }
        var all = CollectionsMarshal.AsSpan(symbols);
        all[^1].Next = -1;
        if (_endOfWordSuffix is not null)
            all[^1].Id = Vocabulary.GetId(string.Concat(word[all[^1].Start..all[^1].End], _endOfWordSuffix)) ?? -1;

        // Candidate merges by (rank, left position); entries made stale by an earlier merge are skipped when popped.
        var queue = new MergeQueue(all.Length);
        for (int i = 0; i + 1 < all.Length; i++) Enqueue(ref queue, all, i);
        queue.Heapify();
        while (queue.TryPop(out long top))
        {
            int left = (int)(uint)top;
            ref var l = ref all[left];
            if (l.Start == l.End || l.Next < 0) continue;
            ref var r = ref all[l.Next];
            if (!TryGetMerge(l.Id, r.Id, out var merge) || merge.Rank != (int)(top >> 32)) continue;
            l.Id = merge.MergedId;
            l.End = r.End;
            l.Next = r.Next;
            r.End = r.Start; // dead
            if (l.Next >= 0) all[l.Next].Prev = left;
            if (l.Prev >= 0) Enqueue(ref queue, all, l.Prev);
            Enqueue(ref queue, all, left);
        }

        for (int i = 0; i >= 0; i = all[i].Next)
        {
            var symbol = all[i];
            bool last = symbol.Next < 0;
            if (_continuingSubwordSuffix is null || last)
            {
                if (symbol.Id >= 0) { tokens.Add(new TokenPiece(symbol.Id, symbol.Start, symbol.End)); continue; }
                var text = word[symbol.Start..symbol.End].ToString();
                AddPiece(last && _endOfWordSuffix is not null ? text + _endOfWordSuffix : text, symbol.Start, symbol.End, tokens);
            }
            else AddPiece(string.Concat(word[symbol.Start..symbol.End], _continuingSubwordSuffix), symbol.Start, symbol.End, tokens);
        }
    }

    private void Enqueue(ref MergeQueue queue, Span<Symbol> all, int left)
    {
        int right = all[left].Next;
        if (right >= 0 && TryGetMerge(all[left].Id, all[right].Id, out var merge)) queue.Push(((long)merge.Rank << 32) | (uint)left);
    }

    /// <summary>A binary min-heap of (rank, position) packed in one long: lowest rank first, leftmost on ties.</summary>
    private struct MergeQueue(int capacity)
    {
        private long[] _items = new long[Math.Max(4, capacity)];
        private int _count;
        private bool _heap;

        /// <summary>Adds an entry; before <see cref="Heapify"/> entries are only collected.</summary>
        public void Push(long item)
        {
            if (_count == _items.Length) Array.Resize(ref _items, _count * 2);
            _items[_count++] = item;
            if (_heap) SiftUp(_count - 1);
        }

        /// <summary>Orders the collected entries in O(n).</summary>
        public void Heapify()
        {
            for (int i = _count / 2 - 1; i >= 0; i--) SiftDown(i);
            _heap = true;
        }

        public bool TryPop(out long item)
        {
            if (_count == 0) { item = 0; return false; }
            item = _items[0];
            _items[0] = _items[--_count];
            SiftDown(0);
            return true;
        }

        private readonly void SiftUp(int i)
        {
            var x = _items[i];
            while (i > 0 && _items[(i - 1) / 2] > x)
            {
                _items[i] = _items[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            _items[i] = x;
        }

        private readonly void SiftDown(int i)
        {
            var x = _items[i];
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count) break;
                if (child + 1 < _count && _items[child + 1] < _items[child]) child++;
                if (_items[child] >= x) break;
                _items[i] = _items[child];
                i = child;
            }
            _items[i] = x;
        }
    }

    private bool TryGetMerge(int left, int right, out (int Rank, int MergedId) merge)
    {
        merge = default;
        return left >= 0 && right >= 0 && _merges.TryGetValue(Key(left, right), out merge);
    }

    // A piece not in the vocabulary: its UTF-8 bytes as <0xXX> tokens (each character's range on its first byte), else unknown.
    private void AddPiece(string piece, int start, int end, List<TokenPiece> tokens)
    {
        if (Vocabulary.TryGetId(piece, out int id)) { tokens.Add(new TokenPiece(id, start, end)); return; }
        if (_byteFallback)
        {
            int mark = tokens.Count;
            Span<byte> bytes = stackalloc byte[4];
            bool all = true;
            for (int i = 0; i < piece.Length && all;)
            {
                JsText.CodePointAt(piece, i, out int len);
                int count = Encoding.UTF8.GetBytes(piece.AsSpan(i, len), bytes);
                int charStart = Math.Min(start + i, end), charEnd = Math.Min(start + i + len, end);
                for (int k = 0; k < count && all; k++)
                {
                    all = Vocabulary.TryGetId($"<0x{bytes[k]:X2}>", out int byteId);
                    tokens.Add(new TokenPiece(byteId, k == 0 ? charStart : charEnd, charEnd));
                }
                i += len;
            }
            if (all) return;
            tokens.RemoveRange(mark, tokens.Count - mark);
        }
        if (UnknownId is int unk) tokens.Add(new TokenPiece(unk, start, end));
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
        public int Id, Start, End, Prev;
        public double Score, Best;
    }

    public override void Tokenize(ReadOnlySpan<char> word, List<TokenPiece> tokens)
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

        var path = new List<TokenPiece>();
        for (int k = nodes[eos].Prev; k > 0; k = nodes[k].Prev) path.Add(new TokenPiece(nodes[k].Id, bounds[nodes[k].Start], bounds[nodes[k].End]));
        path.Reverse();
        tokens.AddRange(path);

        void Insert(int start, int end, int id, double score)
        {
            beginsAt[start].Add(nodes.Count);
            endsAt[end].Add(nodes.Count);
            nodes.Add(new Node { Id = id, Start = start, End = end, Score = score, Prev = -1 });
        }
    }
}
