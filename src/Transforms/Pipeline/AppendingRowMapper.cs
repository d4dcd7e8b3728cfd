using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>
/// The one row-to-row mapper of every MlNetLlm transform that is read row by row (prediction engines, cheap per-row
/// transforms through <see cref="RowMappedDataView"/>): it passes every input column through and appends columns
/// computed from a few source columns. A derived mapper says which source columns it reads and how to compute the
/// appended values of one row.
/// </summary>
/// <typeparam name="TState">What one row needs to compute its appended values (getters of the source columns, buffers).</typeparam>
internal abstract class AppendingRowMapper<TState>(DataViewSchema inputSchema, DataViewSchema outputSchema, IReadOnlyCollection<int> sourceColumns)
    : IRowToRowMapper where TState : class
{
    /// <summary>The schema rows are read from.</summary>
    public DataViewSchema InputSchema => inputSchema;

    /// <summary>The input schema plus the appended columns.</summary>
    public DataViewSchema OutputSchema => outputSchema;

    /// <summary>The input columns asked for, plus the source columns when any appended column is asked for.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var columns = dependingColumns.ToList();
        var needed = columns.Where(c => c.Index < inputSchema.Count).Select(c => c.Index).ToHashSet();
        if (columns.Any(c => c.Index >= inputSchema.Count)) needed.UnionWith(sourceColumns);
        return inputSchema.Where(c => needed.Contains(c.Index));
    }

    /// <summary>A row over <paramref name="input"/>; the per-row state is created only when an appended column is active.</summary>
    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var active = activeColumns.Select(c => c.Index).ToHashSet();
        var state = active.Any(i => i >= inputSchema.Count) ? CreateState(input) : null;
        return new Row(this, input, active, state);
    }

    /// <summary>Creates what <paramref name="input"/> needs to compute its appended values (called once per row object).</summary>
    protected abstract TState CreateState(DataViewRow input);

    /// <summary>The getter of the <paramref name="k"/>-th appended column (<paramref name="column"/>) for one row.</summary>
    protected abstract ValueGetter<TValue> GetAppendedGetter<TValue>(TState state, DataViewSchema.Column column, int k);

    private sealed class Row(AppendingRowMapper<TState> owner, DataViewRow input, HashSet<int> active, TState? state) : DataViewRow
    {
        public override DataViewSchema Schema => owner.OutputSchema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = owner.InputSchema.Count;
            if (column.Index < inputCount) return input.GetGetter<TValue>(input.Schema[column.Index]);
            if (state is null) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the row was created.");
            return owner.GetAppendedGetter<TValue>(state, column, column.Index - inputCount);
        }
    }
}
