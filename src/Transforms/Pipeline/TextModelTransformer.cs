using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Base of every MlNetLlm transformer: appends model outputs computed from text columns. <see cref="Transform"/> is lazy
/// (rows are mapped in batches as a cursor reads them), and the transformer maps single rows for a
/// <see cref="PredictionEngine{TSrc, TDst}"/>. Immutable and safe to use from several threads. A transformer built from a
/// model folder or hub id owns the model it loaded and disposes it with itself; one given a loaded model shares it and
/// never disposes it.
/// </summary>
public abstract class TextModelTransformer : ITransformer
{
    private readonly IDisposable? _ownedModel;

    private protected TextModelTransformer(IBatchMapper mapper, IDisposable? ownedModel = null)
    {
        Mapper = mapper;
        _ownedModel = ownedModel;
    }

    internal IBatchMapper Mapper { get; }

    /// <summary>True when this transformer loaded its model and disposes it (false for a shared model).</summary>
    public bool OwnsModel => _ownedModel is not null;

    /// <summary>Disposes the model when this transformer owns it (<see cref="OwnsModel"/>); a shared model is left to its owner.</summary>
    internal void DisposeOwnedModel() => _ownedModel?.Dispose();

    /// <summary>Always true: rows can be mapped one at a time (used by prediction engines).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the appended columns; fails if an input column is missing or is not text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or is not of type text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        RequireInputs(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        OutputColumn.AddTo(builder, Mapper.OutputColumns);
        return builder.ToSchema();
    }

    /// <summary>Returns a lazy view of <paramref name="input"/> with the appended columns.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new BatchedDataView(input, Mapper, GetOutputSchema(input.Schema), RequireInputs(input.Schema));
    }

    /// <summary>A mapper that computes the appended columns for one row at a time.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new SingleRowMapper(Mapper, inputSchema, GetOutputSchema(inputSchema), RequireInputs(inputSchema));

    /// <summary>Not supported: ML.NET's own format cannot hold these transformers; use <c>mlContext.Model.SavePipeline</c>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        $"{GetType().Name} cannot be saved with mlContext.Model.Save; use mlContext.Model.SavePipeline from MlNetLlm.");

    private int[] RequireInputs(DataViewSchema schema) => Mapper.InputColumns.Select(name =>
        SchemaCheck.Require(schema, nameof(schema), "Input", name, GetType().Name, SchemaCheck.Text, t => t is TextDataViewType).Index).ToArray();
}
