namespace MlNetLlm;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-sequence token.</summary>
    Stop,

    /// <summary>MaxNewTokens (or max_length) was reached, or the context was full.</summary>
    Length,

    /// <summary>The text reached one of <see cref="GenerationOptions.StopSequences"/>; the text ends before it.</summary>
    StopSequence,
}
