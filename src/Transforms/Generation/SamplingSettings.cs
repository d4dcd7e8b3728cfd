using MlNetLlm.Onnx;

namespace MlNetLlm.Generation;

/// <summary><see cref="GenerationOptions"/> with defaults filled in from the model's configuration, validated.</summary>
internal sealed record SamplingSettings(
    int? MaxNewTokens, int? MaxLength, bool DoSample, float Temperature, int TopK, float TopP, float RepetitionPenalty,
    IReadOnlyList<string> StopSequences, int? Seed)
{
    public static SamplingSettings Resolve(GenerationOptions? options, ModelConfig config, int contextLength)
    {
        var o = options ?? new GenerationOptions();
        var s = new SamplingSettings(
            o.MaxNewTokens ?? config.MaxNewTokens,
            config.MaxLength ?? 20,
            o.DoSample ?? config.DoSample ?? false,
            o.Temperature ?? config.Temperature ?? 1f,
            o.TopK ?? config.TopK ?? 50,
            o.TopP ?? config.TopP ?? 1f,
            o.RepetitionPenalty ?? config.RepetitionPenalty ?? 1f,
            o.StopSequences?.Where(x => !string.IsNullOrEmpty(x)).ToArray() ?? [],
            o.Seed);
        if (s.MaxNewTokens is <= 0 || s.MaxNewTokens >= contextLength)
            throw new ArgumentOutOfRangeException(nameof(GenerationOptions.MaxNewTokens), s.MaxNewTokens,
                $"MaxNewTokens must be between 1 and {contextLength - 1} (the context length minus one).");
        if (s.DoSample && !(s.Temperature > 0))
            throw new ArgumentOutOfRangeException(nameof(GenerationOptions.Temperature), s.Temperature, "Temperature must be positive when sampling.");
        if (!(s.TopP > 0 && s.TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(GenerationOptions.TopP), s.TopP, "TopP must be in (0, 1].");
        if (s.TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(GenerationOptions.TopK), s.TopK, "TopK must not be negative (0 disables it).");
        if (!(s.RepetitionPenalty > 0))
            throw new ArgumentOutOfRangeException(nameof(GenerationOptions.RepetitionPenalty), s.RepetitionPenalty, "RepetitionPenalty must be positive.");
        return s;
    }

    /// <summary>New tokens for a prompt of <paramref name="promptLength"/> tokens: MaxNewTokens, else what max_length leaves (at least 1).</summary>
    public int NewTokensFor(int promptLength) => MaxNewTokens ?? Math.Max(1, MaxLength.GetValueOrDefault(20) - promptLength);
}
