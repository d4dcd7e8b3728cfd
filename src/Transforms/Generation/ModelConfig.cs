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
        int? heads = c.GetInt("num_attention_heads") ?? c.GetInt("n_head");
        int? hidden = c.GetInt("hidden_size") ?? c.GetInt("n_embd");
        return new ModelConfig
        {
            BosTokenId = Ids(g, "bos_token_id", generationPath).Concat(Ids(c, "bos_token_id", configPath)).Cast<int?>().FirstOrDefault(),
            EosTokenIds = Ids(g, "eos_token_id", generationPath) is { Count: > 0 } eos ? eos : Ids(c, "eos_token_id", configPath),
            PadTokenId = Ids(g, "pad_token_id", generationPath).Concat(Ids(c, "pad_token_id", configPath)).Cast<int?>().FirstOrDefault(),
            ContextLength = c.GetInt("max_position_embeddings") ?? c.GetInt("n_positions") ?? c.GetInt("n_ctx"),
            KeyValueHeads = c.GetInt("num_key_value_heads") ?? heads,
            HeadDim = c.GetInt("head_dim") ?? (hidden / heads),
            VocabularySize = c.GetInt("vocab_size"),
            MaxNewTokens = g.GetInt("max_new_tokens"),
            MaxLength = g.GetInt("max_length"),
            DoSample = g.GetNullableBool("do_sample"),
            Temperature = Float(g, "temperature"),
            TopK = g.GetInt("top_k"),
            TopP = Float(g, "top_p"),
            RepetitionPenalty = Float(g, "repetition_penalty"),
        };
    }

    // An absent file reads as an undefined element, which every lookup below treats as "not set".
    private static JsonElement Read(string path) => File.Exists(path) ? TokenizerJson.ParseFile(path) : default;

    private static float? Float(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : null;

    /// <summary>A token id property that may be null, a number or a list of numbers; anything else is an error naming <paramref name="file"/> and the key.</summary>
    private static List<int> Ids(JsonElement e, string name, string file)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [v];
        if (items.Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out var id) || id < 0))
            throw new InvalidDataException($"'{file}': '{name}' must be a token id (a non-negative integer) or a list of them; found {v.GetRawText()}.");
        return items.Select(x => x.GetInt32()).ToList();
    }
}
