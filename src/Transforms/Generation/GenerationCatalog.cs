using MlNetLlm;
using MlNetLlm.Generation;

namespace Microsoft.ML;

/// <summary>Language-model transforms: <c>mlContext.Transforms.Text.GenerateText(...)</c> and <c>ClassifyWithPrompt(...)</c>.</summary>
public static class GenerationCatalog
{
    /// <summary>
    /// Generates text from each row's <paramref name="inputColumnName"/> with the language model in
    /// <paramref name="modelDirectory"/>, batching rows: a decoder-only model continues the prompt
    /// (<see cref="CausalLanguageModel.FromDirectory"/>); an encoder-decoder model, as config.json says
    /// (<c>is_encoder_decoder</c>, or a T5/BART-family <c>model_type</c>), transforms the input (<see cref="Seq2SeqLanguageModel.FromDirectory"/>).
    /// </summary>
    /// <param name="catalog">The text transforms catalog.</param>
    /// <param name="modelDirectory">The model folder.</param>
    /// <param name="outputColumnName">The generated text column. Default: <c>Generated</c>.</param>
    /// <param name="inputColumnName">The input text column (string). Default: <c>Prompt</c>.</param>
    /// <param name="options">How to generate; null for the model's defaults.</param>
    /// <param name="modelOptions">A <see cref="CausalLanguageModelOptions"/> or a <see cref="Seq2SeqLanguageModelOptions"/> to match the model; null for defaults.</param>
    public static TextModelEstimator<TextGenerationTransformer> GenerateText(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, string outputColumnName = "Generated", string inputColumnName = "Prompt",
        GenerationOptions? options = null, LanguageModelOptions? modelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        return new TextModelEstimator<TextGenerationTransformer>(() =>
            new TextGenerationTransformer(LanguageModelLoader.Load(modelDirectory, modelOptions), outputColumnName, inputColumnName, options));
    }

    /// <summary>
    /// Classifies each row's <paramref name="inputColumnName"/> into <paramref name="labels"/> by prompting the language model in
    /// <paramref name="modelDirectory"/> (decoder-only or encoder-decoder, as for <see cref="GenerateText"/>; zero-shot, or
    /// few-shot with the template's examples; see <see cref="PromptClassifier"/>). Adds
    /// <paramref name="scoreColumnName"/> (probabilities, slot names = labels) and <paramref name="predictedLabelColumnName"/>
    /// (key type over the labels).
    /// </summary>
    public static TextModelEstimator<PromptClassificationTransformer> ClassifyWithPrompt(this TransformsCatalog.TextTransforms catalog,
        string modelDirectory, IReadOnlyList<string> labels, PromptTemplate template, string inputColumnName = "Text",
        string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel", LanguageModelOptions? modelOptions = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelDirectory);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        PromptClassifier.ValidateLabels(labels);
        MlNetLlm.Pipeline.ClassificationColumns.RequireDistinct(scoreColumnName, predictedLabelColumnName);
        return new TextModelEstimator<PromptClassificationTransformer>(() =>
        {
            var model = LanguageModelLoader.Load(modelDirectory, modelOptions);
            return new PromptClassificationTransformer(new PromptClassifier(model, labels, template), model, inputColumnName, scoreColumnName, predictedLabelColumnName);
        });
    }
}
