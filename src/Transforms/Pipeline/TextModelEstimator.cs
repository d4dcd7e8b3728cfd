using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Estimator for a pretrained-model transform: there is nothing to train, so <see cref="Fit"/> checks the input schema and
/// returns the transformer (created on first use, so that model files load only when the pipeline is fitted). A
/// transformer that owns its model (<see cref="TextModelTransformer.OwnsModel"/>: loaded from a folder or hub id) belongs
/// to the caller of <see cref="Fit"/>: every further <see cref="Fit"/> loads a new one, so disposing one never breaks
/// another and a re-fit never hands back a disposed model. A shared model is never disposed by the pipeline.
/// </summary>
public sealed class TextModelEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : TextModelTransformer
{
    private readonly Func<TTransformer> _create;
    private readonly Lazy<TTransformer> _transformer;
    private int _handedOut;

    internal TextModelEstimator(Func<TTransformer> create)
    {
        _create = create;
        _transformer = new Lazy<TTransformer>(create);
    }

    /// <summary>
    /// An estimator whose transformer applies the model <paramref name="load"/> returns: owned (disposed with the
    /// transformer, and with it when the transformer cannot be built) when <paramref name="owns"/>, else shared.
    /// </summary>
    internal static TextModelEstimator<TTransformer> ForModel<TModel>(Func<TModel> load, bool owns, Func<TModel, bool, TTransformer> create)
        where TModel : IDisposable => new(() =>
    {
        var model = load();
        try
        {
            return create(model, owns);
        }
        catch when (owns)
        {
            model.Dispose();
            throw;
        }
    });

    /// <summary>Validates <paramref name="input"/>'s schema (input columns present and text) and returns the transformer.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = _transformer.Value.OwnsModel && Interlocked.Exchange(ref _handedOut, 1) == 1 ? _create() : _transformer.Value;
        try
        {
            transformer.GetOutputSchema(input.Schema);
        }
        catch when (transformer != _transformer.Value)
        {
            transformer.DisposeOwnedModel();
            throw;
        }
        return transformer;
    }

    /// <summary>The input shape plus the appended columns.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var mapper = _transformer.Value.Mapper;
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in mapper.InputColumns)
            SchemaCheck.Require(inputSchema, nameof(inputSchema), "Input", name, typeof(TTransformer).Name, SchemaCheck.Text, SchemaCheck.IsText);
        var schema = _transformer.Value.GetOutputSchema(EmptySchemaWithTextColumns(mapper.InputColumns));
        foreach (var c in SchemaShapes.Of(schema)) columns[c.Name] = c;
        return new SchemaShape(columns.Values);
    }

    private static DataViewSchema EmptySchemaWithTextColumns(IEnumerable<string> names)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var name in names.Distinct()) builder.AddColumn(name, TextDataViewType.Instance);
        return builder.ToSchema();
    }
}
