using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Samples;
using MlNetLlm.Tests.Hub;

namespace MlNetLlm.Tests.CrossEncoders;

/// <summary>The ScoreTextPairs transform: reference scores through IDataView, PredictionEngine, SavePipeline, evaluators and schema errors.</summary>
public class ScoreTextPairsTests
{
    private static readonly CrossEncoderCase[] Cases = CrossEncoderCase.Load();

    public sealed class Pair
    {
        public string Query { get; set; } = "";
        public string Passage { get; set; } = "";
    }

    public sealed class Scored
    {
        public float Score { get; set; }
    }

    private static Pair[] ReferencePairs() => Cases.Select(c => new Pair { Query = c.Text, Passage = c.TextPair }).ToArray();

    private static void AssertReferenceScores(IReadOnlyList<float> scores, string how)
    {
        Assert.Equal(Cases.Length, scores.Count);
        // Cases 32 and 33 need Hugging Face pair truncation (longest_first); see CrossEncoderModelTests.Encode_Pair_GivesReferenceIdsAndTokenTypes.
        var wrong = Cases.Where(c => !(Math.Abs(scores[c.Index] - c.Score) <= CrossEncoderCase.Tolerance))
            .Select(c => $"case {c.Index}: {scores[c.Index]} vs {c.Score}").ToArray();
        Assert.True(wrong.Length == 0, $"{how}: {string.Join("; ", wrong)}");
    }

    [Fact]
    public void Transform_GivesReferenceScoresForAll34Pairs()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(ReferencePairs());
        var pipeline = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", CrossEncoderCase.ModelDir,
            options: new CrossEncoderOptions { BatchSize = 4 });
        var transformer = pipeline.Fit(data);
        Assert.Equal(NumberDataViewType.Single, transformer.GetOutputSchema(data.Schema)["Score"].Type);
        var scores = ml.Data.CreateEnumerable<Scored>(transformer.Transform(data), reuseRowObject: false).Select(s => s.Score).ToArray();
        AssertReferenceScores(scores, "transform");
    }

    [Fact]
    public void PredictionEngine_AndSaveLoadPipeline_GiveTheSameScores()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(ReferencePairs());
        var model = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", CrossEncoderCase.ModelDir).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<Pair, Scored>(model);
        AssertReferenceScores(ReferencePairs().Select(p => engine.Predict(p).Score).ToArray(), "prediction engine");

        var path = Path.Combine(Directory.CreateTempSubdirectory("mlnetllm-cross-").FullName, "pairs.mlnetllm");
        try
        {
            ml.Model.SavePipeline(model, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.LoadPipeline(path, out var schema);
            var step = Assert.IsType<TextPairScoringTransformer>(Assert.Single((TransformerChain<ITransformer>)loaded));
            Assert.Equal(("Score", "Query", "Passage", CrossEncoderActivation.Sigmoid), (step.OutputColumnName, step.FirstColumnName, step.SecondColumnName, step.Model.Activation));
            var scores = fresh.Data.CreateEnumerable<Scored>(loaded.Transform(fresh.Data.LoadFromEnumerable(ReferencePairs())), false).Select(s => s.Score).ToArray();
            AssertReferenceScores(scores, "loaded pipeline");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void LoadedModelOverload_MatchesDirectScores_AndLeavesTheModelUsable()
    {
        var ml = new MLContext();
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir);
        var data = ml.Data.LoadFromEnumerable(ReferencePairs().Take(10));
        var transformer = ml.Transforms.Text.ScoreTextPairs("Relevance", "Query", "Passage", model).Fit(data);
        Assert.Same(model, transformer.Model);
        var column = transformer.Transform(data).GetColumn<float>("Relevance").ToArray();
        Assert.Equal(model.Score(Cases.Take(10).Select(c => (c.Text, c.TextPair)).ToArray()), column);
        Assert.Equal(column[0], model.Score(Cases[0].Text, Cases[0].TextPair)); // still usable after the pipeline ran
    }

    [Fact]
    public async Task HubOverload_DownloadsTheModelWhenFitted()
    {
        await using var hub = new FakeHub();
        foreach (var file in Directory.GetFiles(CrossEncoderCase.ModelDir, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(CrossEncoderCase.ModelDir, file).Replace('\\', '/');
            hub.Add(relative, File.ReadAllBytes(file), lfs: relative.EndsWith(".onnx"));
        }
        var cache = Directory.CreateTempSubdirectory("mlnetllm-hubcross-").FullName;
        try
        {
            var ml = new MLContext();
            var data = ml.Data.LoadFromEnumerable(ReferencePairs().Take(3));
            var estimator = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", FakeHub.RepoId,
                new HubOptions { Endpoint = hub.Endpoint, CacheDirectory = cache });
            Assert.Empty(hub.Requests); // nothing is fetched before Fit
            var transformer = await Task.Run(() => estimator.Fit(data));
            var scores = transformer.Transform(data).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(scores[i] - Cases[i].Score) <= CrossEncoderCase.Tolerance);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    public sealed class LabeledPair
    {
        public string Query { get; set; } = "";
        public string Passage { get; set; } = "";
        public float label { get; set; }
    }

    public sealed class LabelValue
    {
        public float label { get; set; }
    }

    [Fact]
    public void SeveralLabels_AddClassifyTextColumns_ThatMulticlassEvaluateReads()
    {
        // tiny-bert-sst2 (NEGATIVE, POSITIVE) as a two-label pair classifier.
        var ml = new MLContext();
        var rows = new[]
        {
            new LabeledPair { Query = "a gorgeous , high-spirited musical", Passage = "a charming journey", label = 1 },
            new LabeledPair { Query = "dull and far too long", Passage = "it 's slow -- very , very slow .", label = 0 },
            new LabeledPair { Query = "a masterpiece", Passage = "", label = 1 },
        };
        var data = ml.Data.LoadFromEnumerable(rows);
        var labelOrder = ml.Data.LoadFromEnumerable(new[] { new LabelValue { label = 0 }, new LabelValue { label = 1 } });
        using var direct = CrossEncoderModel.FromDirectory(TestAssets.Model("tiny-bert-sst2"));
        var scored = ml.Transforms.Conversion.MapValueToKey("Label", "label", keyData: labelOrder)
            .Append(ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", TestAssets.Model("tiny-bert-sst2")))
            .Fit(data).Transform(data);

        var names = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref names);
        Assert.Equal(["NEGATIVE", "POSITIVE"], names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(new KeyDataViewType(typeof(uint), 2), scored.Schema["PredictedLabel"].Type);
        var expected = direct.Classify(rows.Select(r => (r.Query, r.Passage)).ToArray());
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.Equal(expected[i].Probabilities, scores[i]);
            Assert.Equal((uint)expected[i].LabelIndex + 1, predicted[i]);
        }
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        int correct = expected.Where((e, i) => e.LabelIndex == (int)rows[i].label).Count();
        Assert.Equal(correct / 3.0, metrics.MicroAccuracy, 12);
    }

    public sealed class NumericSecond
    {
        public string Query { get; set; } = "";
        public float Passage { get; set; }
    }

    [Fact]
    public void NonTextOrMissingColumn_IsRejectedNamingIt()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new NumericSecond { Query = "q", Passage = 1 } });
        var estimator = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", CrossEncoderCase.ModelDir);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("Input column 'Passage' has type Single", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(MlNetLlm.Pipeline.SchemaShapes.Of(data.Schema)));
        Assert.Contains("Input column 'Passage'", ex.Message);
        var missing = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Document", CrossEncoderCase.ModelDir);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data));
        Assert.Contains("Input column 'Document' not found", ex.Message);
    }

    [Theory]
    [InlineData("dev", 1500, 0.209870)]   // SOURCE.md: PyTorch and transformers.js agree on these values
    [InlineData("test", 1379, 0.282409)]
    public void StsB_SpearmanOfTinyCrossEncoder_MatchesItsSource(string split, int pairs, double expected)
    {
        var (spearman, count) = StsBenchmark.EvaluateCrossEncoder(CrossEncoderCase.ModelDir, TestAssets.Data("stsb", $"sts-{split}.csv"));
        Assert.Equal(pairs, count);
        Assert.InRange(spearman, expected - 0.002, expected + 0.002);
    }

    [Fact]
    public void EncoderFolderWithoutHead_FailsAtFitNamingTheOnnxFile()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(ReferencePairs().Take(1));
        var estimator = ml.Transforms.Text.ScoreTextPairs("Score", "Query", "Passage", TestAssets.Model("tiny-bert-embed"));
        var ex = Assert.Throws<InvalidDataException>(() => estimator.Fit(data));
        Assert.Contains(Path.Combine(TestAssets.Model("tiny-bert-embed"), "onnx", "model.onnx"), ex.Message);
        Assert.Contains("[logits]", ex.Message);
    }
}
