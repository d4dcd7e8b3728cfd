using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.ClassificationHead;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// A trained classification head. Appends the columns of ML.NET's own classifiers, so <c>Evaluate</c>,
/// <c>CrossValidate</c> and prediction engines work unchanged: binary → <c>Score</c> (logit), <c>Probability</c>,
/// <c>PredictedLabel</c> (Boolean); multiclass → <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (key).
/// <see cref="Transform"/> is lazy. Immutable and safe to use from several threads.
/// </summary>
public sealed class ClassificationHeadTransformer : ITransformer, IPersistentTransformer
{
    internal ClassificationHeadTransformer(ClassificationHeadModel model) => Model = model;

    /// <summary>The trained weights and the options used.</summary>
    public ClassificationHeadModel Model { get; }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) Model.WriteTo(w);
        writer.SetBlob(buffer.ToArray());
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader)
    {
        using var r = new BinaryReader(new MemoryStream(reader.Blob ?? throw new InvalidDataException("Classification head step has no weights.")));
        return new ClassificationHeadTransformer(ClassificationHeadModel.ReadFrom(r));
    }

    /// <summary>Always true: rows can be scored one at a time (used by prediction engines).</summary>
    public bool IsRowToRowMapper => true;

    internal string FeatureColumnName => Model.FeatureColumnName;

    /// <summary>The input schema plus the score columns; fails if the feature column is missing or has the wrong type or size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The feature column is missing, not a known-size Single vector, or of another size than the model's input.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        RequireFeatures(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        OutputColumn.AddTo(builder, ScoreColumns(Model.IsBinary, Model.ClassCount, Model.ClassNames));
        return builder.ToSchema();
    }

    /// <summary>
    /// The columns ML.NET's own scorers append: binary → Score, Probability, PredictedLabel (Boolean); multiclass →
    /// Score (vector) and PredictedLabel (key), named by <paramref name="classNames"/> when known.
    /// </summary>
    internal static OutputColumn[] ScoreColumns(bool binary, int classCount, IReadOnlyList<string>? classNames) => binary
        ? ClassificationColumns.CreateBinary(ColumnNames.Score, ColumnNames.Probability, ColumnNames.PredictedLabel)
        : ClassificationColumns.CreateMulticlass(ColumnNames.Score, ColumnNames.PredictedLabel, classCount, classNames);

    /// <summary>Returns a lazy view of <paramref name="input"/> with the score columns appended.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMappedDataView(input, GetRowToRowMapper(input.Schema));
    }

    /// <summary>A mapper that scores one row at a time.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ScoringRowMapper(this, inputSchema, GetOutputSchema(inputSchema));

    /// <summary>Not supported: ML.NET's own format cannot hold this transformer; use <c>mlContext.Model.SavePipeline</c>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        $"{nameof(ClassificationHeadTransformer)} cannot be saved with mlContext.Model.Save; use mlContext.Model.SavePipeline from MlNetLlm.");

    internal int RequireFeatures(DataViewSchema schema)
    {
        int size = Columns.RequireFeatures(schema, FeatureColumnName);
        if (size != Model.InputSize)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Feature column '{FeatureColumnName}' has {size} values; the classification head was trained on {Model.InputSize}.");
        return schema[FeatureColumnName].Index;
    }
}
