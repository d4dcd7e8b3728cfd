using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>Estimator of <see cref="CosineSimilarityTransformer"/>: nothing to train, <see cref="Fit"/> checks the schema.</summary>
public sealed class CosineSimilarityEstimator : IEstimator<CosineSimilarityTransformer>
{
    private readonly CosineSimilarityTransformer _transformer;

    internal CosineSimilarityEstimator(CosineSimilarityTransformer transformer) => _transformer = transformer;

    /// <summary>Validates <paramref name="input"/>'s schema and returns the transformer.</summary>
    public CosineSimilarityTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _transformer.GetOutputSchema(input.Schema);
        return _transformer;
    }

    /// <summary>The input shape plus the Single similarity column; fails if an input is not a vector of Single.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in new[] { _transformer.FirstColumnName, _transformer.SecondColumnName })
            SchemaCheck.Require(inputSchema, nameof(inputSchema), "Input", name, "CosineSimilarity", SchemaCheck.SingleVector,
                c => c.Kind == SchemaShape.Column.VectorKind.Vector && c.ItemType == NumberDataViewType.Single);
        var output = new DataViewSchema.Builder();
        output.AddColumn(_transformer.OutputColumnName, NumberDataViewType.Single);
        foreach (var c in SchemaShapes.Of(output.ToSchema())) columns[c.Name] = c;
        return new SchemaShape(columns.Values);
    }
}
