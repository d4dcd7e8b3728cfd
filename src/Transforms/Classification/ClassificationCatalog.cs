using MlNetLlm;
using MlNetLlm.Pipeline;

namespace Microsoft.ML;

/// <summary>Sequence classification with pretrained encoders: <c>mlContext.Transforms.Text.ClassifyText(...)</c>.</summary>
public static class ClassificationCatalog
{
    /// <summary>
    /// Scores <paramref name="inputColumnName"/> with the sequence classifier in <paramref name="modelDirectory"/> (see
    /// <see cref="TextClassificationModel"/>), adding <paramref name="outputColumnName"/> (probabilities in
    /// <c>id2label</c> order, with slot names) and <paramref name="predictedLabelColumnName"/> (a key over the label
    /// names). To evaluate, map the label column to a key with the same label order (<c>MapValueToKey</c> with
    /// <c>keyData</c>). Rows are scored lazily in length-sorted batches; long text is truncated. The model loads when the
    /// estimator is fitted and is disposed with the transformer; <paramref name="options"/> is copied. Columns are
    /// output first, as in every MlNetLlm catalog method (earlier versions took the input column first).
    /// </summary>
    public static TextModelEstimator<TextClassificationTransformer> ClassifyText(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, string outputColumnName = ColumnNames.Score, string inputColumnName = ColumnNames.Text,
        string predictedLabelColumnName = ColumnNames.PredictedLabel, TextClassificationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options = options?.Copy<TextClassificationOptions>();
        return Create(catalog, outputColumnName, inputColumnName, predictedLabelColumnName,
            () => TextClassificationModel.FromDirectory(modelDirectory, options), owns: true);
    }

    /// <summary>
    /// As <see cref="ClassifyText(TransformsCatalog.TextTransforms, string, string, string, string, TextClassificationOptions?)"/>,
    /// loading the model with <see cref="TextClassificationModel.FromPretrained"/>: an existing folder, or a Hugging Face
    /// hub id downloaded (when the estimator is fitted) with <paramref name="hub"/>'s settings.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelIdOrPath">A folder, or a hub repository id (<c>org/name</c>, optionally <c>@revision</c>).</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress (copied).</param>
    /// <param name="outputColumnName">The probabilities column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    /// <param name="predictedLabelColumnName">The predicted-label key column added.</param>
    /// <param name="options">Model options (copied); null for the defaults.</param>
    public static TextModelEstimator<TextClassificationTransformer> ClassifyText(this TransformsCatalog.TextTransforms catalog,
        string modelIdOrPath, HubOptions hub, string outputColumnName = ColumnNames.Score, string inputColumnName = ColumnNames.Text,
        string predictedLabelColumnName = ColumnNames.PredictedLabel, TextClassificationOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelIdOrPath);
        ArgumentNullException.ThrowIfNull(hub);
        options = options?.Copy<TextClassificationOptions>();
        hub = hub.Copy();
        return Create(catalog, outputColumnName, inputColumnName, predictedLabelColumnName,
            () => TextClassificationModel.FromPretrained(modelIdOrPath, options, hub), owns: true);
    }

    /// <summary>
    /// As <see cref="ClassifyText(TransformsCatalog.TextTransforms, string, string, string, string, TextClassificationOptions?)"/>,
    /// with a model already loaded, which several transforms can share. The transformer never disposes
    /// <paramref name="model"/>; the caller does, after the last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">The sequence classifier.</param>
    /// <param name="outputColumnName">The probabilities column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    /// <param name="predictedLabelColumnName">The predicted-label key column added.</param>
    public static TextModelEstimator<TextClassificationTransformer> ClassifyText(this TransformsCatalog.TextTransforms catalog,
        TextClassificationModel model, string outputColumnName = ColumnNames.Score, string inputColumnName = ColumnNames.Text,
        string predictedLabelColumnName = ColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(catalog, outputColumnName, inputColumnName, predictedLabelColumnName, () => model, owns: false);
    }

    private static TextModelEstimator<TextClassificationTransformer> Create(TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string inputColumnName, string predictedLabelColumnName, Func<TextClassificationModel> load, bool owns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        ClassificationColumns.RequireDistinct(outputColumnName, predictedLabelColumnName);
        return TextModelEstimator<TextClassificationTransformer>.ForModel(load, owns,
            (model, owned) => new TextClassificationTransformer(model, owned, outputColumnName, inputColumnName, predictedLabelColumnName));
    }
}
