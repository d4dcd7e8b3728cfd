using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Embeddings;

/// <summary>The EmbedText transform: Fit/Transform, PredictionEngine, schema errors and lazy streaming.</summary>
// The streaming test measures process-wide managed memory, so this class runs alone (see MemorySensitiveCollection).
[Collection(MemorySensitiveCollection.Name)]
public class EmbedTextTests
{
    public sealed class Input
    {
        public string Text { get; set; } = "";
        public int Index { get; set; }
    }

    public sealed class Output
    {
        [VectorType(64)] public float[] Embedding { get; set; } = [];
        public int Index { get; set; }
    }

    [Fact]
    public void FitTransform_MatchesReference_InRowOrder()
    {
        var cases = TextEmbeddingModelTests.ReferenceCases();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(cases.Select((c, i) => new Input { Text = c.Text, Index = i }));
        var model = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir, options: new TextEmbeddingOptions { BatchSize = 4 }).Fit(data);
        var transformed = model.Transform(data);

        Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 64), transformed.Schema["Embedding"].Type);
        var rows = ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: false).ToArray();
        Assert.Equal(cases.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(i, rows[i].Index);
            Assert.True(TextEmbeddingModelTests.MaxAbsDiff(rows[i].Embedding, cases[i].Mean) <= 1e-4f, $"row {i}");
        }
    }

    [Fact]
    public void PredictionEngine_EmbedsEachRow()
    {
        var cases = TextEmbeddingModelTests.ReferenceCases();
        var ml = new MLContext();
        var model = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir).Fit(ml.Data.LoadFromEnumerable(new[] { new Input() }));
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
        foreach (var c in cases.Take(5).Append(cases[^1]))
            Assert.True(TextEmbeddingModelTests.MaxAbsDiff(engine.Predict(new Input { Text = c.Text }).Embedding, c.Mean) <= 1e-4f);
    }

    private sealed class NumericText
    {
        public float Text { get; set; }
    }

    [Fact]
    public void WrongInputColumnType_NamesColumnAndType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumericText() });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir).Fit(data));
        Assert.Contains("Input column 'Text' has type Single", ex.Message);
    }

    [Fact]
    public void Streaming_20kGeneratedRows_IsLazyAndMemoryDoesNotGrow()
    {
        const int total = 20_000;
        int produced = 0;
        IEnumerable<Input> Generate()
        {
            for (int i = 0; i < total; i++)
            {
                produced++;
                yield return new Input { Text = $"row {i}: " + string.Join(' ', Enumerable.Repeat("good movie", i % 23)), Index = i };
            }
        }

        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Generate());
        var transformer = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir).Fit(data);
        var transformed = transformer.Transform(data);
        Assert.Equal(0, produced);

        using var cursor = transformed.GetRowCursor(transformed.Schema);
        var embedding = cursor.GetGetter<VBuffer<float>>(transformed.Schema["Embedding"]);
        var index = cursor.GetGetter<int>(transformed.Schema["Index"]);
        var vector = default(VBuffer<float>);
        int row = 0, value = 0;
        long memoryAfterWarmUp = 0;
        while (cursor.MoveNext())
        {
            if (row == 0) Assert.True(produced <= transformer.Model.BatchSize * 8, $"first row needed {produced} upstream rows");
            if (row == 2_000) memoryAfterWarmUp = GC.GetTotalMemory(forceFullCollection: true);
            embedding(ref vector);
            index(ref value);
            Assert.Equal(row, value);
            Assert.Equal(64, vector.Length);
            row++;
        }
        long memoryAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(total, row);
        Assert.True(memoryAtEnd - memoryAfterWarmUp < 8 << 20, $"managed memory grew from {memoryAfterWarmUp:N0} to {memoryAtEnd:N0} bytes");
    }

    public sealed class Scored
    {
        [VectorType(64)] public float[] Embedding { get; set; } = [];
        [VectorType(2)] public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [Fact]
    public void SavePipeline_WithEmbedAndClassify_LoadsWithIdenticalOutputsAndOptions()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(TextEmbeddingModelTests.ReferenceCases().Select((c, i) => new Input { Text = c.Text, Index = i }));
        var model = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir,
                options: new TextEmbeddingOptions { Pooling = EmbeddingPooling.Cls, Normalize = true, BatchSize = 8, MaxLength = 64 })
            .Append(ml.Transforms.Text.ClassifyText(TestAssets.Model("tiny-bert-sst2")))
            .Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-{Guid.NewGuid():N}.mlnetllm");
        try
        {
            ml.Model.SavePipeline(model, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);
            var embedder = ((TransformerChain<ITransformer>)loaded).OfType<TextEmbeddingTransformer>().Single().Model;
            Assert.Equal((EmbeddingPooling.Cls, true, 8, 64), (embedder.Pooling, embedder.Normalize, embedder.BatchSize, embedder.MaxLength));

            var expected = ml.Data.CreateEnumerable<Scored>(model.Transform(data), false).ToArray();
            var actual = ml.Data.CreateEnumerable<Scored>(loaded.Transform(data), false).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Embedding, actual[i].Embedding);
                Assert.Equal(expected[i].Score, actual[i].Score);
                Assert.Equal(expected[i].PredictedLabel, actual[i].PredictedLabel);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
