namespace MlNetLlm;

/// <summary>
/// How text is generated. Every unset (null) value defaults from the model's <c>generation_config.json</c>, then from the
/// Hugging Face defaults (greedy, temperature 1, top-k 50, top-p 1, no repetition penalty, 20 tokens of total length).
/// </summary>
public sealed class GenerationOptions
{
    /// <summary>Maximum number of tokens to generate (must be positive).</summary>
    public int? MaxNewTokens { get; init; }

    /// <summary>Sample from the distribution (true) or take the most likely token (false, greedy).</summary>
    public bool? DoSample { get; init; }

    /// <summary>Divides the logits before sampling; must be positive when sampling.</summary>
    public float? Temperature { get; init; }

    /// <summary>Sample only among the K most likely tokens; 0 disables the filter. Must not be negative.</summary>
    public int? TopK { get; init; }

    /// <summary>Sample only among the most likely tokens whose probabilities add up to P; must be in (0, 1].</summary>
    public float? TopP { get; init; }

    /// <summary>Penalty (CTRL-style) for tokens already in the prompt or output; 1 disables it. Must be positive.</summary>
    public float? RepetitionPenalty { get; init; }

    /// <summary>Generation stops when the text contains one of these; the text is cut before it.</summary>
    public IReadOnlyList<string>? StopSequences { get; init; }

    /// <summary>Seed for sampling; with a seed, sampling is reproducible. Every prompt of a batch uses the same seed.</summary>
    public int? Seed { get; init; }

    /// <summary>A copy of these options (with its own stop-sequence list), kept by estimators so later changes by the caller have no effect.</summary>
    internal GenerationOptions Copy() => new()
    {
        MaxNewTokens = MaxNewTokens, DoSample = DoSample, Temperature = Temperature, TopK = TopK, TopP = TopP,
        RepetitionPenalty = RepetitionPenalty, StopSequences = StopSequences is null ? null : [.. StopSequences], Seed = Seed,
    };
}
