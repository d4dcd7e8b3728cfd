using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm.Tests.Pipeline;

/// <summary>The one builder of classifier output columns gives the annotations ML.NET's own scorers give.</summary>
public sealed class ClassificationColumnsTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        public bool IsPositive { get; set; }
        [VectorType(2)] public float[] Features { get; set; } = [];
    }

    private static readonly Row[] Rows = Enumerable.Range(0, 30).Select(i => new Row
    {
        Label = (i % 3) switch { 0 => "a", 1 => "b", _ => "c" },
        IsPositive = i % 2 == 0,
        Features = [i % 3, i % 2],
    }).ToArray();

    [Fact]
    public void CreateMulticlass_Annotations_MatchMlNetMulticlassScorer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var scored = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 2))
            .Fit(data).Transform(data).Schema;
        var ours = Schema(ClassificationColumns.CreateMulticlass("Score", "PredictedLabel", 3, ["a", "b", "c"]));

        Assert.Equal(Describe(scored["Score"]), Describe(ours["Score"]));
        Assert.Equal(Describe(scored["PredictedLabel"]), Describe(ours["PredictedLabel"]));
    }

    [Fact]
    public void CreateBinary_Annotations_MatchMlNetBinaryScorer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows);
        var scored = ml.BinaryClassification.Trainers.SdcaLogisticRegression("IsPositive", maximumNumberOfIterations: 2)
            .Fit(data).Transform(data).Schema;
        var ours = Schema(ClassificationColumns.CreateBinary("Score", "Probability", "PredictedLabel"));

        foreach (var name in new[] { "Score", "Probability", "PredictedLabel" })
            Assert.Equal(Describe(scored[name]), Describe(ours[name]));
    }

    private static DataViewSchema Schema(IEnumerable<OutputColumn> columns)
    {
        var builder = new DataViewSchema.Builder();
        OutputColumn.AddTo(builder, columns);
        return builder.ToSchema();
    }

    // Type plus every annotation with its value, except ScoreColumnSetId (ML.NET numbers its own scorers' column sets).
    private static string[] Describe(DataViewSchema.Column column) =>
        column.Annotations.Schema.Where(a => a.Name != "ScoreColumnSetId")
            .Select(a => $"{a.Name}: {a.Type} = {Value(column.Annotations, a)}")
            .Prepend($"type {column.Type}").OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private static string Value(DataViewSchema.Annotations annotations, DataViewSchema.Column a)
    {
        if (a.Type is TextDataViewType)
        {
            ReadOnlyMemory<char> text = default;
            annotations.GetValue(a.Name, ref text);
            return text.ToString();
        }
        if (a.Type is BooleanDataViewType)
        {
            bool value = false;
            annotations.GetValue(a.Name, ref value);
            return value.ToString();
        }
        VBuffer<ReadOnlyMemory<char>> names = default;
        annotations.GetValue(a.Name, ref names);
        return string.Join(",", names.DenseValues());
    }
}
