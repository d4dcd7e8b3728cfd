using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm.ClassificationHead;

/// <summary>Scores one input row on demand (once per row position) and serves the score columns' getters.</summary>
internal sealed class RowScorer
{
    private readonly ClassificationHeadModel _model;
    private readonly DataViewRow _input;
    private readonly ValueGetter<VBuffer<float>> _getFeatures;
    private readonly float[] _hidden, _output;
    private VBuffer<float> _features;
    private long _scoredPosition = long.MinValue;

    public RowScorer(ClassificationHeadModel model, DataViewRow input, int featureIndex)
    {
        _model = model;
        _input = input;
        _getFeatures = input.GetGetter<VBuffer<float>>(input.Schema[featureIndex]);
        _hidden = new float[model.HiddenSize];
        _output = new float[model.IsBinary ? 1 : model.ClassCount];
    }

    /// <summary>The getter of the <paramref name="k"/>-th appended column (see <see cref="ClassificationHeadTransformer.ScoreColumns"/>).</summary>
    public ValueGetter<TValue> GetGetter<TValue>(int k)
    {
        Delegate getter = (_model.IsBinary, k) switch
        {
            (true, 0) => (ValueGetter<float>)((ref float v) => v = Logits()[0]),
            (true, 1) => (ValueGetter<float>)((ref float v) => v = 1 / (1 + MathF.Exp(-Logits()[0]))),
            (true, _) => (ValueGetter<bool>)((ref bool v) => v = Logits()[0] > 0),
            (false, 0) => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
            {
                var editor = VBufferEditor.Create(ref v, _output.Length);
                Logits().CopyTo(editor.Values);
                v = editor.Commit();
            }),
            (false, _) => (ValueGetter<uint>)((ref uint v) => v = (uint)TensorPrimitives.IndexOfMax(Logits()) + 1),
        };
        return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
            $"Invalid TValue {typeof(TValue)} for score column {k}; expected {getter.GetType().GetGenericArguments()[0]}.");
    }

    // Cursors and prediction engines advance Position once per row; score each position once.
    private ReadOnlySpan<float> Logits()
    {
        if (_scoredPosition != _input.Position || _input.Position < 0)
        {
            _getFeatures(ref _features);
            _model.Score(FeatureRow.Of(_features), _hidden, _output);
            _scoredPosition = _input.Position;
        }
        return _output;
    }
}

/// <summary>Scores rows on demand, for cursors (through <c>RowMappedDataView</c>) and prediction engines.</summary>
internal sealed class ScoringRowMapper(ClassificationHeadTransformer transformer, DataViewSchema inputSchema, DataViewSchema outputSchema)
    : AppendingRowMapper<RowScorer>(inputSchema, outputSchema, [transformer.RequireFeatures(inputSchema)])
{
    protected override RowScorer CreateState(DataViewRow input) => new(transformer.Model, input, transformer.RequireFeatures(InputSchema));

    protected override ValueGetter<TValue> GetAppendedGetter<TValue>(RowScorer state, DataViewSchema.Column column, int k) => state.GetGetter<TValue>(k);
}
