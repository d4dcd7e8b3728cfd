using MlNetLlm;
using MlNetLlm.Generation;
using MlNetLlm.Pipeline;

namespace Microsoft.ML;

/// <summary>Language-model transforms: <c>mlContext.Transforms.Text.GenerateText(...)</c> and <c>ClassifyWithPrompt(...)</c>.</summary>
public static class GenerationCatalog
{
    /// <summary>
    /// Generates text from each row's <paramref name="inputColumnName"/> with the language model in
    /// <paramref name="modelDirectory"/>, batching rows: a decoder-only model continues the prompt
    /// (<see cref="CausalLanguageModel.FromDirectory"/>); an encoder-decoder model, as config.json says
    /// (<c>is_encoder_decoder</c>, or a T5/BART-family <c>model_type</c>), transforms the input (<see cref="Seq2SeqLanguageModel.FromDirectory"/>).
    /// The model loads when the estimator is fitted and is disposed with the transformer; both options objects are copied.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelDirectory">The model folder.</param>
    /// <param name="outputColumnName">The generated text column. Default: <c>Generated</c>.</param>
    /// <param name="inputColumnName">The input text column (string). Default: <c>Prompt</c>.</param>
    /// <param name="options">How to generate; null for the model's defaults.</param>
    /// <param name="modelOptions">A <see cref="CausalLanguageModelOptions"/> or a <see cref="Seq2SeqLanguageModelOptions"/> to match the model; null for defaults.</param>
    public static TextModelEstimator<TextGenerationTransformer> GenerateText(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, string outputColumnName = ColumnNames.Generated, string inputColumnName = ColumnNames.Prompt,
        GenerationOptions? options = null, LanguageModelOptions? modelOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        modelOptions = modelOptions?.Copy<LanguageModelOptions>();
        return Generate(catalog, outputColumnName, inputColumnName, options, () => LanguageModelLoader.Load(modelDirectory, modelOptions), owns: true);
    }

    /// <summary>
    /// As <see cref="GenerateText(TransformsCatalog.TextTransforms, string, string, string, GenerationOptions?, LanguageModelOptions?)"/>,
    /// from an existing folder or a Hugging Face hub id downloaded (when the estimator is fitted) with <paramref name="hub"/>'s
    /// settings: the family comes from <paramref name="modelOptions"/>' type, else from the repository's config.json, and
    /// only that family's files (of <see cref="OnnxModelOptions.OnnxVariant"/>) are fetched.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelIdOrPath">A folder, or a hub repository id (<c>org/name</c>, optionally <c>@revision</c>).</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress (copied).</param>
    /// <param name="outputColumnName">The generated text column. Default: <c>Generated</c>.</param>
    /// <param name="inputColumnName">The input text column (string). Default: <c>Prompt</c>.</param>
    /// <param name="options">How to generate (copied); null for the model's defaults.</param>
    /// <param name="modelOptions">Model options (copied); null for defaults.</param>
    public static TextModelEstimator<TextGenerationTransformer> GenerateText(this TransformsCatalog.TextTransforms catalog,
        string modelIdOrPath, HubOptions hub, string outputColumnName = ColumnNames.Generated, string inputColumnName = ColumnNames.Prompt,
        GenerationOptions? options = null, LanguageModelOptions? modelOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelIdOrPath);
        ArgumentNullException.ThrowIfNull(hub);
        modelOptions = modelOptions?.Copy<LanguageModelOptions>();
        hub = hub.Copy();
        return Generate(catalog, outputColumnName, inputColumnName, options,
            () => LanguageModelLoader.FromPretrained(modelIdOrPath, modelOptions, hub), owns: true);
    }

    /// <summary>
    /// As <see cref="GenerateText(TransformsCatalog.TextTransforms, string, string, string, GenerationOptions?, LanguageModelOptions?)"/>,
    /// with a model already loaded (a <see cref="CausalLanguageModel"/> or a <see cref="Seq2SeqLanguageModel"/>), which
    /// several transforms and a chat client can share. The transformer never disposes <paramref name="model"/>; the
    /// caller does, after the last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">The language model.</param>
    /// <param name="outputColumnName">The generated text column. Default: <c>Generated</c>.</param>
    /// <param name="inputColumnName">The input text column (string). Default: <c>Prompt</c>.</param>
    /// <param name="options">How to generate (copied); null for the model's defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is another implementation of <see cref="ILanguageModel"/>.</exception>
    public static TextModelEstimator<TextGenerationTransformer> GenerateText(this TransformsCatalog.TextTransforms catalog,
        ILanguageModel model, string outputColumnName = ColumnNames.Generated, string inputColumnName = ColumnNames.Prompt,
        GenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shared = LanguageModelLoader.RequirePipelineModel(model, nameof(model));
        return Generate(catalog, outputColumnName, inputColumnName, options, () => shared, owns: false);
    }

    /// <summary>
    /// Classifies each row's <paramref name="inputColumnName"/> into <paramref name="labels"/> by prompting the language model in
    /// <paramref name="modelDirectory"/> (decoder-only or encoder-decoder, as for <c>GenerateText</c>; zero-shot, or
    /// few-shot with the template's examples; see <see cref="PromptClassifier"/>). Adds
    /// <paramref name="outputColumnName"/> (probabilities, slot names = labels) and <paramref name="predictedLabelColumnName"/>
    /// (key type over the labels). The model loads when the estimator is fitted and is disposed with the transformer;
    /// <paramref name="modelOptions"/> is copied. Columns are output first, as in every MlNetLlm catalog method (earlier
    /// versions took the input column first).
    /// </summary>
    public static TextModelEstimator<PromptClassificationTransformer> ClassifyWithPrompt(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, IReadOnlyList<string> labels, PromptTemplate template, string outputColumnName = ColumnNames.Score,
        string inputColumnName = ColumnNames.Text, string predictedLabelColumnName = ColumnNames.PredictedLabel, LanguageModelOptions? modelOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        modelOptions = modelOptions?.Copy<LanguageModelOptions>();
        return Classify(catalog, labels, template, outputColumnName, inputColumnName, predictedLabelColumnName,
            () => LanguageModelLoader.Load(modelDirectory, modelOptions), owns: true);
    }

    /// <summary>
    /// As <see cref="ClassifyWithPrompt(TransformsCatalog.TextTransforms, string, IReadOnlyList{string}, PromptTemplate, string, string, string, LanguageModelOptions?)"/>,
    /// from an existing folder or a Hugging Face hub id downloaded (when the estimator is fitted) with <paramref name="hub"/>'s settings.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelIdOrPath">A folder, or a hub repository id (<c>org/name</c>, optionally <c>@revision</c>).</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress (copied).</param>
    /// <param name="labels">At least two distinct, non-empty labels.</param>
    /// <param name="template">How each text becomes a prompt.</param>
    /// <param name="outputColumnName">The probabilities column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    /// <param name="predictedLabelColumnName">The predicted-label key column added.</param>
    /// <param name="modelOptions">Model options (copied); null for defaults.</param>
    public static TextModelEstimator<PromptClassificationTransformer> ClassifyWithPrompt(this TransformsCatalog.TextTransforms catalog,
        string modelIdOrPath, HubOptions hub, IReadOnlyList<string> labels, PromptTemplate template, string outputColumnName = ColumnNames.Score,
        string inputColumnName = ColumnNames.Text, string predictedLabelColumnName = ColumnNames.PredictedLabel, LanguageModelOptions? modelOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelIdOrPath);
        ArgumentNullException.ThrowIfNull(hub);
        modelOptions = modelOptions?.Copy<LanguageModelOptions>();
        hub = hub.Copy();
        return Classify(catalog, labels, template, outputColumnName, inputColumnName, predictedLabelColumnName,
            () => LanguageModelLoader.FromPretrained(modelIdOrPath, modelOptions, hub), owns: true);
    }

    /// <summary>
    /// As <see cref="ClassifyWithPrompt(TransformsCatalog.TextTransforms, string, IReadOnlyList{string}, PromptTemplate, string, string, string, LanguageModelOptions?)"/>,
    /// with a model already loaded, which several transforms can share. The transformer never disposes
    /// <paramref name="model"/>; the caller does, after the last use of the pipeline.
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="model">A <see cref="CausalLanguageModel"/> or a <see cref="Seq2SeqLanguageModel"/>.</param>
    /// <param name="labels">At least two distinct, non-empty labels.</param>
    /// <param name="template">How each text becomes a prompt.</param>
    /// <param name="outputColumnName">The probabilities column added.</param>
    /// <param name="inputColumnName">The text (string) column read.</param>
    /// <param name="predictedLabelColumnName">The predicted-label key column added.</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is another implementation of <see cref="ILanguageModel"/>.</exception>
    public static TextModelEstimator<PromptClassificationTransformer> ClassifyWithPrompt(this TransformsCatalog.TextTransforms catalog,
        ILanguageModel model, IReadOnlyList<string> labels, PromptTemplate template, string outputColumnName = ColumnNames.Score,
        string inputColumnName = ColumnNames.Text, string predictedLabelColumnName = ColumnNames.PredictedLabel)
    {
        ArgumentNullException.ThrowIfNull(model);
        var shared = LanguageModelLoader.RequirePipelineModel(model, nameof(model));
        return Classify(catalog, labels, template, outputColumnName, inputColumnName, predictedLabelColumnName, () => shared, owns: false);
    }

    private static TextModelEstimator<TextGenerationTransformer> Generate(TransformsCatalog.TextTransforms catalog, string outputColumnName,
        string inputColumnName, GenerationOptions? options, Func<IPipelineLanguageModel> load, bool owns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        options = options?.Copy();
        return TextModelEstimator<TextGenerationTransformer>.ForModel(load, owns,
            (model, owned) => new TextGenerationTransformer(model, owned, outputColumnName, inputColumnName, options));
    }

    private static TextModelEstimator<PromptClassificationTransformer> Classify(TransformsCatalog.TextTransforms catalog, IReadOnlyList<string> labels,
        PromptTemplate template, string outputColumnName, string inputColumnName, string predictedLabelColumnName, Func<IPipelineLanguageModel> load, bool owns)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        PromptClassifier.ValidateLabels(labels);
        ClassificationColumns.RequireDistinct(outputColumnName, predictedLabelColumnName);
        string[] labelCopy = [.. labels];
        return TextModelEstimator<PromptClassificationTransformer>.ForModel(load, owns, (model, owned) =>
            new PromptClassificationTransformer(new PromptClassifier(model, labelCopy, template), model, owned, outputColumnName, inputColumnName, predictedLabelColumnName));
    }
}
