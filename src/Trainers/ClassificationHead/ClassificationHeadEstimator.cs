using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.ClassificationHead;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Trains a classification head (linear or one hidden layer, AdamW, early stopping) on a feature vector column.
/// Create it with <c>mlContext.BinaryClassification.Trainers.ClassificationHead</c> or
/// <c>mlContext.MulticlassClassification.Trainers.ClassificationHead</c>.
/// </summary>
public sealed class ClassificationHeadEstimator : IEstimator<ClassificationHeadTransformer>
{
    private readonly ClassificationHeadOptions _options;
    private readonly bool _binary;

    internal ClassificationHeadEstimator(ClassificationHeadOptions options, bool binary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.LabelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(options.FeatureColumnName);
        ArgumentOutOfRangeException.ThrowIfNegative(options.HiddenSize);
        if (!(options.Dropout >= 0 && options.Dropout < 1)) throw new ArgumentOutOfRangeException(nameof(options), "Dropout must be in [0, 1).");
        if (!(options.LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(options), "LearningRate must be positive.");
        if (!(options.WeightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(options), "WeightDecay must not be negative.");
        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(options), "ValidationFraction must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Patience, 1);
        _options = options.Clone();
        _binary = binary;
    }

    /// <summary>Reads the feature, label and weight columns in one pass and trains the head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (the message names it).</exception>
    public ClassificationHeadTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var set = TrainingSet.Read(input, _options, _binary);
        return new ClassificationHeadTransformer(HeadTrainer.Train(set, _options, _binary));
    }

    /// <summary>The input shape plus the score columns (vector and key sizes are not part of a shape).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = inputSchema.ToDictionary(c => c.Name);
        SchemaCheck.Require(inputSchema, nameof(inputSchema), "Feature", _options.FeatureColumnName, Columns.Head, SchemaCheck.SingleVector,
            c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
        var label = SchemaCheck.Require(inputSchema, nameof(inputSchema), "Label", _options.LabelColumnName, Columns.Head, Columns.ExpectedLabel(_binary),
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && (_binary ? c.ItemType is BooleanDataViewType : c.IsKey));
        bool named = !_binary && label.Annotations.Any(a => a.Name == ClassificationColumns.KeyValues && a.ItemType is TextDataViewType);

        var builder = new DataViewSchema.Builder();
        OutputColumn.AddTo(builder, ClassificationHeadTransformer.ScoreColumns(_binary, classCount: 2, named ? ["", ""] : null));
        foreach (var c in SchemaShapes.Of(builder.ToSchema())) columns[c.Name] = c;
        return new SchemaShape(columns.Values);
    }

}
