using System.Text.Json;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Generation;

/// <summary>What an encoder-decoder model needs from <c>config.json</c> and <c>generation_config.json</c> beyond <see cref="ModelConfig"/>.</summary>
internal sealed class Seq2SeqConfig
{
    /// <summary>model_type values of Hugging Face encoder-decoder models, for configs without <c>is_encoder_decoder</c>.</summary>
    private static readonly HashSet<string> EncoderDecoderTypes =
        ["t5", "mt5", "umt5", "longt5", "bart", "mbart", "marian", "pegasus", "m2m_100", "blenderbot", "blenderbot-small"];

    public string? ModelType { get; private init; }
    public int? DecoderStartTokenId { get; private init; }
    public int? HiddenSize { get; private init; }
    public int? PositionLimit { get; private init; }
    public IReadOnlyDictionary<string, string> TaskPrefixes { get; private init; } = new Dictionary<string, string>();

    public static Seq2SeqConfig Load(string directory)
    {
        var c = Read(Path.Combine(directory, "config.json"));
        var g = Read(Path.Combine(directory, "generation_config.json"));
        var prefixes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("task_specific_params", out var tasks) && tasks.ValueKind == JsonValueKind.Object)
            foreach (var task in tasks.EnumerateObject())
                if (task.Value.GetString("prefix") is { } prefix) prefixes[task.Name] = prefix;
        return new Seq2SeqConfig
        {
            ModelType = c.GetString("model_type"),
            DecoderStartTokenId = g.GetInt("decoder_start_token_id") ?? c.GetInt("decoder_start_token_id"),
            HiddenSize = c.GetInt("d_model") ?? c.GetInt("hidden_size"),
            PositionLimit = c.GetInt("n_positions") ?? c.GetInt("max_position_embeddings"),
            TaskPrefixes = prefixes,
        };
    }

    /// <summary>
    /// Whether <paramref name="directory"/> holds an encoder-decoder model: config.json says <c>is_encoder_decoder</c>, or,
    /// when it does not say, its <c>model_type</c> is one (T5, BART, Marian, …).
    /// </summary>
    public static bool IsEncoderDecoder(string directory)
    {
        var c = Read(Path.Combine(directory, "config.json"));
        return c.GetNullableBool("is_encoder_decoder") ?? (c.GetString("model_type") is { } type && EncoderDecoderTypes.Contains(type));
    }

    // An absent file reads as an undefined element, which every lookup treats as "not set".
    private static JsonElement Read(string path) => File.Exists(path) ? TokenizerJson.ParseFile(path) : default;
}
