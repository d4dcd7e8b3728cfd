using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Onnx;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Scores pairs of text columns with a <see cref="CrossEncoderModel"/>. A one-logit model adds one Single column (the
/// activated score); a model with several labels adds the same columns as <c>ClassifyText</c> — a score vector (one slot
/// per label, slot names = labels) and a predicted-label key column — so <c>mlContext.MulticlassClassification.Evaluate</c>
/// can score it. Created by <c>mlContext.Transforms.Text.ScoreTextPairs</c>. Dispose it to release a model it loaded
/// (see <see cref="TextModelTransformer.OwnsModel"/>).
/// </summary>
public sealed class TextPairScoringTransformer : TextModelTransformer<CrossEncoderModel>, IPersistentTransformer
{
    internal TextPairScoringTransformer(CrossEncoderModel model, bool ownsModel, string outputColumnName, string firstColumnName, string secondColumnName,
        string predictedLabelColumnName)
        : base(new PairMapper(model, outputColumnName, firstColumnName, secondColumnName, predictedLabelColumnName), model, ownsModel)
    {
        OutputColumnName = outputColumnName;
        FirstColumnName = firstColumnName;
        SecondColumnName = secondColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
    }

    /// <summary>The score column added: Single for a one-logit model, else a vector with one slot per label.</summary>
    public string OutputColumnName { get; }

    /// <summary>The first text column read (the query, for reranking).</summary>
    public string FirstColumnName { get; }

    /// <summary>The second text column read (the passage, for reranking).</summary>
    public string SecondColumnName { get; }

    /// <summary>The predicted-label key column added when the model has several labels.</summary>
    public string PredictedLabelColumnName { get; }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        writer.Set("output", OutputColumnName);
        writer.Set("first", FirstColumnName);
        writer.Set("second", SecondColumnName);
        writer.Set("predictedLabel", PredictedLabelColumnName);
        writer.Set("activation", Model.Activation.ToString());
        writer.Set("truncation", Model.Truncation.ToString());
        Model.Runner.SaveStep(writer);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader)
    {
        var options = new CrossEncoderOptions
        {
            Activation = reader.GetEnum<CrossEncoderActivation>("activation"),
            Truncation = reader.GetEnum<TruncationStrategy>("truncation"),
        };
        var folder = EncoderRunner.LoadStep(reader, options);
        return new TextPairScoringTransformer(CrossEncoderModel.FromDirectory(folder, options), true, reader.RequireString("output"),
            reader.RequireString("first"), reader.RequireString("second"), reader.RequireString("predictedLabel"));
    }

    private sealed class PairMapper : IBatchMapper
    {
        private readonly CrossEncoderModel _model;

        public PairMapper(CrossEncoderModel model, string output, string first, string second, string predictedLabel)
        {
            _model = model;
            InputColumns = [first, second];
            OutputColumns = model.Labels.Count == 1
                ? [new OutputColumn(output, NumberDataViewType.Single)]
                : ClassificationColumns.Create(output, predictedLabel, model.Labels);
        }

        public IReadOnlyList<string> InputColumns { get; }

        public IReadOnlyList<OutputColumn> OutputColumns { get; }

        public int BatchSize => _model.BatchSize * EncoderRunner.BatchesPerMapperCall;

        public void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs)
        {
            var results = _model.Classify(inputs.Select(row => (row[0], row[1])).ToArray());
            for (int r = 0; r < results.Length; r++)
            {
                var scores = results[r].Probabilities;
                if (OutputColumns.Count == 1)
                {
                    outputs[r][0] = scores[0];
                    continue;
                }
                outputs[r][0] = new VBuffer<float>(scores.Length, scores);
                outputs[r][1] = (uint)results[r].LabelIndex + 1; // keys are 1-based; 0 means missing
            }
        }
    }
}
