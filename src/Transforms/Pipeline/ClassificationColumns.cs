using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>The output columns of a classifier over named labels, in the shape ML.NET's multiclass evaluator reads.</summary>
internal static class ClassificationColumns
{
    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> when both output columns have the same name, as ML.NET's own
    /// transformers do for a result column specified multiple times.
    /// </summary>
    public static void RequireDistinct(string outputColumnName, string predictedLabelColumnName)
    {
        if (outputColumnName == predictedLabelColumnName)
            throw new ArgumentOutOfRangeException(nameof(predictedLabelColumnName),
                $"Name of the result column '{predictedLabelColumnName}' specified multiple times: outputColumnName and predictedLabelColumnName must differ.");
    }

    /// <summary>
    /// A score vector (one slot per label, slot names = labels) and a predicted label (key type over the labels, key
    /// values = labels; key k+1 is label k, 0 means missing).
    /// </summary>
    public static OutputColumn[] Create(string scoreColumnName, string predictedLabelColumnName, IReadOnlyList<string> labels)
    {
        int count = labels.Count;
        var names = new VBuffer<ReadOnlyMemory<char>>(count, labels.Select(l => l.AsMemory()).ToArray());
        var namesType = new VectorDataViewType(TextDataViewType.Instance, count);
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value);
        return
        [
            new(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, count), a => a.Add("SlotNames", namesType, getNames)),
            new(predictedLabelColumnName, new KeyDataViewType(typeof(uint), count), a => a.Add("KeyValues", namesType, getNames)),
        ];
    }
}
