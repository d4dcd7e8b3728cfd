using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>One column a transform appends to its input.</summary>
internal sealed record OutputColumn(string Name, DataViewType Type, Action<DataViewSchema.Annotations.Builder>? Annotations = null)
{
    /// <summary>Appends <paramref name="columns"/> with their annotations to <paramref name="builder"/>.</summary>
    public static void AddTo(DataViewSchema.Builder builder, IEnumerable<OutputColumn> columns)
    {
        foreach (var column in columns)
        {
            DataViewSchema.Annotations? annotations = null;
            if (column.Annotations is not null)
            {
                var a = new DataViewSchema.Annotations.Builder();
                column.Annotations(a);
                annotations = a.ToAnnotations();
            }
            builder.AddColumn(column.Name, column.Type, annotations);
        }
    }
}
