using MlNetLlm.Persistence;

namespace MlNetLlm;

/// <summary>
/// A <see cref="TextModelTransformer{TModel}"/> that classifies one text column into named labels: it adds a score
/// column (probabilities, slot names = labels) and a predicted-label key column, the shape
/// <c>mlContext.MulticlassClassification.Evaluate</c> reads.
/// </summary>
/// <typeparam name="TModel">The model type.</typeparam>
public abstract class TextClassifierTransformer<TModel> : TextModelTransformer<TModel> where TModel : IDisposable
{
    private protected TextClassifierTransformer(Pipeline.IBatchMapper mapper, TModel model, bool ownsModel,
        string scoreColumnName, string inputColumnName, string predictedLabelColumnName)
        : base(mapper, model, ownsModel)
    {
        ScoreColumnName = scoreColumnName;
        InputColumnName = inputColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
    }

    /// <summary>The text column classified.</summary>
    public string InputColumnName { get; }

    /// <summary>The probabilities column added (one slot per label, in label order).</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted-label column added (key type; its key values are the label names).</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Writes the three column names into a pipeline step.</summary>
    private protected void SaveColumns(PipelineStepWriter writer)
    {
        writer.Set("input", InputColumnName);
        writer.Set("score", ScoreColumnName);
        writer.Set("predictedLabel", PredictedLabelColumnName);
    }
}
