namespace MlNetLlm;

/// <summary>Options for <see cref="CrossEncoderModel"/> and <c>ScoreTextPairs</c>.</summary>
public sealed class CrossEncoderOptions : EncoderOptions
{
    /// <summary>
    /// How logits become scores. Default: null — read from the model folder: <c>config.json</c>
    /// <c>sentence_transformers.activation_fn</c> (or the older <c>sbert_ce_default_activation_function</c>) when set,
    /// else <see cref="CrossEncoderActivation.Sigmoid"/> for one logit (or <c>problem_type</c> multi_label_classification)
    /// and <see cref="CrossEncoderActivation.Softmax"/> for several.
    /// </summary>
    public CrossEncoderActivation? Activation { get; set; }

    /// <summary>
    /// How a pair longer than <see cref="EncoderOptions.MaxLength"/> is cut, as Hugging Face tokenizers do: default
    /// <see cref="TruncationStrategy.LongestFirst"/> (both <c>[SEP]</c> kept); <see cref="TruncationStrategy.OnlyFirst"/> /
    /// <see cref="TruncationStrategy.OnlySecond"/> cut only that text and fail when it cannot absorb the excess.
    /// </summary>
    public TruncationStrategy Truncation { get; set; } = TruncationStrategy.LongestFirst;
}
