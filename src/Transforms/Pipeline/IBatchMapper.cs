using Microsoft.ML;

namespace MlNetLlm.Pipeline;

/// <summary>
/// The engine behind every MlNetLlm transform: maps a batch of rows of text columns to output values. Implementations
/// are immutable and thread-safe (several cursors may call <see cref="MapBatch"/> at once).
/// </summary>
internal interface IBatchMapper
{
    /// <summary>The text columns read, in the order of each row's input array.</summary>
    IReadOnlyList<string> InputColumns { get; }

    /// <summary>The columns produced.</summary>
    IReadOnlyList<OutputColumn> OutputColumns { get; }

    /// <summary>Rows pulled from upstream per <see cref="MapBatch"/> call.</summary>
    int BatchSize { get; }

    /// <summary>
    /// Maps rows: <c>inputs[r][c]</c> is input column c of row r; writes <c>outputs[r][k]</c>, typed as
    /// <c>OutputColumns[k].Type.RawType</c>, for every row, in input order.
    /// </summary>
    void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs);
}
