using System.Text.Json;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Onnx;

/// <summary>
/// The one typed reader of a model folder's <c>config.json</c> and <c>generation_config.json</c>, for every family:
/// labels, limits, special ids, sampling defaults and the encoder-decoder settings. Absent files, keys and nulls read as
/// "not set"; a value of the wrong JSON type is an <see cref="InvalidDataException"/> naming the file and the key.
/// </summary>
internal sealed class ModelConfig
{
    /// <summary>Most labels accepted from config.json (a hostile num_labels fails instead of sizing arrays).</summary>
    private const int MaxLabels = 1 << 20;

    /// <summary>model_type values of Hugging Face encoder-decoder models, for configs without <c>is_encoder_decoder</c>.</summary>
    private static readonly HashSet<string> EncoderDecoderTypes =
        ["t5", "mt5", "umt5", "longt5", "bart", "mbart", "marian", "pegasus", "m2m_100", "blenderbot", "blenderbot-small"];

    /// <summary>The path of <c>config.json</c> (whether or not it exists), for messages.</summary>
    public string ConfigPath { get; private init; } = "";

    /// <summary><c>model_type</c> (e.g. <c>bert</c>, <c>t5</c>).</summary>
    public string? ModelType { get; private init; }

    /// <summary><c>is_encoder_decoder</c>, or, when not set, whether <see cref="ModelType"/> is an encoder-decoder type (T5, BART, Marian, …).</summary>
    public bool IsEncoderDecoder { get; private init; }

    /// <summary><c>bos_token_id</c> (generation_config.json first).</summary>
    public int? BosTokenId { get; private init; }

    /// <summary><c>eos_token_id</c>: one id or a list (generation_config.json first).</summary>
    public IReadOnlyList<int> EosTokenIds { get; private init; } = [];

    /// <summary><c>pad_token_id</c> (generation_config.json first).</summary>
    public int? PadTokenId { get; private init; }

    /// <summary><c>decoder_start_token_id</c> of an encoder-decoder model (generation_config.json first).</summary>
    public int? DecoderStartTokenId { get; private init; }

    /// <summary>Position limit: <c>max_position_embeddings</c>, <c>n_positions</c> or <c>n_ctx</c>.</summary>
    public int? ContextLength { get; private init; }

    /// <summary>An encoder-decoder's position limit: <c>n_positions</c> (T5) or <c>max_position_embeddings</c> (BART).</summary>
    public int? PositionLimit { get; private init; }

    /// <summary>Hidden width: <c>d_model</c>, <c>hidden_size</c> or <c>n_embd</c>.</summary>
    public int? HiddenSize { get; private init; }

    /// <summary><c>num_key_value_heads</c>, else the attention heads.</summary>
    public int? KeyValueHeads { get; private init; }

    /// <summary><c>head_dim</c>, else hidden width / attention heads.</summary>
    public int? HeadDim { get; private init; }

    /// <summary><c>vocab_size</c>.</summary>
    public int? VocabularySize { get; private init; }

    /// <summary><c>id2label</c> names in id order (keys checked to be 0..n-1), or null when absent.</summary>
    public IReadOnlyList<string>? Id2Label { get; private init; }

    /// <summary><c>num_labels</c>.</summary>
    public int? NumLabels { get; private init; }

    /// <summary><c>problem_type</c> (e.g. <c>multi_label_classification</c>).</summary>
    public string? ProblemType { get; private init; }

    /// <summary>A cross-encoder's activation: <c>sentence_transformers.activation_fn</c> or <c>sbert_ce_default_activation_function</c>.</summary>
    public string? ActivationFunction { get; private init; }

    /// <summary>The input prefixes of <c>task_specific_params</c> by task.</summary>
    public IReadOnlyDictionary<string, string> TaskPrefixes { get; private init; } = new Dictionary<string, string>();

    /// <summary>generation_config.json <c>max_new_tokens</c>.</summary>
    public int? MaxNewTokens { get; private init; }

    /// <summary>generation_config.json <c>max_length</c>.</summary>
    public int? MaxLength { get; private init; }

    /// <summary>generation_config.json <c>do_sample</c>.</summary>
    public bool? DoSample { get; private init; }

    /// <summary>generation_config.json <c>temperature</c>.</summary>
    public float? Temperature { get; private init; }

    /// <summary>generation_config.json <c>top_k</c>.</summary>
    public int? TopK { get; private init; }

    /// <summary>generation_config.json <c>top_p</c>.</summary>
    public float? TopP { get; private init; }

    /// <summary>generation_config.json <c>repetition_penalty</c>.</summary>
    public float? RepetitionPenalty { get; private init; }

    /// <summary>Reads both files of <paramref name="directory"/>; with <paramref name="requireConfig"/>, a missing config.json is a <see cref="FileNotFoundException"/>.</summary>
    public static ModelConfig Load(string directory, bool requireConfig = false)
    {
        string configPath = requireConfig ? ModelFolder.RequireFirst(directory, "model configuration", "config.json") : Path.Combine(directory, "config.json");
        string generationPath = Path.Combine(directory, "generation_config.json");
        var c = new Reader(configPath);
        var g = new Reader(generationPath);
        // Every key is read (and so checked) even when an earlier one already gives the value.
        int? heads = First(c.Int("num_attention_heads"), c.Int("n_head"));
        int? hidden = First(c.Int("hidden_size"), c.Int("n_embd"));
        int? positions = c.Int("max_position_embeddings"), nPositions = c.Int("n_positions"), nCtx = c.Int("n_ctx");
        string? modelType = c.String("model_type");
        var eos = g.Ids("eos_token_id");
        var configEos = c.Ids("eos_token_id");
        var sentenceTransformers = c.Object("sentence_transformers")?.String("activation_fn");
        var ceActivation = c.String("sbert_ce_default_activation_function");
        return new ModelConfig
        {
            ConfigPath = configPath,
            ModelType = modelType,
            IsEncoderDecoder = c.Bool("is_encoder_decoder") ?? (modelType is not null && EncoderDecoderTypes.Contains(modelType)),
            BosTokenId = g.Ids("bos_token_id").Concat(c.Ids("bos_token_id")).Cast<int?>().FirstOrDefault(),
            EosTokenIds = eos.Count > 0 ? eos : configEos,
            PadTokenId = g.Ids("pad_token_id").Concat(c.Ids("pad_token_id")).Cast<int?>().FirstOrDefault(),
            DecoderStartTokenId = First(g.Int("decoder_start_token_id"), c.Int("decoder_start_token_id")),
            ContextLength = First(positions, nPositions, nCtx),
            PositionLimit = First(nPositions, positions),
            HiddenSize = First(c.Int("d_model"), hidden),
            KeyValueHeads = First(c.Int("num_key_value_heads"), heads),
            HeadDim = First(c.Int("head_dim"), heads > 0 ? hidden / heads : null),
            VocabularySize = c.Int("vocab_size"),
            Id2Label = c.Labels(),
            NumLabels = c.Int("num_labels"),
            ProblemType = c.String("problem_type"),
            ActivationFunction = sentenceTransformers ?? ceActivation,
            TaskPrefixes = c.TaskPrefixes(),
            MaxNewTokens = g.Int("max_new_tokens"),
            MaxLength = g.Int("max_length"),
            DoSample = g.Bool("do_sample"),
            Temperature = g.Float("temperature"),
            TopK = g.Int("top_k"),
            TopP = g.Float("top_p"),
            RepetitionPenalty = g.Float("repetition_penalty"),
        };
    }

    /// <summary>
    /// Label names in id order: <see cref="Id2Label"/>, or LABEL_0, LABEL_1, … for <paramref name="width"/> (the ONNX
    /// logits width) or <see cref="NumLabels"/> when it is absent. Throws unless the result matches a fixed <paramref name="width"/>.
    /// </summary>
    public string[] Labels(int? width, string modelPath)
    {
        string[] names;
        if (Id2Label is null)
        {
            int count = width ?? NumLabels
                ?? throw new InvalidDataException($"{ConfigPath} has no id2label or num_labels and the ONNX logits width is not fixed.");
            if (count is < 1 or > MaxLabels)
                throw new InvalidDataException($"{ConfigPath}: 'num_labels' is {count}; expected 1 to {MaxLabels}.");
            names = Enumerable.Range(0, count).Select(i => $"LABEL_{i}").ToArray();
        }
        else names = [.. Id2Label];
        if (width is int w && w != names.Length)
            throw new InvalidDataException($"'{modelPath}' outputs {w} logits but config.json id2label names {names.Length} labels.");
        return names;
    }

    private static int? First(params int?[] values) => values.FirstOrDefault(v => v is not null);

    /// <summary>Strict typed lookups in one JSON object of one file; every error names the file and the key.</summary>
    private sealed class Reader
    {
        private readonly JsonElement _e;
        private readonly string _file, _prefix;

        // An absent file reads as an undefined element, which every lookup treats as "not set".
        public Reader(string file) : this(File.Exists(file) ? TokenizerJson.ParseFile(file) : default, file, "") { }

        private Reader(JsonElement e, string file, string prefix) => (_e, _file, _prefix) = (e, file, prefix);

        private JsonElement? Value(string name) =>
            _e.ValueKind == JsonValueKind.Object && _e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        public int? Int(string name) => Value(name) is not { } v ? null
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0 ? i
            : throw Malformed(name, "a non-negative integer", v);

        public float? Float(string name) => Value(name) is not { } v ? null
            : v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw Malformed(name, "a number", v);

        public bool? Bool(string name) => Value(name) is not { } v ? null
            : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Malformed(name, "true or false", v);

        public string? String(string name) => Value(name) is not { } v ? null
            : v.ValueKind == JsonValueKind.String ? v.GetString() : throw Malformed(name, "a string", v);

        public Reader? Object(string name) => Value(name) is not { } v ? null
            : v.ValueKind == JsonValueKind.Object ? new Reader(v, _file, $"{_prefix}{name}.") : throw Malformed(name, "an object", v);

        /// <summary>A token id property that may be null, a number or a list of numbers.</summary>
        public List<int> Ids(string name)
        {
            if (Value(name) is not { } v) return [];
            var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
            if (items.Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var id) || id < 0))
                throw Malformed(name, "a token id (a non-negative integer) or a list of them", v);
            return items.Select(x => x.GetInt32()).ToList();
        }

        /// <summary><c>id2label</c>: string names under keys 0..n-1, in id order.</summary>
        public string[]? Labels()
        {
            if (Object("id2label") is not { } id2label) return null;
            var labels = id2label._e.EnumerateObject()
                .Select(p => (Id: int.TryParse(p.Name, out var id) ? id : -1, Name: p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!
                    : throw new InvalidDataException($"{_file} id2label['{p.Name}'] must be a string label; found {p.Value.GetRawText()}.")))
                .OrderBy(p => p.Id).ToArray();
            if (labels.Where((l, i) => l.Id != i).Any())
                throw new InvalidDataException($"{_file} id2label keys must be 0..{labels.Length - 1}; found [{string.Join(", ", labels.Select(l => l.Id))}].");
            return labels.Select(l => l.Name).ToArray();
        }

        /// <summary><c>task_specific_params</c>: each task's string <c>prefix</c>.</summary>
        public Dictionary<string, string> TaskPrefixes()
        {
            var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Object("task_specific_params") is { } tasks)
                foreach (var task in tasks._e.EnumerateObject())
                    if (tasks.Object(task.Name)?.String("prefix") is { } prefix) prefixes[task.Name] = prefix;
            return prefixes;
        }

        private InvalidDataException Malformed(string name, string expected, JsonElement found) =>
            new($"'{_file}': '{_prefix}{name}' must be {expected}; found {found.GetRawText()}.");
    }
}
