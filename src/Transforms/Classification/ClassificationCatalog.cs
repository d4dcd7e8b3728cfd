using MlNetLlm;

namespace Microsoft.ML;

/// <summary>Sequence classification with pretrained encoders: <c>mlContext.Transforms.Text.ClassifyText(...)</c>.</summary>
public static class ClassificationCatalog
{
    /// <summary>
    /// Scores <paramref name="inputColumnName"/> with the sequence classifier in <paramref name="modelDirectory"/> (see
    /// <see cref="TextClassificationModel"/>), adding <paramref name="scoreColumnName"/> (probabilities in
    /// <c>id2label</c> order, with slot names) and <paramref name="predictedLabelColumnName"/> (a key over the label
    /// names). To evaluate, map the label column to a key with the same label order (<c>MapValueToKey</c> with
    /// <c>keyData</c>). Rows are scored lazily in length-sorted batches; long text is truncated.
    /// </summary>
    public static TextModelEstimator<TextClassificationTransformer> ClassifyText(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, string inputColumnName = "Text", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", TextClassificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        MlNetLlm.Pipeline.ClassificationColumns.RequireDistinct(scoreColumnName, predictedLabelColumnName);
        return new TextModelEstimator<TextClassificationTransformer>(() => new TextClassificationTransformer(
            TextClassificationModel.FromDirectory(modelDirectory, options), inputColumnName, scoreColumnName, predictedLabelColumnName));
    }
}
