using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Adds a Single column: the cosine similarity of two known-size Single vector columns of the same size (NaN when either
/// vector is all zeros). Computed lazily, row by row; has no model files. Created by
/// <c>mlContext.Transforms.CosineSimilarity</c>.
/// </summary>
public sealed class CosineSimilarityTransformer : ITransformer, IPersistentTransformer
{
    internal CosineSimilarityTransformer(string outputColumnName, string firstColumnName, string secondColumnName)
    {
        OutputColumnName = outputColumnName;
        FirstColumnName = firstColumnName;
        SecondColumnName = secondColumnName;
    }

    /// <summary>The similarity column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The first vector column read.</summary>
    public string FirstColumnName { get; }

    /// <summary>The second vector column read.</summary>
    public string SecondColumnName { get; }

    /// <summary>Always true: rows are mapped one at a time.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the Single similarity column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing, is not a known-size Single vector, or the sizes differ.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => GetRowToRowMapper(inputSchema).OutputSchema;

    /// <summary>Returns a lazy view of <paramref name="input"/> with the similarity column.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new RowMappedDataView(input, GetRowToRowMapper(input.Schema));
    }

    /// <summary>A mapper that computes the similarity of each row.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var first = RequireVector(inputSchema, FirstColumnName);
        var second = RequireVector(inputSchema, SecondColumnName);
        int firstSize = ((VectorDataViewType)first.Type).Size, secondSize = ((VectorDataViewType)second.Type).Size;
        if (firstSize != secondSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Columns '{FirstColumnName}' ({firstSize} values) and '{SecondColumnName}' ({secondSize} values) differ in size; cosine similarity needs vectors of the same size.");
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(OutputColumnName, NumberDataViewType.Single);
        return new Mapper(inputSchema, builder.ToSchema(), first.Index, second.Index);
    }

    /// <summary>Not supported: use <c>mlContext.Model.SavePipeline</c>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        $"{nameof(CosineSimilarityTransformer)} cannot be saved with mlContext.Model.Save; use mlContext.Model.SavePipeline from MlNetLlm.");

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        writer.Set("output", OutputColumnName);
        writer.Set("first", FirstColumnName);
        writer.Set("second", SecondColumnName);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader) =>
        new CosineSimilarityTransformer(reader.RequireString("output"), reader.RequireString("first"), reader.RequireString("second"));

    private static DataViewSchema.Column RequireVector(DataViewSchema schema, string name) =>
        SchemaCheck.Require(schema, nameof(schema), "Input", name, "CosineSimilarity", SchemaCheck.SingleVector, SchemaCheck.IsSingleVector);

    private sealed class Mapper(DataViewSchema inputSchema, DataViewSchema outputSchema, int first, int second)
        : AppendingRowMapper<Mapper.Vectors>(inputSchema, outputSchema, [first, second])
    {
        protected override Vectors CreateState(DataViewRow input) =>
            new(input.GetGetter<VBuffer<float>>(input.Schema[first]), input.GetGetter<VBuffer<float>>(input.Schema[second]));

        protected override ValueGetter<TValue> GetAppendedGetter<TValue>(Vectors state, DataViewSchema.Column column, int k)
        {
            if (typeof(TValue) != typeof(float))
                throw new InvalidOperationException($"Column '{column.Name}' is Single; a getter of {typeof(TValue).Name} was requested.");
            return (ValueGetter<TValue>)(Delegate)(ValueGetter<float>)state.Cosine;
        }

        /// <summary>One row's getters of the two input vectors and their buffers.</summary>
        internal sealed class Vectors(ValueGetter<VBuffer<float>> getFirst, ValueGetter<VBuffer<float>> getSecond)
        {
            private VBuffer<float> _a, _b;

            public void Cosine(ref float value)
            {
                getFirst(ref _a);
                getSecond(ref _b);
                value = _a.IsDense && _b.IsDense
                    ? TensorPrimitives.CosineSimilarity(_a.GetValues(), _b.GetValues())
                    : TensorPrimitives.CosineSimilarity(_a.DenseValues().ToArray(), _b.DenseValues().ToArray());
            }
        }
    }
}
