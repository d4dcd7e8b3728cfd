using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Pipeline;

namespace MlNetLlm.ClassificationHead;

/// <summary>Schema checks shared by training and scoring; errors name the column and its type.</summary>
internal static class Columns
{
    /// <summary>The feature column, which must be a known-size vector of Single; returns its length.</summary>
    public static int RequireFeatures(DataViewSchema schema, string name) => SchemaCheck.VectorSize(
        SchemaCheck.Require(schema, nameof(schema), "Feature", name, Head, SchemaCheck.SingleVector + " (e.g. Vector<Single, 384>)", SchemaCheck.IsSingleVector).Type);

    /// <summary>The label column: Boolean when binary, a UInt32 key type when multiclass.</summary>
    public static DataViewSchema.Column RequireLabel(DataViewSchema schema, string name, bool binary) =>
        SchemaCheck.Require(schema, nameof(schema), "Label", name, Head, ExpectedLabel(binary),
            type => binary ? type is BooleanDataViewType : type is KeyDataViewType { RawType: var raw } && raw == typeof(uint));

    /// <summary>The optional example-weight column, which must be Single.</summary>
    public static DataViewSchema.Column? RequireWeight(DataViewSchema schema, string? name) => name is null ? null :
        SchemaCheck.Require(schema, nameof(schema), "Example weight", name, Head, "Single", type => type == NumberDataViewType.Single);

    /// <summary>What the label column must be, for error messages.</summary>
    public static string ExpectedLabel(bool binary) =>
        binary ? "Boolean for binary classification" : "a UInt32 key type for multiclass classification (use MapValueToKey)";

    /// <summary>Who checks, for error messages.</summary>
    public const string Head = "the classification head";
}

/// <summary>The training examples read from an <see cref="IDataView"/> into contiguous arrays.</summary>
internal sealed class TrainingSet
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

    private TrainingSet(FeatureMatrix features, int[] labels, float[] weights, int classCount, string[]? classNames)
    {
        Features = features;
        Labels = labels;
        Weights = weights;
        ClassCount = classCount;
        ClassNames = classNames;
    }

    public FeatureMatrix Features { get; }

    /// <summary>Class index per example, from 0 (binary: 1 = true).</summary>
    public int[] Labels { get; }

    /// <summary>Example weight per example (1 without a weight column).</summary>
    public float[] Weights { get; }

    public int ClassCount { get; }

    public string[]? ClassNames { get; }

    /// <summary>Rows read from the input (including skipped ones), and the time the read took.</summary>
    public long RowsRead { get; private init; }

    public long? TotalRows { get; private init; }

    public TimeSpan ReadingTime { get; private init; }

    /// <summary>
    /// Reads one cursor pass. Skips rows with a missing label (key 0), a non-finite feature, or a weight that is not
    /// positive, as ML.NET's trainers do.
    /// </summary>
    public static TrainingSet Read(IDataView data, ClassificationHeadOptions options, bool binary)
    {
        var schema = data.Schema;
        int dimension = Columns.RequireFeatures(schema, options.FeatureColumnName);
        var featureColumn = schema[options.FeatureColumnName];
        var labelColumn = Columns.RequireLabel(schema, options.LabelColumnName, binary);
        var weightColumn = Columns.RequireWeight(schema, options.ExampleWeightColumnName);
        int classCount = binary ? 2 : checked((int)((KeyDataViewType)labelColumn.Type).Count);

        using var cursor = data.GetRowCursor(weightColumn is { } w ? [featureColumn, labelColumn, w] : [featureColumn, labelColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featureColumn);
        ValueGetter<bool> getBool = binary ? cursor.GetGetter<bool>(labelColumn) : (ref bool _) => { };
        ValueGetter<uint> getKey = binary ? (ref uint _) => { } : cursor.GetGetter<uint>(labelColumn);
        ValueGetter<float> getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : (ref float v) => v = 1;

        var builder = new FeatureMatrix.Builder(dimension);
        var labels = new List<int>();
        var weights = new List<float>();
        VBuffer<float> features = default;
        bool flag = false;
        uint key = 0;
        float weight = 1;
        long rows = 0, total = data.GetRowCount() ?? -1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var nextReport = TimeSpan.Zero;
        while (true)
        {
            if (options.Progress is { } progress && watch.Elapsed >= nextReport)
            {
                progress.Report(Reading(rows, total, watch.Elapsed));
                nextReport = watch.Elapsed + ReportInterval;
            }
            if (!cursor.MoveNext()) break;
            rows++;
            int label;
            if (binary)
            {
                getBool(ref flag);
                label = flag ? 1 : 0;
            }
            else
            {
                getKey(ref key);
                if (key == 0 || key > classCount) continue;
                label = (int)key - 1;
            }
            getWeight(ref weight);
            if (!(weight > 0) || float.IsInfinity(weight)) continue;
            getFeatures(ref features);
            var row = FeatureRow.Of(features);
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(row.Values)) continue;
            builder.Add(row);
            labels.Add(label);
            weights.Add(weight);
        }
        var readingTime = watch.Elapsed;
        options.Progress?.Report(Reading(rows, total, readingTime));
        if (labels.Count == 0)
            throw new InvalidOperationException($"No usable training rows in '{options.LabelColumnName}'/'{options.FeatureColumnName}'.");
        return new TrainingSet(builder.Build(), [.. labels], [.. weights], classCount, binary ? null : ClassNamesOf(labelColumn))
        {
            RowsRead = rows,
            TotalRows = total < 0 ? null : total,
            ReadingTime = readingTime,
        };
    }

    private static ClassificationHeadProgress Reading(long rows, long total, TimeSpan elapsed) => new()
    {
        Stage = ClassificationHeadStage.ReadingRows,
        Rows = rows,
        TotalRows = total < 0 ? null : total,
        ReadingTime = elapsed,
        Epoch = 0,
        TrainingLoss = double.NaN,
        ValidationLoss = double.NaN,
        ValidationAccuracy = double.NaN,
        IsBest = false,
    };

    private static string[]? ClassNamesOf(DataViewSchema.Column label)
    {
        var keyValues = label.Annotations.Schema.GetColumnOrNull(ClassificationColumns.KeyValues);
        if (keyValues?.Type is not VectorDataViewType { ItemType: TextDataViewType }) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.Annotations.GetValue(ClassificationColumns.KeyValues, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
