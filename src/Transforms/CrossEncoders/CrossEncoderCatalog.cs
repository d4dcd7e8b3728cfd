using MlNetLlm;

namespace Microsoft.ML;

/// <summary>Text-pair scoring with cross-encoders (reranking, similarity, NLI): <c>mlContext.Transforms.Text.ScoreTextPairs(...)</c>.</summary>
public static class CrossEncoderCatalog
{
    /// <summary>
    /// Scores each row's pair (<paramref name="firstColumnName"/>, <paramref name="secondColumnName"/>) with the
    /// cross-encoder in <paramref name="modelDirectory"/> (see <see cref="CrossEncoderModel"/>). A one-logit model adds
    /// <paramref name="outputColumnName"/> (Single: the activated score, sigmoid by default). A model with several labels
    /// adds <paramref name="outputColumnName"/> (vector of Single, one slot per label, slot names = labels) and
    /// <paramref name="predictedLabelColumnName"/> (a key over the label names), as <c>ClassifyText</c> does. Rows are
    /// scored lazily in length-sorted batches; long pairs are truncated. The model loads when the estimator is fitted and
    /// is disposed with the transformer; <paramref name="options"/> is copied.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The score column added.</param>
    /// <param name="firstColumnName">The first text (string) column: the query when reranking.</param>
    /// <param name="secondColumnName">The second text (string) column: the passage when reranking.</param>
    /// <param name="modelDirectory">The cross-encoder folder.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column, added only for models with several labels.</param>
    /// <param name="options">Model options (copied); null for the defaults.</param>
    public static TextModelEstimator<TextPairScoringTransformer> ScoreTextPairs(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string firstColumnName, string secondColumnName, string modelDirectory,
        string predictedLabelColumnName = ColumnNames.PredictedLabel, CrossEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options = options?.Copy<CrossEncoderOptions>();
        return Create(catalog, outputColumnName, firstColumnName, secondColumnName, predictedLabelColumnName,
            () => CrossEncoderModel.FromDirectory(modelDirectory, options), owns: true);
    }

    /// <summary>
    /// As <see cref="ScoreTextPairs(TransformsCatalog.TextTransforms, string, string, string, string, string, CrossEncoderOptions?)"/>,
    /// loading the model with <see cref="CrossEncoderModel.FromPretrained"/>: an existing folder, or a Hugging Face hub id
    /// downloaded (when the estimator is fitted) with <paramref name="hub"/>'s settings.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The score column added.</param>
    /// <param name="firstColumnName">The first text (string) column: the query when reranking.</param>
    /// <param name="secondColumnName">The second text (string) column: the passage when reranking.</param>
    /// <param name="modelIdOrPath">A folder, or a hub repository id (<c>org/name</c>, optionally <c>@revision</c>).</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress (copied).</param>
    /// <param name="predictedLabelColumnName">The predicted-label column, added only for models with several labels.</param>
    /// <param name="options">Model options (copied); null for the defaults.</param>
    public static TextModelEstimator<TextPairScoringTransformer> ScoreTextPairs(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string firstColumnName, string secondColumnName, string modelIdOrPath, HubOptions hub,
        string predictedLabelColumnName = ColumnNames.PredictedLabel, CrossEncoderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelIdOrPath);
        ArgumentNullException.ThrowIfNull(hub);
        options = options?.Copy<CrossEncoderOptions>();
        hub = hub.Copy();
        return Create(catalog, outputColumnName, firstColumnName, secondColumnName, predictedLabelColumnName,
            () => CrossEncoderModel.FromPretrained(modelIdOrPath, options, hub), owns: true);
    }

    /// <summary>
    /// As <see cref="ScoreTextPairs(TransformsCatalog.TextTransforms, string, string, string, string, string, CrossEncoderOptions?)"/>,
    /// with a model already loaded, which several transforms can share. The transformer never disposes <paramref name="model"/>; the caller does, after the
    /// last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="outputColumnName">The score column added.</param>
    /// <param name="firstColumnName">The first text (string) column: the query when reranking.</param>
    /// <param name="secondColumnName">The second text (string) column: the passage when reranking.</param>
    /// <param name="model">The cross-encoder.</param>
    /// <param name="predictedLabelColumnName">The predicted-label column, added only for models with several labels.</param>
    public static TextModelEstimator<TextPairScoringTransformer> ScoreTextPairs(this TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string firstColumnName, string secondColumnName, CrossEncoderModel model,
        string predictedLabelColumnName = ColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(catalog, outputColumnName, firstColumnName, secondColumnName, predictedLabelColumnName, () => model, owns: false);
    }

    private static TextModelEstimator<TextPairScoringTransformer> Create(TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string firstColumnName, string secondColumnName, string predictedLabelColumnName, Func<CrossEncoderModel> load, bool owns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(firstColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(secondColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        return TextModelEstimator<TextPairScoringTransformer>.ForModel(load, owns,
            (model, owned) => new TextPairScoringTransformer(model, owned, outputColumnName, firstColumnName, secondColumnName, predictedLabelColumnName));
    }
}
