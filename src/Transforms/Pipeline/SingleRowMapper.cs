using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>Computes a transformer's outputs for one input row (a batch of one), recomputing when the row moves.</summary>
internal sealed class SingleRowMapper(IBatchMapper mapper, DataViewSchema inputSchema, DataViewSchema outputSchema, int[] inputIndices)
    : AppendingRowMapper<SingleRowMapper.State>(inputSchema, outputSchema, inputIndices)
{
    protected override State CreateState(DataViewRow input) => new(mapper, input, inputIndices);

    protected override ValueGetter<TValue> GetAppendedGetter<TValue>(State state, DataViewSchema.Column column, int k) => (ref TValue value) =>
    {
        state.Map();
        value = (TValue)state.Outputs[0][k];
    };

    /// <summary>One row's text getters and mapped outputs.</summary>
    internal sealed class State(IBatchMapper mapper, DataViewRow input, int[] inputIndices)
    {
        private readonly ValueGetter<ReadOnlyMemory<char>>[] _text = inputIndices.Select(i => input.GetGetter<ReadOnlyMemory<char>>(input.Schema[i])).ToArray();
        private long _mappedPosition = long.MinValue;

        public object[][] Outputs { get; } = [new object[mapper.OutputColumns.Count]];

        // Prediction engines reuse one row object and advance Position per prediction; map once per position.
        public void Map()
        {
            if (_mappedPosition == input.Position && input.Position >= 0) return;
            var text = default(ReadOnlyMemory<char>);
            var row = new string[_text.Length];
            for (int c = 0; c < row.Length; c++)
            {
                _text[c](ref text);
                row[c] = text.ToString();
            }
            mapper.MapBatch([row], Outputs);
            _mappedPosition = input.Position;
        }
    }
}
