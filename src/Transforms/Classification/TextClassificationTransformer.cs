using Microsoft.ML.Data;
using Microsoft.ML;
using MlNetLlm.Onnx;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Adds a score column (probabilities in label order, with slot names) and a predicted-label column (key type over the
/// label names) computed from a text column, so <c>mlContext.MulticlassClassification.Evaluate</c> can score it.
/// Created by <c>mlContext.Transforms.Text.ClassifyText</c>. Dispose it to release a model it loaded (see <see cref="TextModelTransformer.OwnsModel"/>).
/// </summary>
public sealed class TextClassificationTransformer : TextClassifierTransformer<TextClassificationModel>, IPersistentTransformer
{
    internal TextClassificationTransformer(TextClassificationModel model, bool ownsModel, string scoreColumnName, string inputColumnName, string predictedLabelColumnName)
        : base(new ClassificationMapper(model, inputColumnName, scoreColumnName, predictedLabelColumnName), model, ownsModel,
            scoreColumnName, inputColumnName, predictedLabelColumnName)
    {
    }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        SaveColumns(writer);
        Model.Runner.SaveStep(writer);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader)
    {
        var options = new TextClassificationOptions();
        var folder = EncoderRunner.LoadStep(reader, options);
        return new TextClassificationTransformer(TextClassificationModel.FromDirectory(folder, options), true,
            reader.RequireString("score"), reader.RequireString("input"), reader.RequireString("predictedLabel"));
    }

    private sealed class ClassificationMapper : IBatchMapper
    {
        private readonly TextClassificationModel _model;

        public ClassificationMapper(TextClassificationModel model, string input, string score, string predictedLabel)
        {
            _model = model;
            InputColumns = [input];
            OutputColumns = ClassificationColumns.Create(score, predictedLabel, model.Labels);
        }

        public IReadOnlyList<string> InputColumns { get; }

        public IReadOnlyList<OutputColumn> OutputColumns { get; }

        public int BatchSize => _model.BatchSize * EncoderRunner.BatchesPerMapperCall;

        public void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs)
        {
            var results = _model.Classify(inputs.Select(row => row[0]).ToArray());
            for (int r = 0; r < results.Length; r++)
            {
                outputs[r][0] = new VBuffer<float>(results[r].Probabilities.Length, results[r].Probabilities);
                outputs[r][1] = (uint)results[r].LabelIndex + 1; // keys are 1-based; 0 means missing
            }
        }
    }
}
