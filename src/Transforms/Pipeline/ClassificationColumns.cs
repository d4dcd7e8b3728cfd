using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Pipeline;

/// <summary>
/// The one builder of classifier output columns (used by ClassifyText, ScoreTextPairs, ClassifyWithPrompt and the
/// trainable classification head), with the annotations ML.NET's own scorers add and its evaluators read: score column
/// kind and value kind on every column, slot names and training label values on a multiclass score vector, key values on a predicted-label key,
/// <c>IsNormalized</c> on a binary probability.
/// </summary>
internal static class ClassificationColumns
{
    // ML.NET's annotation kinds (AnnotationUtils.Kinds is internal to ML.NET).
    public const string KeyValues = "KeyValues", SlotNames = "SlotNames", TrainingLabelValues = "TrainingLabelValues";
    private const string ScoreColumnKind = "ScoreColumnKind", ScoreValueKind = "ScoreValueKind", IsNormalized = "IsNormalized";
    private const string Binary = "BinaryClassification", Multiclass = "MulticlassClassification";
    private const string ScoreValue = "Score", ProbabilityValue = "Probability", PredictedLabelValue = "PredictedLabel";

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
    public static OutputColumn[] Create(string scoreColumnName, string predictedLabelColumnName, IReadOnlyList<string> labels) =>
        CreateMulticlass(scoreColumnName, predictedLabelColumnName, labels.Count, labels);

    /// <summary>
    /// A multiclass score vector of <paramref name="classCount"/> slots and a predicted-label key over as many classes;
    /// with <paramref name="labels"/>, they are the score's slot names and the key's values.
    /// </summary>
    public static OutputColumn[] CreateMulticlass(string scoreColumnName, string predictedLabelColumnName, int classCount, IReadOnlyList<string>? labels) =>
    [
        new(scoreColumnName, new VectorDataViewType(NumberDataViewType.Single, classCount), Annotate(Multiclass, ScoreValue, labels, SlotNames, TrainingLabelValues)),
        new(predictedLabelColumnName, new KeyDataViewType(typeof(uint), classCount), Annotate(Multiclass, PredictedLabelValue, labels, KeyValues)),
    ];

    /// <summary>The binary columns of ML.NET's binary scorers: a Single score (logit), a Single probability and a Boolean predicted label.</summary>
    public static OutputColumn[] CreateBinary(string scoreColumnName, string probabilityColumnName, string predictedLabelColumnName) =>
    [
        new(scoreColumnName, NumberDataViewType.Single, Annotate(Binary, ScoreValue)),
        new(probabilityColumnName, NumberDataViewType.Single, a =>
        {
            Annotate(Binary, ProbabilityValue)(a);
            a.Add(IsNormalized, BooleanDataViewType.Instance, (ref bool v) => v = true);
        }),
        new(predictedLabelColumnName, BooleanDataViewType.Instance, Annotate(Binary, PredictedLabelValue)),
    ];

    private static Action<DataViewSchema.Annotations.Builder> Annotate(string columnKind, string valueKind,
        IReadOnlyList<string>? names = null, params string[] namesKinds) => a =>
    {
        a.Add(ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = columnKind.AsMemory());
        a.Add(ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> v) => v = valueKind.AsMemory());
        if (names is null) return;
        var values = new VBuffer<ReadOnlyMemory<char>>(names.Count, names.Select(n => n.AsMemory()).ToArray());
        foreach (var kind in namesKinds)
            a.Add(kind, new VectorDataViewType(TextDataViewType.Instance, names.Count), (ref VBuffer<ReadOnlyMemory<char>> v) => values.CopyTo(ref v));
    };
}
