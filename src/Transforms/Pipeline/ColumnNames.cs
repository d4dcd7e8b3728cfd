namespace MlNetLlm;

/// <summary>
/// The default column names of MlNetLlm's transforms and trainers, as ML.NET's <c>DefaultColumnNames</c> are for its own:
/// use them instead of repeating the literals.
/// </summary>
public static class ColumnNames
{
    /// <summary>The text read by the encoder and classifier transforms: <c>Text</c>.</summary>
    public const string Text = "Text";

    /// <summary>The prompt read by <c>GenerateText</c>: <c>Prompt</c>.</summary>
    public const string Prompt = "Prompt";

    /// <summary>The text written by <c>GenerateText</c>: <c>Generated</c>.</summary>
    public const string Generated = "Generated";

    /// <summary>The vector written by <c>EmbedText</c>: <c>Embedding</c>.</summary>
    public const string Embedding = "Embedding";

    /// <summary>A classifier's scores (probabilities per label, or a binary head's raw score): <c>Score</c>.</summary>
    public const string Score = "Score";

    /// <summary>A classifier's predicted label (a key over the label names, or Boolean for a binary head): <c>PredictedLabel</c>.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>A binary classifier's calibrated probability: <c>Probability</c>.</summary>
    public const string Probability = "Probability";

    /// <summary>The label a trainer learns from: <c>Label</c>.</summary>
    public const string Label = "Label";

    /// <summary>The feature vector a trainer learns from: <c>Features</c>.</summary>
    public const string Features = "Features";

    /// <summary>Token ids written by <c>TokenizeForModel</c>: <c>InputIds</c>.</summary>
    public const string InputIds = "InputIds";

    /// <summary>The attention mask written by <c>TokenizeForModel</c>: <c>AttentionMask</c>.</summary>
    public const string AttentionMask = "AttentionMask";

    /// <summary>The token type ids written by <c>TokenizeForModel</c>: <c>TokenTypeIds</c>.</summary>
    public const string TokenTypeIds = "TokenTypeIds";
}
