using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using MlNetLlm.Generation;
using MlNetLlm.Numerics;
using MlNetLlm.Onnx;

namespace MlNetLlm;

/// <summary>
/// A pretrained encoder-decoder (sequence-to-sequence) model such as T5, FLAN-T5, BART or Marian, exported to ONNX in the
/// Optimum / transformers.js layout (<c>encoder_model.onnx</c> + <c>decoder_model_merged.onnx</c>, or the older
/// <c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c>), with its Hugging Face
/// tokenizer and configuration: text-to-text generation (greedy or sampled, streaming, batched) and target scoring.
/// The ONNX sessions are reused; all methods are thread-safe.
/// </summary>
/// <remarks>
/// Inputs are encoded as the tokenizer does by default (T5: ending with <c>&lt;/s&gt;</c>); an empty input is that
/// encoding alone. An input longer than <see cref="MaxInputLength"/> keeps its first tokens and its final special token.
/// The encoder runs once per input; the decoder starts from <see cref="DecoderStartTokenId"/> and reuses its KV cache and
/// the cross-attention cache of its first step. Generated text is the generated ids decoded without special tokens.
/// </remarks>
public sealed class Seq2SeqLanguageModel : IPipelineLanguageModel
{
    private readonly EncoderDecoderSession _session;
    private readonly ModelConfig _config;
    private readonly HashSet<int> _eos;
    private readonly string _prefix;
    private readonly int _decoderLimit;

    private Seq2SeqLanguageModel(string directory, Seq2SeqLanguageModelOptions options, EncoderDecoderSession session, ModelConfig config,
        PretrainedTokenizer tokenizer)
    {
        Directory = directory;
        Options = options;
        _session = session;
        _config = config;
        Tokenizer = tokenizer;
        ModelType = config.ModelType;
        TaskPrefixes = config.TaskPrefixes;
        DecoderStartTokenId = config.DecoderStartTokenId ?? config.PadTokenId
            ?? throw new InvalidDataException($"Neither config.json nor generation_config.json in '{directory}' gives decoder_start_token_id (or pad_token_id).");
        _eos = config.EosTokenIds.Count > 0 ? [.. config.EosTokenIds] : tokenizer.TokenToId(tokenizer.EosToken) is int e ? [e] : [];
        _decoderLimit = config.PositionLimit ?? tokenizer.ModelMaxLength ?? 512;
        MaxInputLength = options.MaxInputLength ?? tokenizer.ModelMaxLength ?? config.PositionLimit ?? 512;
        if (MaxInputLength <= 0)
            throw new ArgumentOutOfRangeException(nameof(Seq2SeqLanguageModelOptions.MaxInputLength), MaxInputLength, "MaxInputLength must be positive.");
        if (options.Task is null) _prefix = "";
        else if (!TaskPrefixes.TryGetValue(options.Task, out _prefix!))
            throw new ArgumentException(
                $"Task '{options.Task}' has no prefix in '{Path.Combine(directory, "config.json")}' task_specific_params; " +
                $"its tasks are [{string.Join(", ", TaskPrefixes.Keys)}].", nameof(Seq2SeqLanguageModelOptions.Task));
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The options the model was loaded with.</summary>
    public Seq2SeqLanguageModelOptions Options { get; }

    /// <summary>The model's tokenizer.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    /// <summary>Where the ONNX sessions run ("CPU" or "CUDA:n").</summary>
    public string Device => _session.Device;

    /// <summary>config.json <c>model_type</c> (e.g. <c>t5</c>, <c>bart</c>), if given.</summary>
    public string? ModelType { get; }

    /// <summary>The token the decoder starts from (<c>decoder_start_token_id</c>, else <c>pad_token_id</c>).</summary>
    public int DecoderStartTokenId { get; }

    /// <summary>Tokens that end a generation (from generation_config.json, else config.json, else the tokenizer).</summary>
    public IReadOnlyCollection<int> EosTokenIds => _eos;

    /// <summary>Longest input, in tokens, fed to the encoder (see <see cref="Seq2SeqLanguageModelOptions.MaxInputLength"/>).</summary>
    public int MaxInputLength { get; }

    /// <summary>
    /// The input prefixes of config.json <c>task_specific_params</c> by task (t5-small: <c>summarization</c> →
    /// <c>"summarize: "</c>, <c>translation_en_to_de</c> → <c>"translate English to German: "</c>, …); empty when none.
    /// Choose one with <see cref="Seq2SeqLanguageModelOptions.Task"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> TaskPrefixes { get; }

    LanguageModelOptions ILanguageModel.Options => Options;

    /// <summary>
    /// Loads the model in <paramref name="directory"/>: tokenizer files, <c>config.json</c>, optional <c>generation_config.json</c>,
    /// <c>encoder_model.onnx</c> and <c>decoder_model_merged.onnx</c> (in the folder or <c>onnx/</c>; see
    /// <see cref="OnnxModelOptions.OnnxVariant"/>), or, without a merged decoder, the older non-merged pair
    /// <c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The encoder, the decoder or half of a decoder pair is missing (the message lists the paths tried).</exception>
    /// <exception cref="InvalidDataException">A file lacks the expected inputs or outputs, or the decoder does not fit the encoder's hidden size.</exception>
    public static Seq2SeqLanguageModel FromDirectory(string directory, Seq2SeqLanguageModelOptions? options = null)
    {
        directory = ModelFolder.RequireDirectory(directory);
        options ??= new Seq2SeqLanguageModelOptions();
        var encoder = ModelFamily.EncoderDecoder.FindGraph(directory, 0, options.OnnxVariant)[0];
        var decoders = ModelFamily.EncoderDecoder.FindGraph(directory, 1, options.OnnxVariant);
        var decoder = decoders[0];
        var withPast = decoders.Length > 1 ? decoders[1] : null;

        var config = ModelConfig.Load(directory);
        var tokenizer = PretrainedTokenizer.FromDirectory(directory);
        var session = EncoderDecoderSession.Open(encoder, decoder, withPast, config, config.HiddenSize,
            options.DeviceSettings(withPast is null ? [encoder, decoder] : [encoder, decoder, withPast]));
        try
        {
            return new Seq2SeqLanguageModel(directory, options, session, config, tokenizer);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a model from a local folder, or from a Hugging Face hub id (<c>org/name</c>, optionally <c>@revision</c>): only
    /// the tokenizer, configuration and the two ONNX files of the chosen variant are fetched, into the cache shared with
    /// Python's huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="options">Model options, as for <see cref="FromDirectory"/>.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static Seq2SeqLanguageModel FromPretrained(string idOrPath, Seq2SeqLanguageModelOptions? options = null, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadFamily(idOrPath, ModelFamily.EncoderDecoder, options?.OnnxVariant, hub), options);

    /// <summary>Generates token ids for <paramref name="input"/>. Returns only new ids, without eos.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (e.g. <see cref="GenerationOptions.MaxNewTokens"/> ≤ 0); the message names it.</exception>
    public IReadOnlyList<int> GenerateIds(string input, GenerationOptions? options = null) => GenerateIds([input], options)[0];

    /// <summary>Generates for several inputs in one batch (right-padded encoder inputs, decoded together); each row equals generating its input alone.</summary>
    public IReadOnlyList<IReadOnlyList<int>> GenerateIds(IReadOnlyList<string> inputs, GenerationOptions? options = null)
    {
        using var session = Start(EncodeAll(inputs), options, trackText: false);
        while (session.Step()) { }
        return Enumerable.Range(0, inputs.Count).Select(r => (IReadOnlyList<int>)[.. session.Ids(r)]).ToArray();
    }

    /// <summary>Generates text for <paramref name="input"/>: the new ids decoded without special tokens, cut before any stop sequence.</summary>
    public string Generate(string input, GenerationOptions? options = null) => Generate([input], options)[0];

    /// <summary>Generates text for several inputs in one batch; each row equals generating its input alone.</summary>
    public IReadOnlyList<string> Generate(IReadOnlyList<string> inputs, GenerationOptions? options = null) =>
        GenerateWithDetails(inputs, options).Select(r => r.Text).ToArray();

    /// <summary>Generates for <paramref name="input"/> like <see cref="Generate(string, GenerationOptions?)"/>, with the ids, finish reason and token counts (prompt tokens: the encoder input).</summary>
    public GenerationResult GenerateWithDetails(string input, GenerationOptions? options = null) => GenerateWithDetails([input], options)[0];

    /// <summary>Generates for several inputs in one batch, with each row's ids, finish reason and token counts.</summary>
    public IReadOnlyList<GenerationResult> GenerateWithDetails(IReadOnlyList<string> inputs, GenerationOptions? options = null)
    {
        using var session = Start(EncodeAll(inputs), options, trackText: true);
        while (session.Step()) { }
        return Enumerable.Range(0, inputs.Count).Select(session.GetResult).ToArray();
    }

    /// <summary>
    /// A step-level session: append the encoder input's token ids (as the tokenizer gives them, with the task prefix and
    /// special tokens if wanted; at most <see cref="MaxInputLength"/>), then generate token by token from the decoder start token.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public GenerationSession CreateSession(GenerationOptions? options = null)
    {
        var settings = SamplingSettings.Resolve(options, _config, _decoderLimit);
        return new GenerationSession(Tokenizer, _eos, settings, trackText: true, inputs =>
        {
            if (inputs[0].Length == 0 || inputs[0].Length > MaxInputLength)
                throw new ArgumentOutOfRangeException("tokens", inputs[0].Length, $"The encoder input must have between 1 and {MaxInputLength} tokens (MaxInputLength).");
            return StartSteps(inputs, settings);
        });
    }

    /// <summary>
    /// Generates text for <paramref name="input"/> piece by piece as tokens arrive; the pieces concatenate to what
    /// <see cref="Generate(string, GenerationOptions?)"/> returns. Tokens are generated on a thread-pool thread; cancellation
    /// (or leaving the loop) stops generation before the next token.
    /// </summary>
    public async IAsyncEnumerable<string> GenerateStreamingAsync(string input, GenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var session = Start([EncodeInput(input)], options, trackText: true);
        await foreach (var piece in GenerationStream.ReadAsync(session, null, cancellationToken).ConfigureAwait(false))
            yield return piece;
    }

    /// <summary>
    /// The log-likelihood of each target given <paramref name="input"/>: the summed log-probabilities of the target's
    /// tokens, encoded as the tokenizer does (T5: with the final <c>&lt;/s&gt;</c>, as Hugging Face's <c>labels</c>), each
    /// predicted after the decoder start token and the target's earlier tokens. One encoder run and one batched decoder run.
    /// </summary>
    /// <exception cref="ArgumentException">A target encodes to no tokens or to more than the decoder's limit.</exception>
    public IReadOnlyList<double> ScoreCompletions(string input, IReadOnlyList<string> targets) =>
        Score(input, targets).Select(s => s.Sum).ToArray();

    /// <summary>Releases the ONNX sessions.</summary>
    public void Dispose() => _session.Dispose();

    IEnumerable<string> IPipelineLanguageModel.FileNames =>
        ModelFamily.EncoderDecoder.PersistedFiles(Directory,
            _session.WithPastPath is { } withPast ? [_session.EncoderPath, _session.DecoderPath, withPast] : [_session.EncoderPath, _session.DecoderPath]);

    void IPipelineLanguageModel.Validate(GenerationOptions? options) => SamplingSettings.Resolve(options, _config, _decoderLimit);

    string IPipelineLanguageModel.LabelCompletion(string label) => label;

    IReadOnlyList<(double Sum, int Count)> IPipelineLanguageModel.ScoreCompletionsWithCounts(string input, IReadOnlyList<string> completions) =>
        Score(input, completions);

    /// <summary>Summed target log-probabilities with the number of tokens scored.</summary>
    private (double Sum, int Count)[] Score(string input, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) return [];
        var source = EncodeInput(input);
        var labels = new int[targets.Count][];
        for (int i = 0; i < labels.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(targets[i], nameof(targets));
            labels[i] = Tokenizer.Encode(targets[i]).Ids;
            if (labels[i].Length == 0 || labels[i].Length > _decoderLimit)
                throw new ArgumentException($"Target {i} has {labels[i].Length} tokens; expected between 1 and {_decoderLimit}.", nameof(targets));
        }
        int batch = labels.Length, length = labels.Max(l => l.Length), vocabulary = _session.VocabularySize;
        // Teacher forcing: the decoder reads [start, t0 … t(n-2)] and predicts t0 … t(n-1). Right padding is never attended
        // to by real positions (the decoder's self-attention is causal).
        var decoderIds = new long[batch * length];
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < length; j++)
                decoderIds[r * length + j] = j == 0 ? DecoderStartTokenId : j < labels[r].Length ? labels[r][j - 1] : PaddingId;

        using var steps = new Seq2SeqDecodingSteps(_session, [.. Enumerable.Repeat(source, batch)], DecoderStartTokenId, PaddingId);
        using var logitsValue = steps.Forward(decoderIds, length);
        var logits = logitsValue[0].GetTensorDataAsSpan<float>();
        var scratch = new float[vocabulary];
        var result = new (double, int)[batch];
        for (int r = 0; r < batch; r++)
        {
            double sum = 0;
            for (int j = 0; j < labels[r].Length; j++)
                sum += Softmax.LogProbability(logits.Slice((r * length + j) * vocabulary, vocabulary), labels[r][j], scratch);
            result[r] = (sum, labels[r].Length);
        }
        return result;
    }

    /// <summary>The encoder's hidden states and the first decoder step's logits for <paramref name="input"/> (for checks against references).</summary>
    internal (float[] EncoderStates, float[] FirstLogits) FirstStep(string input)
    {
        using var steps = new Seq2SeqDecodingSteps(_session, [EncodeInput(input)], DecoderStartTokenId, PaddingId);
        var logits = steps.Step([], out _).ToArray();
        return (steps.EncoderStates.ToArray(), logits);
    }

    /// <summary>The id fed at padded positions (masked out, so any id works): pad_token_id, else the tokenizer's pad or eos token.</summary>
    private int PaddingId => _config.PadTokenId ?? Tokenizer.PadTokenId;

    private GenerationSession Start(int[][] inputs, GenerationOptions? options, bool trackText)
    {
        var settings = SamplingSettings.Resolve(options, _config, _decoderLimit);
        return new GenerationSession(Tokenizer, _eos, settings, trackText, i => StartSteps(i, settings), inputs);
    }

    private (IDecodingSteps, (int[], int, int)[]) StartSteps(IReadOnlyList<int[]> inputs, SamplingSettings settings)
    {
        // The decoder's sequence starts with the start token, so max_length leaves max_length - 1 new tokens.
        int maxNew = settings.NewTokensFor(1);
        foreach (var id in inputs.SelectMany(i => i))
            if (id >= _session.VocabularySize)
                throw new ArgumentOutOfRangeException("tokens", id, $"Token ids must be below the vocabulary size of '{_session.EncoderPath}' ({_session.VocabularySize}).");
        return (new Seq2SeqDecodingSteps(_session, [.. inputs], DecoderStartTokenId, PaddingId),
            inputs.Select(i => (new[] { DecoderStartTokenId }, maxNew, i.Length)).ToArray());
    }

    private int[][] EncodeAll(IReadOnlyList<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException("At least one input is required.", nameof(inputs));
        return inputs.Select(EncodeInput).ToArray();
    }

    /// <summary>The input's ids with the task prefix and special tokens, truncated to <see cref="MaxInputLength"/> keeping the final special token.</summary>
    private int[] EncodeInput(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var ids = Tokenizer.Encode(_prefix + input).Ids;
        if (ids.Length == 0) return [_eos.Count > 0 ? _eos.Min() : PaddingId];
        if (ids.Length <= MaxInputLength) return ids;
        return Tokenizer.IsSpecialToken(ids[^1]) ? [.. ids[..(MaxInputLength - 1)], ids[^1]] : ids[..MaxInputLength];
    }
}
