namespace MlNetLlm;

/// <summary>How a <see cref="CrossEncoderModel"/> turns its logits into scores.</summary>
public enum CrossEncoderActivation
{
    /// <summary>Element-wise logistic function, scores in (0, 1): the sentence-transformers default for one logit.</summary>
    Sigmoid,

    /// <summary>The raw logits.</summary>
    Identity,

    /// <summary>Softmax over the labels (probabilities that sum to 1): the default for several logits (NLI-style models).</summary>
    Softmax,
}
