using System.Text.Json;
using MlNetLlm.Onnx;
using MlNetLlm.Tokenization;
using Microsoft.ML.Tokenizers;
using PreTokenizer = MlNetLlm.Tokenization.PreTokenizer;

namespace MlNetLlm;

/// <summary>
/// A Hugging Face tokenizer loaded from a model folder, producing exactly the ids Hugging Face produces.
/// Reads <c>tokenizer.json</c> (normalizer, pre-tokenizer, WordPiece/BPE/Unigram model, post-processor, decoder,
/// added tokens) when present, otherwise <c>vocab.txt</c> (BERT) or <c>vocab.json</c> + <c>merges.txt</c>
/// (GPT-2/RoBERTa), plus <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c>.
/// Immutable and safe to use from several threads.
/// </summary>
public sealed class PretrainedTokenizer
{
    private const int ParallelBatchThreshold = 64;

    private readonly TextNormalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly TokenModel _model;
    private readonly PostProcessor? _postProcessor;
    private readonly TokenDecoder? _decoder;
    private readonly Dictionary<string, AddedToken> _addedTokens;
    private readonly AddedTokenSplitter _rawSplitter, _normalizedSplitter;
    private readonly HashSet<string> _specialTokens;
    private readonly bool _cleanUpTokenizationSpaces, _removeSpace, _lowercaseAndRemoveAccent;
    private readonly Lazy<Tokenizer?> _underlying;

    private PretrainedTokenizer(string directory, JsonElement tokenizerJson, JsonElement config, Vocabulary? vocabOverride = null)
    {
        Directory = directory;
        _normalizer = TokenizerJson.Section("normalizer", () => TextNormalizer.Create(tokenizerJson.GetPropertyOrNull("normalizer")));
        _preTokenizer = TokenizerJson.Section("pre_tokenizer", () => PreTokenizer.Create(tokenizerJson.GetPropertyOrNull("pre_tokenizer")));
        _model = TokenizerJson.Section("model", () => TokenModel.Create(tokenizerJson.GetProperty("model")));

        _addedTokens = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        _specialTokens = new HashSet<string>(StringComparer.Ordinal);
        var raw = new List<string>();
        var normalized = new List<string>();
        foreach (var e in tokenizerJson.GetArray("added_tokens"))
        {
            bool special = e.GetBool("special", false);
            var token = TokenizerJson.Section("added_tokens", () =>
            {
                var t = new AddedToken(e.GetString("content") ?? "", e.GetProperty("id").GetInt32(), special,
                    e.GetNullableBool("normalized") ?? !special, e.GetBool("lstrip", false), e.GetBool("rstrip", false));
                _model.Vocabulary.Set(t.Content, t.Id);
                return t;
            });
            if (token.Special) _specialTokens.Add(token.Content);
            _addedTokens[token.Content] = token;
            if (token.Normalized && _normalizer is not null)
            {
                var n = _normalizer.Normalize(token.Content);
                normalized.Add(n);
                _addedTokens[n] = token;
            }
            else raw.Add(token.Content);
        }
        foreach (var t in config.GetArray("additional_special_tokens"))
            if (t.ValueKind == JsonValueKind.String) _specialTokens.Add(t.GetString()!);
            else if (t.GetString("content") is { } content) _specialTokens.Add(content);
        _rawSplitter = new AddedTokenSplitter(raw);
        _normalizedSplitter = new AddedTokenSplitter(normalized);

        _postProcessor = TokenizerJson.Section("post_processor", () => PostProcessor.Create(tokenizerJson.GetPropertyOrNull("post_processor"), _model.Vocabulary));
        _decoder = TokenizerJson.Section("decoder", () => TokenDecoder.Create(tokenizerJson.GetPropertyOrNull("decoder"), t => _addedTokens.ContainsKey(t)));

        _cleanUpTokenizationSpaces = config.GetBool("clean_up_tokenization_spaces", true);
        _removeSpace = config.GetBool("remove_space", false);
        _lowercaseAndRemoveAccent = config.GetBool("do_lowercase_and_remove_accent", false);
        // Hugging Face writes a huge sentinel (1e30) for "no limit".
        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("model_max_length", out var max)
            && max.ValueKind == JsonValueKind.Number && max.GetDouble() is > 0 and < 1e9)
            ModelMaxLength = (int)max.GetDouble();

        UnknownToken = config.GetTokenString("unk_token") ?? (_model.UnknownId is int u ? _model.Vocabulary.GetToken(u) : null);
        BosToken = config.GetTokenString("bos_token");
        EosToken = config.GetTokenString("eos_token");
        PadToken = config.GetTokenString("pad_token");
        ClsToken = config.GetTokenString("cls_token");
        SepToken = config.GetTokenString("sep_token");
        MaskToken = config.GetTokenString("mask_token");
        ChatTemplate = config.GetString("chat_template");
        _underlying = new Lazy<Tokenizer?>(CreateUnderlyingTokenizer);
    }

    /// <summary>The files a tokenizer may read from its folder (what a saved pipeline embeds).</summary>
    internal static readonly string[] FileNames =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt",
        "tokenizer.model", "spiece.model", "sentencepiece.bpe.model",
    ];

    /// <summary>The folder the tokenizer was loaded from.</summary>
    public string Directory { get; }

    /// <summary>Size of the vocabulary including added tokens (highest id + 1).</summary>
    public int VocabularySize => _model.Vocabulary.Size;

    /// <summary><c>model_max_length</c> from <c>tokenizer_config.json</c>, or null when the folder sets no limit.</summary>
    public int? ModelMaxLength { get; }

    /// <summary>Special tokens named by the configuration (null when not set).</summary>
    public string? UnknownToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? BosToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? EosToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? PadToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? ClsToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? SepToken { get; }
    /// <inheritdoc cref="UnknownToken"/>
    public string? MaskToken { get; }

    /// <summary>Id of <see cref="PadToken"/>, falling back to the end-of-sequence token, then 0 (what batching pads with).</summary>
    public int PadTokenId => TokenToId(PadToken) ?? TokenToId(EosToken) ?? 0;

    /// <summary>Whether <see cref="Decode"/> removes spaces before punctuation and contractions (<c>clean_up_tokenization_spaces</c>).</summary>
    internal bool CleansUpTokenizationSpaces => _cleanUpTokenizationSpaces;

    /// <summary>The Jinja chat template from <c>tokenizer_config.json</c>, if any.</summary>
    public string? ChatTemplate { get; }

    /// <summary>
    /// The closest <see cref="Microsoft.ML.Tokenizers.Tokenizer"/> for this folder, for APIs that take one:
    /// <see cref="BertTokenizer"/> for WordPiece vocabularies, <see cref="CodeGenTokenizer"/> when the folder has
    /// <c>vocab.json</c> + <c>merges.txt</c>, <see cref="LlamaTokenizer"/> when it has a SentencePiece
    /// <c>tokenizer.model</c>; otherwise null. These follow their own rules and can differ from Hugging Face on
    /// edge cases (accents, symbols, control characters); <see cref="Encode(string?, string?, bool, int?)"/> is the exact one.
    /// </summary>
    public Tokenizer? UnderlyingTokenizer => _underlying.Value;

    /// <summary>Loads the tokenizer files of a Hugging Face model folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">No tokenizer files; the message lists the files looked for.</exception>
    /// <exception cref="NotSupportedException">A <c>tokenizer.json</c> component this library does not implement.</exception>
    public static PretrainedTokenizer FromDirectory(string directory)
    {
        directory = ModelFolder.RequireDirectory(directory);
        var config = ReadConfig(directory);
        var tokenizerJson = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(tokenizerJson)) return Read(tokenizerJson, () => new PretrainedTokenizer(directory, TokenizerJson.ParseFile(tokenizerJson), config));
        if (Read(directory, () => LegacyTokenizerFiles.TryCreate(directory, config)) is { } legacy)
            return Read(directory, () => new PretrainedTokenizer(directory, legacy, config));
        throw new FileNotFoundException(
            $"No tokenizer in '{directory}': looked for tokenizer.json, vocab.txt (WordPiece), vocab.json + merges.txt (byte-level BPE).");
    }

    /// <summary>
    /// Loads a tokenizer from a local folder, or from a Hugging Face hub id such as <c>bert-base-uncased</c> or
    /// <c>org/name@revision</c>: only the tokenizer files are fetched, into the cache shared with Python's huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static PretrainedTokenizer FromPretrained(string idOrPath, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadModel(idOrPath, [HubFiles.Tokenizer], HubFiles.TokenizerOptional, hub));

    // Wrong-shaped tokenizer files fail with the file (or folder, for legacy vocab files) named.
    private static T Read<T>(string file, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (TokenizerJson.IsShapeError(ex) && !ex.Message.Contains(file, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{file}': {ex.Message}", ex);
        }
    }

    // tokenizer_config.json wins; special_tokens_map.json fills the special tokens it does not name.
    private static JsonElement ReadConfig(string directory)
    {
        var merged = new Dictionary<string, JsonElement>();
        foreach (var name in new[] { "tokenizer_config.json", "special_tokens_map.json" })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) continue;
            var json = TokenizerJson.ParseFile(path);
            if (json.ValueKind != JsonValueKind.Object) continue;
            foreach (var p in json.EnumerateObject()) merged.TryAdd(p.Name, p.Value);
        }
        return JsonSerializer.SerializeToElement(merged);
    }

    /// <summary>
    /// Encodes a text, or a pair of texts, exactly as Hugging Face's tokenizer does. Null or empty text encodes as the
    /// empty string (only the special tokens); an empty <paramref name="textPair"/> means no pair. With
    /// <paramref name="maxLength"/> (capped at <see cref="ModelMaxLength"/>) the texts are truncated as Hugging Face
    /// <c>tokenizers</c> does (<see cref="TruncationStrategy.LongestFirst"/> for a pair): the texts are cut to
    /// <paramref name="maxLength"/> minus the special tokens the post-processor adds, then the special tokens are added,
    /// so a truncated BERT input still ends with [SEP]. No padding is added.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is not positive or leaves no room for the special tokens.</exception>
    public TokenizedText Encode(string? text, string? textPair = null, bool addSpecialTokens = true, int? maxLength = null) =>
        Encode(text, textPair, addSpecialTokens, maxLength, TruncationStrategy.LongestFirst);

    /// <summary>
    /// Encodes a text or a pair as <see cref="Encode(string?, string?, bool, int?)"/> does, cutting the texts that exceed
    /// <paramref name="maxLength"/> by <paramref name="truncation"/> (Hugging Face <c>longest_first</c>, <c>only_first</c>,
    /// <c>only_second</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The text <paramref name="truncation"/> names cannot absorb the excess on its
    /// own (or <see cref="TruncationStrategy.OnlySecond"/> without a pair), as Hugging Face refuses it too.</exception>
    public TokenizedText Encode(string? text, string? textPair, bool addSpecialTokens, int? maxLength, TruncationStrategy truncation)
    {
        if (maxLength is <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be positive.");
        if (!Enum.IsDefined(truncation)) throw new ArgumentOutOfRangeException(nameof(truncation), truncation, "Unknown TruncationStrategy.");
        var first = EncodeText(text ?? "");
        var second = string.IsNullOrEmpty(textPair) ? null : EncodeText(textPair);
        if (maxLength is int max)
        {
            int limit = Math.Min(max, ModelMaxLength ?? int.MaxValue), special = addSpecialTokens ? SpecialTokenCount(second is not null) : 0;
            if (limit < special)
                throw new ArgumentOutOfRangeException(nameof(maxLength), max,
                    $"maxLength {limit} leaves no room for the {special} special tokens this tokenizer adds to a {(second is null ? "single text" : "pair")}.");
            Truncation.Apply(first, second, limit - special, truncation);
        }

        ProcessedTokens processed;
        if (_postProcessor is not null) processed = _postProcessor.Process(first, second, addSpecialTokens);
        else
        {
            processed = new ProcessedTokens();
            processed.AddSequence(first, 0);
            if (second is not null) processed.AddSequence(second, 1);
        }

        var ids = processed.Ids.ToArray();
        var tokens = new string[ids.Length];
        for (int i = 0; i < ids.Length; i++) tokens[i] = _model.Vocabulary.GetToken(ids[i]) ?? UnknownToken ?? "";
        return new TokenizedText(ids, processed.TypeIds.ToArray(), tokens, processed.SpecialMask.ToArray());
    }

    /// <summary>How many special tokens the post-processor adds to a single text, or to a pair (Hugging Face <c>num_special_tokens_to_add</c>).</summary>
    public int SpecialTokenCount(bool pair = false) => _postProcessor?.AddedTokenCount(pair) ?? 0;

    /// <summary>Encodes many texts (in parallel for large batches); results are in input order.</summary>
    public IReadOnlyList<TokenizedText> EncodeBatch(IReadOnlyList<string?> texts, bool addSpecialTokens = true, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return EncodeMany(texts.Count, i => Encode(texts[i], null, addSpecialTokens, maxLength));
    }

    /// <summary>
    /// Encodes many text pairs (<paramref name="texts"/>[i] with <paramref name="textPairs"/>[i]), in parallel for large
    /// batches, truncating each pair by <paramref name="truncation"/>; results are in input order.
    /// </summary>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public IReadOnlyList<TokenizedText> EncodeBatch(IReadOnlyList<string?> texts, IReadOnlyList<string?> textPairs, bool addSpecialTokens = true,
        int? maxLength = null, TruncationStrategy truncation = TruncationStrategy.LongestFirst)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(textPairs);
        if (textPairs.Count != texts.Count)
            throw new ArgumentException($"textPairs has {textPairs.Count} texts but texts has {texts.Count}; they must pair up one to one.", nameof(textPairs));
        return EncodeMany(texts.Count, i => Encode(texts[i], textPairs[i], addSpecialTokens, maxLength, truncation));
    }

    private static TokenizedText[] EncodeMany(int count, Func<int, TokenizedText> encode)
    {
        var results = new TokenizedText[count];
        if (count < ParallelBatchThreshold)
            for (int i = 0; i < count; i++) results[i] = encode(i);
        else
            Parallel.For(0, count, i => results[i] = encode(i));
        return results;
    }

    /// <summary>Decodes ids back to text, dropping special tokens unless <paramref name="skipSpecialTokens"/> is false.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            var token = _model.Vocabulary.GetToken(id) ?? UnknownToken;
            if (token is null || (skipSpecialTokens && _specialTokens.Contains(token))) continue;
            tokens.Add(token);
        }
        if (tokens.Count == 0) return "";
        var text = _decoder is null ? string.Join(' ', tokens) : string.Concat(_decoder.DecodeChain(tokens));
        if (_decoder is not null && _model is BpeModel { EndOfWordSuffix: { } suffix })
        {
            text = text.Replace(suffix, " ");
            if (skipSpecialTokens) text = JsText.Trim(text);
        }
        return _cleanUpTokenizationSpaces ? JsText.CleanUpTokenization(text) : text;
    }

    /// <summary>The id of a vocabulary or added token, or null.</summary>
    public int? TokenToId(string? token) => token is null ? null : _model.Vocabulary.GetId(token);

    /// <summary>The vocabulary string of an id, or null when out of range.</summary>
    public string? IdToToken(int id) => _model.Vocabulary.GetToken(id);

    /// <summary>Whether the id belongs to a special token (skipped by <see cref="Decode"/>).</summary>
    public bool IsSpecialToken(int id) => IdToToken(id) is { } t && _specialTokens.Contains(t);

    private List<int> EncodeText(string text)
    {
        var ids = new List<int>();
        var sections = _rawSplitter.Split(text);
        ApplyStrip(sections);
        for (int index = 0; index < sections.Count; index++)
        {
            var section = sections[index];
            if (section.Length == 0) continue;
            if (_addedTokens.TryGetValue(section, out var added)) { ids.Add(added.Id); continue; }
            if (_removeSpace) section = string.Join(' ', section.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (_lowercaseAndRemoveAccent) section = JsText.RemoveMarks(JsText.ToLower(section), nonSpacingOnly: false);
            if (_normalizer is not null) section = _normalizer.Normalize(section);
            if (section.Length == 0) continue;

            var subsections = _normalizedSplitter.Split(section);
            ApplyStrip(subsections);
            foreach (var sub in subsections)
            {
                if (sub.Length == 0) continue;
                if (_addedTokens.TryGetValue(sub, out added)) { ids.Add(added.Id); continue; }
                int mark = ids.Count;
                if (_preTokenizer is null) _model.Tokenize(sub, ids);
                else if (_preTokenizer is RangePreTokenizer splitter)
                {
                    var ranges = new List<(int Start, int Length)>();
                    splitter.SplitRanges(sub, ranges);
                    foreach (var (start, length) in ranges) _model.Tokenize(sub.AsSpan(start, length), ids);
                }
                else
                {
                    var words = new List<string>();
                    _preTokenizer.Split(sub, index, words);
                    foreach (var word in words) _model.Tokenize(word, ids);
                }
                if (_model.FuseUnknown && _model.UnknownId is int unk) FuseUnknown(ids, mark, unk);
            }
        }
        return ids;
    }

    private void ApplyStrip(List<string> sections)
    {
        for (int i = 0; i < sections.Count; i++)
        {
            if (!_addedTokens.TryGetValue(sections[i], out var token)) continue;
            if (token.LeftStrip && i > 0) sections[i - 1] = JsText.TrimEnd(sections[i - 1]);
            if (token.RightStrip && i < sections.Count - 1) sections[i + 1] = JsText.TrimStart(sections[i + 1]);
        }
    }

    private static void FuseUnknown(List<int> ids, int start, int unk)
    {
        int write = start;
        for (int read = start; read < ids.Count; read++)
            if (!(ids[read] == unk && write > start && ids[write - 1] == unk)) ids[write++] = ids[read];
        ids.RemoveRange(write, ids.Count - write);
    }

    private Tokenizer? CreateUnderlyingTokenizer()
    {
        if (_model is WordPieceModel wordPiece)
        {
            using var vocab = new MemoryStream();
            using (var writer = new StreamWriter(vocab, leaveOpen: true))
                for (int id = 0; id < _model.Vocabulary.Size; id++) writer.Write((_model.Vocabulary.GetToken(id) ?? $"[unused_{id}]") + "\n");
            vocab.Position = 0;
            bool lower = _normalizer is BertNormalizer || _lowercaseAndRemoveAccent;
            return BertTokenizer.Create(vocab, new BertOptions
            {
                LowerCaseBeforeTokenization = lower,
                UnknownToken = UnknownToken ?? "[UNK]",
                ClassificationToken = ClsToken ?? "[CLS]",
                SeparatorToken = SepToken ?? "[SEP]",
                PaddingToken = PadToken ?? "[PAD]",
                MaskingToken = MaskToken ?? "[MASK]",
                ContinuingSubwordPrefix = wordPiece.Prefix,
            });
        }
        string vocabJson = Path.Combine(Directory, "vocab.json"), merges = Path.Combine(Directory, "merges.txt");
        if (File.Exists(vocabJson) && File.Exists(merges))
        {
            using var v = File.OpenRead(vocabJson);
            using var m = File.OpenRead(merges);
            return CodeGenTokenizer.Create(v, m);
        }
        if (ModelFolder.FindFirst(Directory, "tokenizer.model", "spiece.model", "sentencepiece.bpe.model") is { } spm)
        {
            using var s = File.OpenRead(spm);
            return LlamaTokenizer.Create(s);
        }
        return null;
    }
}
