using System.Runtime.CompilerServices;
using MlNetLlm.Generation;
using MlNetLlm.Numerics;
using MlNetLlm.Onnx;

namespace MlNetLlm;

/// <summary>
/// A pretrained decoder-only language model (ONNX with a KV cache plus its Hugging Face tokenizer and configuration):
/// text generation (greedy or sampled, streaming, batched), perplexity and completion scoring.
/// One ONNX session is reused; all methods are thread-safe.
/// </summary>
/// <remarks>
/// Prompts are encoded like the tokenizer does by default (for Llama-style tokenizers, with BOS first, as llama2.c does).
/// A prompt that does not leave room for the new tokens in the context is shortened from the left: the BOS token is
/// kept, followed by the last tokens that fit.
/// </remarks>
public sealed class CausalLanguageModel : IPipelineLanguageModel
{
    private readonly DecoderSession _decoder;
    private readonly ModelConfig _config;
    private readonly HashSet<int> _eos;

    private CausalLanguageModel(string directory, CausalLanguageModelOptions options, DecoderSession decoder, ModelConfig config, PretrainedTokenizer tokenizer)
    {
        Directory = directory;
        Options = options;
        _decoder = decoder;
        _config = config;
        Tokenizer = tokenizer;
        if (tokenizer.VocabularySize > decoder.VocabularySize)
            throw new InvalidDataException(
                $"'{directory}': the tokenizer has ids up to {tokenizer.VocabularySize - 1} but the ONNX decoder '{decoder.ModelPath}' has a vocabulary of " +
                $"{decoder.VocabularySize} tokens; the tokenizer does not belong to this model.");
        BosTokenId = config.BosTokenId ?? tokenizer.TokenToId(tokenizer.BosToken);
        _eos = config.EosTokenIds.Count > 0 ? [.. config.EosTokenIds] : tokenizer.TokenToId(tokenizer.EosToken) is int e ? [e] : [];
        ContextLength = config.ContextLength ?? tokenizer.ModelMaxLength
            ?? throw new InvalidDataException($"Neither config.json (max_position_embeddings) nor the tokenizer (model_max_length) in '{directory}' gives the context length.");
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The options the model was loaded with.</summary>
    public CausalLanguageModelOptions Options { get; }

    /// <summary>The files of <see cref="Directory"/> the model uses (relative paths; some may not exist), for saving pipelines.</summary>
    internal IEnumerable<string> FileNames
    {
        get
        {
            return ModelFamily.CausalLanguageModel.PersistedFiles(Directory, [_decoder.ModelPath]);
        }
    }

    /// <summary>The model's tokenizer.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    /// <summary>Where the ONNX session runs ("CPU" or "CUDA:n").</summary>
    public string Device => _decoder.Device;

    /// <summary>Maximum number of tokens (prompt plus generated) the model attends to.</summary>
    public int ContextLength { get; }

    /// <summary>The token a generation starts from when the prompt is empty, if the model has one.</summary>
    public int? BosTokenId { get; }

    /// <summary>Tokens that end a generation (from generation_config.json, else config.json, else the tokenizer).</summary>
    public IReadOnlyCollection<int> EosTokenIds => _eos;

    /// <summary>
    /// Loads the model in <paramref name="directory"/>: tokenizer files, optional <c>config.json</c> and
    /// <c>generation_config.json</c>, and an ONNX decoder with <c>past_key_values.*</c> inputs
    /// (<c>model.onnx</c>, <c>onnx/model.onnx</c> or <c>decoder_model_merged.onnx</c>; see <see cref="OnnxModelOptions.OnnxVariant"/>).
    /// </summary>
    public static CausalLanguageModel FromDirectory(string directory, CausalLanguageModelOptions? options = null)
    {
        directory = ModelFolder.RequireDirectory(directory);
        options ??= new CausalLanguageModelOptions();
        var config = ModelConfig.Load(directory);
        var tokenizer = PretrainedTokenizer.FromDirectory(directory);
        var onnx = ModelFamily.CausalLanguageModel.FindGraph(directory, 0, options.OnnxVariant)[0];
        var decoder = DecoderSession.Open(onnx, config, options.DeviceSettings([onnx]));
        try
        {
            return new CausalLanguageModel(directory, options, decoder, config, tokenizer);
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a model from a local folder, or from a Hugging Face hub id (<c>org/name</c>, optionally <c>@revision</c>): only
    /// the tokenizer, configuration and the chosen ONNX decoder (<see cref="OnnxModelOptions.OnnxVariant"/>) are
    /// fetched, into the cache shared with Python's huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="options">Model options, as for <see cref="FromDirectory"/>.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static CausalLanguageModel FromPretrained(string idOrPath, CausalLanguageModelOptions? options = null, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadFamily(idOrPath, ModelFamily.CausalLanguageModel, options?.OnnxVariant, hub), options);

    /// <summary>Generates token ids after <paramref name="prompt"/> (empty: start from BOS). Returns only new ids, without eos.</summary>
    public IReadOnlyList<int> GenerateIds(string prompt, GenerationOptions? options = null) => GenerateIds([prompt], options)[0];

    /// <summary>
    /// Generates text after <paramref name="prompt"/> (empty: start from BOS), cut before any stop sequence. The text
    /// continues the prompt: <c>prompt + result</c> reads as the decoded full sequence (a leading space is kept).
    /// </summary>
    public string Generate(string prompt, GenerationOptions? options = null) => Generate([prompt], options)[0];

    /// <summary>Generates for several prompts in one batch (left padded); each row equals generating its prompt alone.</summary>
    public IReadOnlyList<IReadOnlyList<int>> GenerateIds(IReadOnlyList<string> prompts, GenerationOptions? options = null) =>
        GenerateIds(EncodeAll(prompts), options);

    /// <summary>Generates after prompts given as token ids (shortened like text prompts when too long).</summary>
    internal IReadOnlyList<IReadOnlyList<int>> GenerateIds(IReadOnlyList<int[]> promptIds, GenerationOptions? options)
    {
        using var session = Start(promptIds, options, trackText: false);
        while (session.Step()) { }
        return Enumerable.Range(0, promptIds.Count).Select(r => (IReadOnlyList<int>)[.. session.Ids(r)]).ToArray();
    }

    /// <summary>Generates text for several prompts in one batch (left padded), each cut before any stop sequence.</summary>
    public IReadOnlyList<string> Generate(IReadOnlyList<string> prompts, GenerationOptions? options = null) =>
        GenerateWithDetails(prompts, options).Select(r => r.Text).ToArray();

    /// <summary>Generates after <paramref name="prompt"/> like <see cref="Generate(string, GenerationOptions?)"/>, with the ids, finish reason and token counts.</summary>
    public GenerationResult GenerateWithDetails(string prompt, GenerationOptions? options = null) => GenerateWithDetails([prompt], options)[0];

    /// <summary>Generates for several prompts in one batch (left padded), with each row's ids, finish reason and token counts.</summary>
    public IReadOnlyList<GenerationResult> GenerateWithDetails(IReadOnlyList<string> prompts, GenerationOptions? options = null)
    {
        using var session = Start(EncodeAll(prompts), options, trackText: true);
        while (session.Step()) { }
        return Enumerable.Range(0, prompts.Count).Select(session.GetResult).ToArray();
    }

    /// <summary>
    /// A step-level session: append the prompt's token ids (none: start from BOS), then generate token by token. The
    /// prompt is shortened from the left like a text prompt when it does not leave room for the new tokens.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public GenerationSession CreateSession(GenerationOptions? options = null)
    {
        var settings = SamplingSettings.Resolve(options, _config, ContextLength);
        return new GenerationSession(Tokenizer, _eos, settings, trackText: true, prompts => StartSteps(prompts.Select(p => p.Length > 0 ? p : Encode("")).ToArray(), settings));
    }

    /// <summary>
    /// Generates text after <paramref name="prompt"/> piece by piece as tokens arrive. The pieces concatenate to what
    /// <see cref="Generate(string, GenerationOptions?)"/> returns: incomplete UTF-8 byte sequences and possible starts of a
    /// stop sequence are held back until resolved. Tokens are generated on a thread-pool thread. Cancellation (or leaving the
    /// loop) stops generation before the next token; a cancelled enumeration throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<string> GenerateStreamingAsync(string prompt, GenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var piece in GenerateStreamingAsync(Encode(prompt), options, null, cancellationToken).ConfigureAwait(false))
            yield return piece;
    }

    /// <summary>Streams the text generated after <paramref name="promptIds"/>; <paramref name="finished"/> receives the result once generation ends normally.</summary>
    internal async IAsyncEnumerable<string> GenerateStreamingAsync(int[] promptIds, GenerationOptions? options, Action<GenerationResult>? finished,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var piece in GenerationStream.ReadAsync(Start([promptIds], options, trackText: true), finished, cancellationToken).ConfigureAwait(false))
            yield return piece;
    }

    /// <summary>
    /// Perplexity of <paramref name="text"/> (encoded with special tokens, every token after the first is predicted).
    /// Text longer than the context is scored with a sliding window of the context length and a stride of half of it,
    /// as in the Hugging Face perplexity guide; each token is scored once.
    /// </summary>
    public double Perplexity(string text)
    {
        var ids = Encode(text);
        if (ids.Length < 2)
            throw new ArgumentException("The text must have at least one token after the first to compute a perplexity.", nameof(text));
        int stride = Math.Max(1, ContextLength / 2);
        double logLikelihood = 0;
        int count = 0, previousEnd = 0;
        for (int begin = 0; ; begin += stride)
        {
            int end = Math.Min(begin + ContextLength, ids.Length);
            int from = Math.Max(previousEnd, begin + 1) - begin;
            var (sum, n) = LogProbabilities([ids[begin..end]], [from])[0];
            logLikelihood += sum;
            count += n;
            previousEnd = end;
            if (end == ids.Length) break;
        }
        return Math.Exp(-logLikelihood / count);
    }

    /// <summary>
    /// Sum of the log-probabilities of each completion's tokens after <paramref name="prompt"/>. The completion tokens are
    /// those of <c>prompt + completion</c> after the longest common prefix with the prompt's tokens; a prompt too long for
    /// the context is shortened from the left like a generation prompt.
    /// </summary>
    public IReadOnlyList<double> ScoreCompletions(string prompt, IReadOnlyList<string> completions) =>
        ScoreCompletionsWithCounts(prompt, completions).Select(s => s.Sum).ToArray();

    /// <summary>Summed completion log-probabilities with the number of tokens scored, in one batched forward pass.</summary>
    internal IReadOnlyList<(double Sum, int Count)> ScoreCompletionsWithCounts(string prompt, IReadOnlyList<string> completions)
    {
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count == 0) return [];
        var promptIds = Encode(prompt);
        var sequences = new int[completions.Count][];
        var from = new int[completions.Count];
        for (int i = 0; i < completions.Count; i++)
        {
            var full = Encode(prompt + completions[i]);
            int common = 0;
            while (common < promptIds.Length && common < full.Length && full[common] == promptIds[common]) common++;
            int scored = full.Length - Math.Max(common, 1);
            if (scored >= ContextLength)
                throw new ArgumentException($"Completion {i} has {scored} tokens; at most {ContextLength - 1} fit in the context.", nameof(completions));
            sequences[i] = Fit(full, 0);
            from[i] = sequences[i].Length - scored;
        }
        return LogProbabilities(sequences, from);
    }

    /// <summary>The logits of the last of <paramref name="ids"/> after one forward pass over them from an empty cache.</summary>
    internal float[] NextTokenLogits(int[] ids)
    {
        using var cache = _decoder.CreateCache(1);
        var positions = Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray();
        var logits = _decoder.Forward(cache, ids.Select(i => (long)i).ToArray(), Enumerable.Repeat(1L, ids.Length).ToArray(), positions, ids.Length);
        return logits[^_decoder.VocabularySize..].ToArray();
    }

    /// <summary>The id fed at padded positions (masked out, so any id works): pad_token_id, else the tokenizer's pad or eos token.</summary>
    private int PaddingId => _config.PadTokenId ?? Tokenizer.PadTokenId;

    /// <summary>Throws the <see cref="ArgumentOutOfRangeException"/> generation would throw for invalid <paramref name="options"/>.</summary>
    internal void Validate(GenerationOptions? options) => SamplingSettings.Resolve(options, _config, ContextLength);

    LanguageModelOptions ILanguageModel.Options => Options;

    IEnumerable<string> IPipelineLanguageModel.FileNames => FileNames;

    void IPipelineLanguageModel.Validate(GenerationOptions? options) => Validate(options);

    IReadOnlyList<(double Sum, int Count)> IPipelineLanguageModel.ScoreCompletionsWithCounts(string input, IReadOnlyList<string> completions) =>
        ScoreCompletionsWithCounts(input, completions);

    string IPipelineLanguageModel.LabelCompletion(string label) => " " + label;

    /// <summary>Releases the ONNX session.</summary>
    public void Dispose() => _decoder.Dispose();

    private GenerationSession Start(IReadOnlyList<int[]> prompts, GenerationOptions? options, bool trackText)
    {
        var settings = SamplingSettings.Resolve(options, _config, ContextLength);
        return new GenerationSession(Tokenizer, _eos, settings, trackText, p => StartSteps(p, settings), prompts);
    }

    /// <summary>The decoding steps over <paramref name="prompts"/>, each shortened to leave room for its new tokens.</summary>
    private (IDecodingSteps, (int[], int, int)[]) StartSteps(IReadOnlyList<int[]> prompts, SamplingSettings settings)
    {
        var rows = prompts.Select(ids =>
        {
            int maxNew = settings.NewTokensFor(ids.Length);
            var fitted = Fit(ids, maxNew);
            return (fitted, maxNew, fitted.Length);
        }).ToArray();
        foreach (var (ids, _, _) in rows)
            foreach (var id in ids)
                if (id >= _decoder.VocabularySize)
                    throw new ArgumentOutOfRangeException("tokens", id, $"Token ids must be below the vocabulary size of '{_decoder.ModelPath}' ({_decoder.VocabularySize}).");
        return (new CausalDecodingSteps(_decoder, ContextLength, PaddingId, [.. rows.Select(r => r.fitted)], rows.Max(r => r.maxNew)), rows);
    }

    private int[][] EncodeAll(IReadOnlyList<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("At least one prompt is required.", nameof(prompts));
        return prompts.Select(p => Encode(p)).ToArray();
    }

    /// <summary>The prompt's ids, with special tokens unless told otherwise; an empty encoding becomes [BOS].</summary>
    internal int[] Encode(string text, bool addSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Tokenizer.Encode(text, addSpecialTokens: addSpecialTokens).Ids;
        if (ids.Length > 0) return ids;
        return BosTokenId is int bos ? [bos] : throw new ArgumentException("The prompt is empty and the model has no BOS token to start from.", nameof(text));
    }

    /// <summary>Shortens <paramref name="ids"/> from the left (keeping a leading BOS) so that <paramref name="room"/> more tokens fit in the context.</summary>
    private int[] Fit(int[] ids, int room)
    {
        int keep = ContextLength - room;
        if (ids.Length <= keep) return ids;
        return ids[0] == BosTokenId ? [ids[0], .. ids[^(keep - 1)..]] : ids[^keep..];
    }

    /// <summary>
    /// For each sequence, the summed log-probability of its tokens from index <paramref name="from"/>[r] on, and how many
    /// there are. One forward pass over the batch, right padded.
    /// </summary>
    private (double Sum, int Count)[] LogProbabilities(int[][] sequences, int[] from)
    {
        int batch = sequences.Length, length = sequences.Max(s => s.Length), vocabulary = _decoder.VocabularySize;
        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var positions = new long[batch * length];
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < length; j++)
            {
                bool real = j < sequences[r].Length;
                ids[r * length + j] = real ? sequences[r][j] : PaddingId;
                mask[r * length + j] = real ? 1 : 0;
                positions[r * length + j] = j;
            }
        using var cache = _decoder.CreateCache(batch);
        var logits = _decoder.Forward(cache, ids, mask, positions, length);
        var scratch = new float[vocabulary];
        var result = new (double, int)[batch];
        for (int r = 0; r < batch; r++)
        {
            double sum = 0;
            for (int t = from[r]; t < sequences[r].Length; t++)
                sum += Softmax.LogProbability(logits.Slice((r * length + t - 1) * vocabulary, vocabulary), sequences[r][t], scratch);
            result[r] = (sum, sequences[r].Length - from[r]);
        }
        return result;
    }
}
