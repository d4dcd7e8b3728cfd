using System.Buffers;
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
/// Immutable and safe to use from several threads. It is a <see cref="Tokenizer"/>, so it works wherever ML.NET takes one
/// (<see cref="Tokenizer.EncodeToIds(string, bool, bool)"/>, <see cref="Tokenizer.CountTokens(string, bool, bool)"/>,
/// <see cref="Tokenizer.GetIndexByTokenCount(string, int, out string?, out int, bool, bool)"/>, <see cref="Decode(IEnumerable{int})"/>)
/// with the same ids as <see cref="Encode(string?, string?, bool, int?)"/>, special tokens included.
/// </summary>
public sealed class PretrainedTokenizer : Tokenizer
{
    private const int ParallelBatchThreshold = 64;

    private readonly TextNormalizer? _normalizer, _textNormalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly TokenModel _model;
    private readonly PostProcessor? _postProcessor;
    private readonly TokenDecoder? _decoder;
    private readonly Dictionary<string, AddedToken> _addedTokens;
    private readonly Dictionary<string, AddedToken>.AlternateLookup<ReadOnlySpan<char>> _addedBySpan;
    private readonly AddedTokenSplitter _rawSplitter, _normalizedSplitter;
    private readonly HashSet<string> _specialTokens;
    private readonly bool _cleanUpTokenizationSpaces;

    private PretrainedTokenizer(string directory, JsonElement tokenizerJson, JsonElement config, Vocabulary? vocabOverride = null)
    {
        Directory = directory;
        _normalizer = TokenizerJson.Section("normalizer", () => TextNormalizer.Create(tokenizerJson.GetPropertyOrNull("normalizer")));
        _preTokenizer = TokenizerJson.Section("pre_tokenizer", () => MlNetLlm.Tokenization.PreTokenizer.Create(tokenizerJson.GetPropertyOrNull("pre_tokenizer")));
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

        _addedBySpan = _addedTokens.GetAlternateLookup<ReadOnlySpan<char>>();
        _cleanUpTokenizationSpaces = config.GetBool("clean_up_tokenization_spaces", true);
        // Legacy configs rewrite the text before tokenizer.json's normalizer (added tokens see only the latter).
        TextNormalizer?[] steps =
        [
            config.GetBool("remove_space", false) ? new CollapseSpacesNormalizer() : null,
            config.GetBool("do_lowercase_and_remove_accent", false) ? new LowercaseAndRemoveAccentNormalizer() : null,
            _normalizer,
        ];
        var chain = steps.OfType<TextNormalizer>().ToArray();
        _textNormalizer = chain.Length switch { 0 => null, 1 => chain[0], _ => new SequenceNormalizer(chain) };
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

    /// <summary>Whether <see cref="Decode(IEnumerable{int}, bool)"/> removes spaces before punctuation and contractions (<c>clean_up_tokenization_spaces</c>).</summary>
    internal bool CleansUpTokenizationSpaces => _cleanUpTokenizationSpaces;

    /// <summary>The Jinja chat template from <c>tokenizer_config.json</c>, if any.</summary>
    public string? ChatTemplate { get; }

    /// <summary>
    /// This tokenizer. It used to be a separate, approximate <c>Microsoft.ML.Tokenizers</c> tokenizer for APIs that take
    /// one; <see cref="PretrainedTokenizer"/> now derives from <see cref="Tokenizer"/> with the exact ids, so pass it directly.
    /// </summary>
    [Obsolete("PretrainedTokenizer is a Microsoft.ML.Tokenizers.Tokenizer with the exact Hugging Face ids: use it directly.")]
    public Tokenizer? UnderlyingTokenizer => this;

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
    /// empty string (only the special tokens). A null <paramref name="textPair"/> encodes a single text; an empty one is an
    /// empty second text whose special tokens are still added (<c>[CLS] a [SEP] [SEP]</c>), as Hugging Face's batched call
    /// and sentence-transformers' <c>CrossEncoder</c> produce (Python's single call <c>tokenizer(a, "")</c> drops it). With
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
        int? limit = maxLength is int max ? Math.Min(max, ModelMaxLength ?? int.MaxValue) : null;
        return EncodeCore(text ?? "", textPair, addSpecialTokens, limit, truncation);
    }

    private TokenizedText EncodeCore(string text, string? textPair, bool addSpecialTokens, int? limit, TruncationStrategy truncation,
        bool normalize = true, bool preTokenize = true)
    {
        var first = EncodeText(text, normalize, preTokenize);
        var second = textPair is null ? null : EncodeText(textPair, normalize, preTokenize);
        if (limit is int max)
        {
            int special = addSpecialTokens ? SpecialTokenCount(second is not null) : 0;
            if (max < special)
                throw new ArgumentOutOfRangeException("maxLength", max,
                    $"maxLength {max} leaves no room for the {special} special tokens this tokenizer adds to a {(second is null ? "single text" : "pair")}.");
            Truncation.Apply(first, second, max - special, truncation);
        }

        ProcessedTokens processed;
        if (_postProcessor is not null) processed = _postProcessor.Process(first, second, addSpecialTokens);
        else
        {
            processed = new ProcessedTokens();
            processed.AddSequence(first, 0, second: false);
            if (second is not null) processed.AddSequence(second, 1, second: true);
        }

        int count = processed.Tokens.Count;
        var ids = new int[count];
        var tokens = new string[count];
        var offsets = new (int Start, int Length)[count];
        for (int i = 0; i < count; i++)
        {
            var t = processed.Tokens[i];
            ids[i] = t.Id;
            tokens[i] = _model.Vocabulary.GetToken(t.Id) ?? UnknownToken ?? "";
            offsets[i] = (t.Start, t.End - t.Start);
        }
        return new TokenizedText(ids, processed.TypeIds.ToArray(), tokens, processed.SpecialMask.ToArray(), offsets, processed.SequenceIds.ToArray());
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
    /// batches, truncating each pair by <paramref name="truncation"/>; results are in input order. Every row is a pair: a
    /// null second text is an empty one (<c>[CLS] a [SEP] [SEP]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public IReadOnlyList<TokenizedText> EncodeBatch(IReadOnlyList<string?> texts, IReadOnlyList<string?> textPairs, bool addSpecialTokens = true,
        int? maxLength = null, TruncationStrategy truncation = TruncationStrategy.LongestFirst)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(textPairs);
        if (textPairs.Count != texts.Count)
            throw new ArgumentException($"textPairs has {textPairs.Count} texts but texts has {texts.Count}; they must pair up one to one.", nameof(textPairs));
        return EncodeMany(texts.Count, i => Encode(texts[i], textPairs[i] ?? "", addSpecialTokens, maxLength, truncation));
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
        var text = DecodeWithoutCleanUp(ids, skipSpecialTokens);
        return _cleanUpTokenizationSpaces ? JsText.CleanUpTokenization(text) : text;
    }

    /// <summary><see cref="Decode(IEnumerable{int}, bool)"/> before clean_up_tokenization_spaces (which streaming applies as the text arrives).</summary>
    internal string DecodeWithoutCleanUp(IEnumerable<int> ids, bool skipSpecialTokens = true)
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
        return text;
    }

    /// <summary>The id of a vocabulary or added token, or null.</summary>
    public int? TokenToId(string? token) => token is null ? null : _model.Vocabulary.GetId(token);

    /// <summary>The vocabulary string of an id, or null when out of range.</summary>
    public string? IdToToken(int id) => _model.Vocabulary.GetToken(id);

    /// <summary>The text after this tokenizer's normalization (what the offsets property test compares with).</summary>
    internal string NormalizeText(string text) => _textNormalizer?.Normalize(text) ?? text;

    /// <summary>Whether the id belongs to a special token (skipped by <see cref="Decode(IEnumerable{int}, bool)"/>).</summary>
    public bool IsSpecialToken(int id) => IdToToken(id) is { } t && _specialTokens.Contains(t);

    /// <summary>Decodes ids to text, dropping special tokens (the <see cref="Tokenizer"/> form of <see cref="Decode(IEnumerable{int}, bool)"/>).</summary>
    public override string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecialTokens: true);

    /// <summary>
    /// Decodes as many of <paramref name="ids"/> (special tokens dropped) as fit into <paramref name="destination"/>:
    /// the longest prefix of the ids whose text fits.
    /// </summary>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var all = ids as IReadOnlyList<int> ?? ids.ToArray();
        string text = Decode(all, skipSpecialTokens: true);
        int count = all.Count;
        if (text.Length > destination.Length)
        {
            // Decoded length grows with the prefix: find the longest prefix that fits (the empty one always does).
            int low = 0, high = count - 1;
            (text, count) = ("", 0);
            while (low <= high)
            {
                int mid = (low + high) / 2;
                var candidate = Decode(all.Take(mid), skipSpecialTokens: true);
                if (candidate.Length <= destination.Length) { text = candidate; count = mid; low = mid + 1; }
                else high = mid - 1;
            }
        }
        text.AsSpan().CopyTo(destination);
        idsConsumed = count;
        charsWritten = text.Length;
        return count == all.Count ? OperationStatus.Done : OperationStatus.DestinationTooSmall;
    }

    /// <summary>The <see cref="Tokenizer"/> encoding: <see cref="Encode(string?, string?, bool, int?)"/> with special tokens, offsets into the text.</summary>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var encoded = EncodeForTokenizer(text, textSpan, settings, out int consumed);
        var tokens = new EncodedToken[encoded.Count];
        for (int i = 0; i < tokens.Length; i++)
        {
            var (start, length) = encoded.Offsets[i];
            tokens[i] = new EncodedToken(encoded.Ids[i], encoded.Tokens[i], new Range(start, start + length));
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = null, CharsConsumed = consumed };
    }

    /// <inheritdoc cref="EncodeToTokens(string?, ReadOnlySpan{char}, EncodeSettings)"/>
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var encoded = EncodeForTokenizer(text, textSpan, settings, out int consumed);
        return new EncodeResults<int> { Tokens = encoded.Ids, NormalizedText = null, CharsConsumed = consumed };
    }

    /// <summary>Number of ids <see cref="Encode(string?, string?, bool, int?)"/> gives, special tokens included.</summary>
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings) =>
        EncodeForTokenizer(text, textSpan, settings with { MaxTokenCount = int.MaxValue }, out _).Count;

    /// <summary>
    /// Where to cut the original text so that its ids, special tokens included, number at most
    /// <see cref="EncodeSettings.MaxTokenCount"/>: the end of the last token kept (from the start) or the start of the
    /// first token kept (<paramref name="fromEnd"/>). Never cuts inside a character; <paramref name="normalizedString"/> is
    /// null because the index is into the original text.
    /// </summary>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd,
        out string? normalizedString, out int tokenCount)
    {
        normalizedString = null;
        var input = text ?? textSpan.ToString();
        var full = EncodeCore(input, null, true, null, TruncationStrategy.LongestFirst, settings.ConsiderNormalization, settings.ConsiderPreTokenization);
        int special = SpecialTokenCount();
        int keep = KeptContentTokens(full, settings.MaxTokenCount - special, fromEnd);
        int content = full.Count - special;
        tokenCount = keep == 0 && settings.MaxTokenCount < special ? 0 : keep + special;
        if (keep == content) return fromEnd ? 0 : input.Length;
        var contentOffsets = ContentOffsets(full);
        if (fromEnd) return keep == 0 ? input.Length : contentOffsets[content - keep].Start;
        return keep == 0 ? 0 : contentOffsets[keep - 1].Start + contentOffsets[keep - 1].Length;
    }

    // Encodes for the Tokenizer members: special tokens included, at most MaxTokenCount ids (text tokens are cut, the
    // special tokens kept, never inside a character); consumed is how much of the text the kept tokens cover.
    private TokenizedText EncodeForTokenizer(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, out int consumed)
    {
        var input = text ?? textSpan.ToString();
        bool normalize = settings.ConsiderNormalization, preTokenize = settings.ConsiderPreTokenization;
        var full = EncodeCore(input, null, true, null, TruncationStrategy.LongestFirst, normalize, preTokenize);
        consumed = input.Length;
        if (full.Count <= settings.MaxTokenCount) return full;
        int special = SpecialTokenCount();
        if (settings.MaxTokenCount < special)
        {
            consumed = 0;
            return EncodeCore("", null, false, null, TruncationStrategy.LongestFirst);
        }
        int keep = KeptContentTokens(full, settings.MaxTokenCount - special, fromEnd: false);
        var offsets = ContentOffsets(full);
        consumed = keep == 0 ? 0 : offsets[keep - 1].Start + offsets[keep - 1].Length;
        return EncodeCore(input, null, true, keep + special, TruncationStrategy.LongestFirst, normalize, preTokenize);
    }

    // How many text tokens (at most max) can be kept from the start or the end without splitting a character: a token
    // with an empty span continues the character before it.
    private static int KeptContentTokens(TokenizedText full, int max, bool fromEnd)
    {
        var offsets = ContentOffsets(full);
        int keep = Math.Clamp(max, 0, offsets.Count);
        if (keep == offsets.Count) return keep;
        if (fromEnd)
            while (keep > 0 && offsets[offsets.Count - keep].Length == 0 && offsets[offsets.Count - keep].Start > 0) keep--;
        else
            while (keep > 0 && offsets[keep].Length == 0 && offsets[keep].Start == offsets[keep - 1].Start + offsets[keep - 1].Length) keep--;
        return keep;
    }

    private static List<(int Start, int Length)> ContentOffsets(TokenizedText encoded)
    {
        var list = new List<(int Start, int Length)>(encoded.Count);
        for (int i = 0; i < encoded.Count; i++)
            if (encoded.SequenceIds[i] >= 0) list.Add(encoded.Offsets[i]);
        return list;
    }

    // Added tokens are cut out of the raw text, the rest is normalized, cut around normalized added tokens,
    // pre-tokenized into words and each word tokenized by the model; every token keeps its range of the original text.
    private List<TokenPiece> EncodeText(string text, bool normalize, bool preTokenize)
    {
        var tokens = new List<TokenPiece>();
        var sections = _rawSplitter.Split(text);
        ApplyStrip(text, sections);
        List<(int Start, int Length)>? ranges = null;
        for (int index = 0; index < sections.Count; index++)
        {
            var (start, length) = sections[index];
            if (length == 0) continue;
            if (_addedBySpan.TryGetValue(text.AsSpan(start, length), out var added)) { tokens.Add(new TokenPiece(added.Id, start, start + length)); continue; }
            var section = AlignedText.Identity(text.Substring(start, length), start);
            if (normalize && _textNormalizer is not null) section = _textNormalizer.Normalize(section);
            if (section.Length == 0) continue;

            var subsections = _normalizedSplitter.Split(section.Text);
            ApplyStrip(section.Text, subsections);
            foreach (var (subStart, subLength) in subsections)
            {
                if (subLength == 0) continue;
                if (_addedBySpan.TryGetValue(section.Text.AsSpan(subStart, subLength), out added))
                {
                    var (s, e) = section.Span(subStart, subStart + subLength);
                    tokens.Add(new TokenPiece(added.Id, s, e));
                    continue;
                }
                var sub = subLength == section.Length ? section : section.Slice(subStart, subLength);
                int mark = tokens.Count;
                if (_preTokenizer is null || !preTokenize) AddWord(sub, 0, sub.Length, tokens);
                else if (_preTokenizer is RangePreTokenizer splitter)
                {
                    (ranges ??= []).Clear();
                    splitter.SplitRanges(sub.Text, ranges);
                    foreach (var (wordStart, wordLength) in ranges) AddWord(sub, wordStart, wordLength, tokens);
                }
                else
                {
                    var words = new List<AlignedText>();
                    _preTokenizer.Split(sub, index, words);
                    foreach (var word in words) AddWord(word, 0, word.Length, tokens);
                }
                if (_model.FuseUnknown && _model.UnknownId is int unk) FuseUnknown(tokens, mark, unk);
            }
        }
        return tokens;
    }

    // Tokenizes characters [start, start + length) of a word and maps the model's ranges to the original text.
    private void AddWord(AlignedText word, int start, int length, List<TokenPiece> tokens)
    {
        int mark = tokens.Count;
        _model.Tokenize(word.Text.AsSpan(start, length), tokens);
        for (int i = mark; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var (s, e) = word.Span(start + t.Start, start + t.End);
            tokens[i] = new TokenPiece(t.Id, s, e);
        }
    }

    // lstrip/rstrip added tokens take the whitespace next to them off the neighbouring sections.
    private void ApplyStrip(string text, List<(int Start, int Length)> sections)
    {
        for (int i = 0; i < sections.Count; i++)
        {
            var (start, length) = sections[i];
            if (!_addedBySpan.TryGetValue(text.AsSpan(start, length), out var token)) continue;
            if (token.LeftStrip && i > 0)
            {
                var (ps, pl) = sections[i - 1];
                while (pl > 0 && JsText.IsWhitespace(text[ps + pl - 1])) pl--;
                sections[i - 1] = (ps, pl);
            }
            if (token.RightStrip && i < sections.Count - 1)
            {
                var (ns, nl) = sections[i + 1];
                while (nl > 0 && JsText.IsWhitespace(text[ns])) { ns++; nl--; }
                sections[i + 1] = (ns, nl);
            }
        }
    }

    private static void FuseUnknown(List<TokenPiece> tokens, int start, int unk)
    {
        int write = start;
        for (int read = start; read < tokens.Count; read++)
        {
            var t = tokens[read];
            if (t.Id == unk && write > start && tokens[write - 1].Id == unk) tokens[write - 1] = tokens[write - 1] with { End = t.End };
            else tokens[write++] = t;
        }
        tokens.RemoveRange(write, tokens.Count - write);
    }
}
