using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Generation;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Zero- or few-shot classification of a text column with a <see cref="PromptClassifier"/>: adds a score vector
/// (softmax over the labels, slot names = labels) and a predicted label (key type whose key values are the labels), ready
/// for <c>mlContext.MulticlassClassification.Evaluate</c>. Created by <c>mlContext.Transforms.Text.ClassifyWithPrompt</c>.
/// Dispose it to release a model it loaded (see <see cref="TextModelTransformer.OwnsModel"/>); a shared model is left to its owner.
/// </summary>
public sealed class PromptClassificationTransformer : TextClassifierTransformer<ILanguageModel>, IPersistentTransformer
{
    internal PromptClassificationTransformer(PromptClassifier classifier, ILanguageModel model, bool ownsModel, string scoreColumnName, string inputColumnName, string predictedLabelColumnName)
        : base(new ClassificationMapper(classifier, model.Options.BatchSize, inputColumnName, scoreColumnName, predictedLabelColumnName), model, ownsModel,
            scoreColumnName, inputColumnName, predictedLabelColumnName)
    {
        model.Options.RequireValidBatchSize();
        Classifier = classifier;
    }

    /// <summary>The classifier applied to each row.</summary>
    public PromptClassifier Classifier { get; }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        SaveColumns(writer);
        writer.Set("labels", Classifier.Labels);
        writer.Set("template", Classifier.Template);
        LanguageModelLoader.Save((IPipelineLanguageModel)Model, writer);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader)
    {
        var model = LanguageModelLoader.Load(reader);
        var classifier = new PromptClassifier(model, reader.Require<string[]>("labels"), reader.Require<PromptTemplate>("template"));
        return new PromptClassificationTransformer(classifier, model, true, reader.RequireString("score"), reader.RequireString("input"), reader.RequireString("predictedLabel"));
    }

    private sealed class ClassificationMapper : IBatchMapper
    {
        private readonly PromptClassifier _classifier;

        public ClassificationMapper(PromptClassifier classifier, int batchSize, string input, string score, string predicted)
        {
            _classifier = classifier;
            BatchSize = batchSize;
            InputColumns = [input];
            OutputColumns = ClassificationColumns.Create(score, predicted, classifier.Labels);
        }

        public IReadOnlyList<string> InputColumns { get; }

        public IReadOnlyList<OutputColumn> OutputColumns { get; }

        public int BatchSize { get; }

        public void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs)
        {
            for (int r = 0; r < inputs.Count; r++)
            {
                var scores = _classifier.Score(inputs[r][0]);
                outputs[r][0] = new VBuffer<float>(scores.Length, scores);
                outputs[r][1] = (uint)(System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores) + 1);
            }
        }
    }
}
