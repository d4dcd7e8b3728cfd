using MlNetLlm;

namespace Microsoft.ML;

/// <summary>Sentence embeddings from pretrained encoders: <c>mlContext.Transforms.Text.EmbedText(...)</c>.</summary>
public static class EmbeddingCatalog
{
    /// <summary>
    /// Embeds <paramref name="inputColumnName"/> with the encoder in <paramref name="modelDirectory"/> (see
    /// <see cref="TextEmbeddingModel"/>), adding <paramref name="outputColumnName"/>: a known-size vector of floats.
    /// Rows are embedded lazily in length-sorted batches; text beyond the model's token limit is truncated and empty
    /// text is embedded as the special tokens alone. The model loads when the estimator is fitted and is disposed with
    /// the transformer; <paramref name="options"/> is copied.
    /// </summary>
    public static TextModelEstimator<TextEmbeddingTransformer> EmbedText(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, string outputColumnName = ColumnNames.Embedding, string inputColumnName = ColumnNames.Text, TextEmbeddingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        options = options?.Copy<TextEmbeddingOptions>();
        return Create(catalog, outputColumnName, inputColumnName, () => TextEmbeddingModel.FromDirectory(modelDirectory, options), owns: true);
    }

    /// <summary>
    /// As <see cref="EmbedText(TransformsCatalog.TextTransforms, string, string, string, TextEmbeddingOptions?)"/>, loading
    /// the model with <see cref="TextEmbeddingModel.FromPretrained"/>: an existing folder, or a Hugging Face hub id
    /// downloaded (when the estimator is fitted) with <paramref name="hub"/>'s settings.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelIdOrPath">A folder, or a hub repository id (<c>org/name</c>, optionally <c>@revision</c>).</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress (copied).</param>
    /// <param name="outputColumnName">The embedding column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    /// <param name="options">Model options (copied); null for the defaults.</param>
    public static TextModelEstimator<TextEmbeddingTransformer> EmbedText(this TransformsCatalog.TextTransforms catalog,
        string modelIdOrPath, HubOptions hub, string outputColumnName = ColumnNames.Embedding, string inputColumnName = ColumnNames.Text,
        TextEmbeddingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelIdOrPath);
        ArgumentNullException.ThrowIfNull(hub);
        options = options?.Copy<TextEmbeddingOptions>();
        hub = hub.Copy();
        return Create(catalog, outputColumnName, inputColumnName, () => TextEmbeddingModel.FromPretrained(modelIdOrPath, options, hub), owns: true);
    }

    /// <summary>
    /// As <see cref="EmbedText(TransformsCatalog.TextTransforms, string, string, string, TextEmbeddingOptions?)"/>, with a
    /// model already loaded, which several transforms can share. The transformer never disposes <paramref name="model"/>;
    /// the caller does, after the last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">The encoder.</param>
    /// <param name="outputColumnName">The embedding column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    public static TextModelEstimator<TextEmbeddingTransformer> EmbedText(this TransformsCatalog.TextTransforms catalog,
        TextEmbeddingModel model, string outputColumnName = ColumnNames.Embedding, string inputColumnName = ColumnNames.Text)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(catalog, outputColumnName, inputColumnName, () => model, owns: false);
    }

    private static TextModelEstimator<TextEmbeddingTransformer> Create(TransformsCatalog.TextTransforms catalog,
        string outputColumnName, string inputColumnName, Func<TextEmbeddingModel> load, bool owns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return TextModelEstimator<TextEmbeddingTransformer>.ForModel(load, owns,
            (model, owned) => new TextEmbeddingTransformer(model, owned, outputColumnName, inputColumnName));
    }
}
