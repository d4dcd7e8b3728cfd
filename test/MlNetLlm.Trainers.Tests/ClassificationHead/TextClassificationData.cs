using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Samples;
using TextRow = MlNetLlm.Samples.LabeledText;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>A label with a sentence embedding (64 values: tiny-bert-embed's hidden size).</summary>
public sealed class EmbeddedRow
{
    /// <summary>True for the positive class.</summary>
    public bool Label { get; set; }

    /// <summary>The L2-normalized sentence embedding.</summary>
    [VectorType(64)]
    public float[] Features { get; set; } = [];
}

/// <summary>
/// The SMS spam and SST-2 splits and features used to compare the classification head with LbfgsLogisticRegression
/// (shared by the tests and, linked, by the benchmarks).
/// </summary>
public static class TextClassificationData
{
    /// <summary>FeaturizeText ("Text" → "Features") fitted on the training rows; both sets featurized and cached in memory.</summary>
    public static (IDataView Train, IDataView Test) Featurize(MLContext ml, List<TextRow> train, List<TextRow> test)
    {
        var trainView = ml.Data.LoadFromEnumerable(train);
        var featurizer = ml.Transforms.Text.FeaturizeText("Features", nameof(TextRow.Text)).Fit(trainView);
        return (Cached(ml, featurizer.Transform(trainView)), Cached(ml, featurizer.Transform(ml.Data.LoadFromEnumerable(test))));
    }

    // One full pass fills the cache, so trainers (and timings) see ready features.
    private static IDataView Cached(MLContext ml, IDataView view)
    {
        var cached = ml.Data.Cache(view);
        using var cursor = cached.GetRowCursor(cached.Schema);
        while (cursor.MoveNext()) { }
        return cached;
    }

    /// <summary>Sentence embeddings (mean pooling, L2-normalized, as tiny-bert-embed's SOURCE.md prescribes) from an encoder folder.</summary>
    public static List<EmbeddedRow> Embed(string folder, List<TextRow> rows)
    {
        using var model = TextEmbeddingModel.FromDirectory(folder, new TextEmbeddingOptions { Pooling = EmbeddingPooling.Mean, Normalize = true });
        var vectors = model.Embed(rows.Select(r => r.Text).ToList());
        return rows.Select((r, i) => new EmbeddedRow { Label = r.Label, Features = vectors[i] }).ToList();
    }
}
