using System.Text.Json;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Generation;

/// <summary>What a decoder needs from <c>config.json</c> and <c>generation_config.json</c> (both optional).</summary>
internal sealed class ModelConfig
{
    public int? BosTokenId { get; private init; }
    public IReadOnlyList<int> EosTokenIds { get; private init; } = [];
    public int? PadTokenId { get; private init; }
    public int? ContextLength { get; private init; }
    public int? KeyValueHeads { get; private init; }
    public int? HeadDim { get; private init; }
    public int? VocabularySize { get; private init; }
    public int? MaxNewTokens { get; private init; }
    public int? MaxLength { get; private init; }
    public bool? DoSample { get; private init; }
    public float? Temperature { get; private init; }
    public int? TopK { get; private init; }
    public float? TopP { get; private init; }
    public float? RepetitionPenalty { get; private init; }

    public static ModelConfig Load(string directory)
    {
        string configPath = Path.Combine(directory, "config.json"), generationPath = Path.Combine(directory, "generation_config.json");
        var c = Read(configPath);
        var g = Read(generationPath);
        int? Config(string name) => Int(c, name, configPath);
        int? Generation(string name) => Int(g, name, generationPath);
        int? heads = Config("num_attention_heads") ?? Config("n_head");
        int? hidden = Config("hidden_size") ?? Config("n_embd");
        return new ModelConfig
        {
            BosTokenId = Ids(g, "bos_token_id", generationPath).Concat(Ids(c, "bos_token_id", configPath)).Cast<int?>().FirstOrDefault(),
            EosTokenIds = Ids(g, "eos_token_id", generationPath) is { Count: > 0 } eos ? eos : Ids(c, "eos_token_id", configPath),
            PadTokenId = Ids(g, "pad_token_id", generationPath).Concat(Ids(c, "pad_token_id", configPath)).Cast<int?>().FirstOrDefault(),
            ContextLength = Config("max_position_embeddings") ?? Config("n_positions") ?? Config("n_ctx"),
            KeyValueHeads = Config("num_key_value_heads") ?? heads,
            HeadDim = Config("head_dim") ?? (heads > 0 ? hidden / heads : null),
            VocabularySize = Config("vocab_size"),
            MaxNewTokens = Generation("max_new_tokens"),
            MaxLength = Generation("max_length"),
            DoSample = Bool(g, "do_sample", generationPath),
            Temperature = Float(g, "temperature", generationPath),
            TopK = Generation("top_k"),
            TopP = Float(g, "top_p", generationPath),
            RepetitionPenalty = Float(g, "repetition_penalty", generationPath),
        };
    }

    // An absent file reads as an undefined element, which every lookup below treats as "not set".
    private static JsonElement Read(string path) => File.Exists(path) ? TokenizerJson.ParseFile(path) : default;

    // Each reader: absent or null is "not set"; a value of the wrong JSON type is an error naming the file and the key.
    private static JsonElement? Value(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static int? Int(JsonElement e, string name, string file) => Value(e, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 0 ? i
        : throw Malformed(file, name, "a non-negative integer", v);

    private static float? Float(JsonElement e, string name, string file) => Value(e, name) is not { } v ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetSingle() : throw Malformed(file, name, "a number", v);

    private static bool? Bool(JsonElement e, string name, string file) => Value(e, name) is not { } v ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Malformed(file, name, "true or false", v);

    private static InvalidDataException Malformed(string file, string name, string expected, JsonElement found) =>
        new($"'{file}': '{name}' must be {expected}; found {found.GetRawText()}.");

    /// <summary>A token id property that may be null, a number or a list of numbers; anything else is an error naming <paramref name="file"/> and the key.</summary>
    private static List<int> Ids(JsonElement e, string name, string file)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
        if (items.Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var id) || id < 0))
            throw Malformed(file, name, "a token id (a non-negative integer) or a list of them", v);
        return items.Select(x => x.GetInt32()).ToList();
    }
}
