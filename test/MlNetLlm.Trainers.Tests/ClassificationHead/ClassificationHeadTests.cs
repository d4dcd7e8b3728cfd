using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

using TextRow = MlNetLlm.Samples.LabeledText;

using MlNetLlm.Samples;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>SMS spam featurized once for all tests of the class.</summary>
public sealed class SmsSpamFixture
{
    public SmsSpamFixture()
    {
        (TrainRows, TestRows) = DataSets.SmsSpam(TestAssets.Data("sms_spam", "SMSSpamCollection"));
        (Train, Test) = TextClassificationData.Featurize(Ml, TrainRows, TestRows);
    }

    public MLContext Ml { get; } = new(seed: 1);
    public List<TextRow> TrainRows { get; }
    public List<TextRow> TestRows { get; }
    public IDataView Train { get; }
    public IDataView Test { get; }
}

public sealed class ClassificationHeadTests(SmsSpamFixture sms, ITestOutputHelper output) : IClassFixture<SmsSpamFixture>
{
    private readonly MLContext _ml = sms.Ml;

    [Fact]
    public void SameSeed_GivesBitIdenticalModel_DifferentSeed_DoesNot()
    {
        var data = _ml.Data.LoadFromEnumerable(Blobs(400, seed: 3));
        ClassificationHeadTransformer Train(int seed) => KeyedLabel().Append(_ml.MulticlassClassification.Trainers.ClassificationHead(
            new ClassificationHeadOptions { HiddenSize = 16, Dropout = 0.2f, Activation = HeadActivation.Gelu, MaxEpochs = 5, Seed = seed })).Fit(data).LastTransformer;

        var (a, b, c) = (Train(7), Train(7), Train(8));
        Assert.All(a.Model.Layers.Zip(b.Model.Layers), p => Assert.Equal(p.First.Weights, p.Second.Weights));
        Assert.All(a.Model.Layers.Zip(b.Model.Layers), p => Assert.Equal(p.First.Biases, p.Second.Biases));
        Assert.Equal(Scores(a, data), Scores(b, data));
        Assert.NotEqual(a.Model.Layers[0].Weights, c.Model.Layers[0].Weights);
        Assert.NotEqual(Scores(a, data), Scores(c, data));
    }

    [Fact]
    public void EarlyStopping_StopsWhenValidationLossStopsImproving_AndKeepsTheBestEpoch()
    {
        var all = new List<ClassificationHeadProgress>();
        var head = _ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions
        {
            LearningRate = 0.05f, MaxEpochs = 200, Patience = 2, ValidationFraction = 0.2f, Progress = new SyncProgress(all.Add),
        }).Fit(sms.Train);
        var reports = all.Where(r => r.Stage == ClassificationHeadStage.Training).ToList();

        output.WriteLine(string.Join("\n", reports.Select(r => $"epoch {r.Epoch}: train {r.TrainingLoss:F4}, validation {r.ValidationLoss:F4} ({r.ValidationAccuracy:P2}){(r.IsBest ? " best" : "")}")));
        Assert.InRange(reports.Count, 3, 199);
        Assert.Equal(Enumerable.Range(1, reports.Count), reports.Select(r => r.Epoch));
        var best = reports.Where(r => r.IsBest).Last();
        Assert.Equal(reports.Count - 2, best.Epoch); // stopped after Patience epochs without improvement
        Assert.Equal(reports.Min(r => r.ValidationLoss), best.ValidationLoss);
        Assert.All(reports, r => Assert.InRange(r.ValidationAccuracy, 0.9, 1.0));
        Assert.True(reports[^1].TrainingLoss < reports[0].TrainingLoss);

        // The kept weights are the best epoch's: the model scores the test set as well as that epoch did on validation.
        Assert.True(_ml.BinaryClassification.Evaluate(head.Transform(sms.Test)).Accuracy > 0.97);
    }

    [Fact]
    public void Progress_ReportsTheRowsReadThroughTheEncoder_ThenEachEpoch()
    {
        var all = new List<ClassificationHeadProgress>();
        var train = _ml.Data.LoadFromEnumerable(sms.TrainRows);
        _ml.Transforms.Text.EmbedText(TestAssets.Model("tiny-bert-embed"), "Features", "Text")
            .Append(_ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions { MaxEpochs = 3, Progress = new SyncProgress(all.Add) }))
            .Fit(train);

        var reading = all.TakeWhile(r => r.Stage == ClassificationHeadStage.ReadingRows).ToList();
        var epochs = all.Skip(reading.Count).ToList();
        output.WriteLine(string.Join("\n", reading.Select(r => $"{r.Rows}/{r.TotalRows} rows, {r.RowsPerSecond:F0} rows/s, ETA {r.RemainingReadingTime}")));
        int n = sms.TrainRows.Count;
        Assert.True(reading.Count >= 2, "a report when reading starts and one when it ends");
        Assert.Equal((0L, (long?)n), (reading[0].Rows, reading[0].TotalRows));
        Assert.Equal((long)n, reading[^1].Rows);
        Assert.Equal(TimeSpan.Zero, reading[^1].RemainingReadingTime);
        Assert.True(reading[^1].RowsPerSecond > 0);
        Assert.All(reading.Zip(reading.Skip(1)), p => Assert.True(p.Second.Rows >= p.First.Rows && p.Second.ReadingTime >= p.First.ReadingTime));
        Assert.All(reading, r => Assert.Equal(0, r.Epoch));
        Assert.Equal([1, 2, 3], epochs.Select(r => r.Epoch));
        Assert.All(epochs, r => Assert.Equal((ClassificationHeadStage.Training, (long)n, reading[^1].ReadingTime), (r.Stage, r.Rows, r.ReadingTime)));
    }

    [Fact]
    public void BalancedClassWeights_RaiseSpamRecall()
    {
        double SpamRecall(ClassWeighting weighting) => _ml.BinaryClassification.Evaluate(_ml.BinaryClassification.Trainers
            .ClassificationHead(new ClassificationHeadOptions { ClassWeights = weighting }).Fit(sms.Train).Transform(sms.Test)).PositiveRecall;

        double none = SpamRecall(ClassWeighting.None), balanced = SpamRecall(ClassWeighting.Balanced);
        output.WriteLine($"SMS spam test recall of spam: None {none:P2}, Balanced {balanced:P2}");
        Assert.True(balanced > none, $"spam recall: balanced {balanced:P2}, none {none:P2}");
    }

    [Theory]
    [InlineData(HeadActivation.Relu)]
    [InlineData(HeadActivation.Gelu)]
    public void MlpHead_LearnsXor_WhichTheLinearHeadCannot(HeadActivation activation)
    {
        var train = _ml.Data.LoadFromEnumerable(Xor(2000, seed: 1));
        var test = _ml.Data.LoadFromEnumerable(Xor(1000, seed: 2));
        double Accuracy(int hidden) => _ml.BinaryClassification.Evaluate(_ml.BinaryClassification.Trainers.ClassificationHead(
            new ClassificationHeadOptions { HiddenSize = hidden, Activation = activation, MaxEpochs = 50, Patience = 5 }).Fit(train).Transform(test)).Accuracy;

        Assert.InRange(Accuracy(0), 0.3, 0.7);
        Assert.InRange(Accuracy(32), 0.95, 1.0);
    }

    [Fact]
    public void Multiclass_OnFourGaussianBlobs_EvaluatesWithClassNames()
    {
        var train = _ml.Data.LoadFromEnumerable(Blobs(800, seed: 1));
        var test = _ml.Data.LoadFromEnumerable(Blobs(400, seed: 2));
        var model = KeyedLabel().Append(_ml.MulticlassClassification.Trainers.ClassificationHead()).Fit(train);
        var scored = model.Transform(test);

        var metrics = _ml.MulticlassClassification.Evaluate(scored);
        Assert.InRange(metrics.MacroAccuracy, 0.9, 1.0);
        Assert.Equal(4, model.LastTransformer.Model.ClassCount);

        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        var labelNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Label"].GetKeyValues(ref labelNames);
        Assert.Equal(labelNames.DenseValues().Select(n => n.ToString()), slotNames.DenseValues().Select(n => n.ToString()));
        Assert.Equal(labelNames.DenseValues().Select(n => n.ToString()), keyValues.DenseValues().Select(n => n.ToString()));

        // PredictedLabel maps back to the class names, Score holds probabilities that sum to 1, and a prediction engine
        // gives the same answers row by row.
        var named = model.Append(_ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(scored));
        var rows = _ml.Data.CreateEnumerable<BlobPrediction>(named.Transform(test), reuseRowObject: false).ToList();
        Assert.True(rows.Count(r => r.PredictedName == r.Class) > 0.9 * rows.Count);
        Assert.All(rows, r => Assert.Equal(1f, r.Score.Sum(), 4));
        var engine = _ml.Model.CreatePredictionEngine<BlobRow, BlobPrediction>(named);
        var inputs = Blobs(400, seed: 2).ToList();
        for (int i = 0; i < 20; i++)
        {
            var single = engine.Predict(inputs[i]);
            Assert.Equal(rows[i].PredictedName, single.PredictedName);
            Assert.Equal(rows[i].Score, single.Score);
        }
    }

    [Fact]
    public void CrossValidate_WorksForBinaryAndMulticlass()
    {
        var binary = _ml.BinaryClassification.CrossValidate(sms.Train, _ml.BinaryClassification.Trainers.ClassificationHead(), numberOfFolds: 5);
        Assert.Equal(5, binary.Count);
        Assert.All(binary, fold => Assert.InRange(fold.Metrics.Accuracy, 0.96, 1.0));
        Assert.All(binary, fold => Assert.InRange(fold.Metrics.AreaUnderRocCurve, 0.97, 1.0));

        var blobs = KeyedLabel().Fit(_ml.Data.LoadFromEnumerable(Blobs(500, seed: 4))).Transform(_ml.Data.LoadFromEnumerable(Blobs(500, seed: 4)));
        var multiclass = _ml.MulticlassClassification.CrossValidate(blobs, _ml.MulticlassClassification.Trainers.ClassificationHead(), numberOfFolds: 3);
        Assert.All(multiclass, fold => Assert.InRange(fold.Metrics.MicroAccuracy, 0.9, 1.0));
    }

    [Fact]
    public void PredictionEngine_MatchesTransform_OnAFeaturizeTextPipeline()
    {
        var trainView = _ml.Data.LoadFromEnumerable(sms.TrainRows);
        var model = _ml.Transforms.Text.FeaturizeText("Features", nameof(TextRow.Text))
            .Append(_ml.BinaryClassification.Trainers.ClassificationHead()).Fit(trainView);
        var engine = _ml.Model.CreatePredictionEngine<TextRow, BinaryPrediction>(model);
        var rows = sms.TestRows.Take(50).ToList();
        var batch = _ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(_ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToList();

        for (int i = 0; i < rows.Count; i++)
        {
            var single = engine.Predict(rows[i]);
            Assert.Equal(batch[i].Score, single.Score);
            Assert.Equal(batch[i].PredictedLabel, single.PredictedLabel);
            Assert.Equal(1 / (1 + MathF.Exp(-single.Score)), single.Probability, 6);
            Assert.Equal(single.Score > 0, single.PredictedLabel);
        }
        Assert.True(engine.Predict(new TextRow { Text = "WINNER!! You have won a £1000 prize. Call 09061701461 to claim now" }).PredictedLabel);
        Assert.False(engine.Predict(new TextRow { Text = "Ok, see you at lunch tomorrow then" }).PredictedLabel);
    }

    [Fact]
    public void Model_RoundTripsThroughWriteToAndReadFrom_WithIdenticalPredictions()
    {
        var head = _ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions { HiddenSize = 8, MaxEpochs = 3 }).Fit(sms.Train);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) head.Model.WriteTo(writer);
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var copy = new ClassificationHeadTransformer(ClassificationHeadModel.ReadFrom(reader));

        Assert.Equal(stream.Length, stream.Position);
        Assert.Equal(head.Model.HiddenSize, copy.Model.HiddenSize);
        Assert.Equal(head.Model.Options.MaxEpochs, copy.Model.Options.MaxEpochs);
        var expected = _ml.Data.CreateEnumerable<BinaryPrediction>(head.Transform(sms.Test), false).ToList();
        var actual = _ml.Data.CreateEnumerable<BinaryPrediction>(copy.Transform(sms.Test), false).ToList();
        Assert.Equal(expected.Select(p => p.Probability), actual.Select(p => p.Probability));
    }

    [Fact]
    public void ExampleWeights_OfOne_GiveTheSameModelAsNoWeights()
    {
        var weighted = _ml.Transforms.Expression("Weight", "x => 1.0", "Label").Fit(sms.Train).Transform(sms.Train);
        var options = new ClassificationHeadOptions { MaxEpochs = 3 };
        var plain = _ml.BinaryClassification.Trainers.ClassificationHead(options).Fit(weighted);
        options.ExampleWeightColumnName = "Weight";
        var withWeights = _ml.BinaryClassification.Trainers.ClassificationHead(options).Fit(weighted);
        Assert.Equal(plain.Model.Layers[0].Weights, withWeights.Model.Layers[0].Weights);
    }

    [Fact]
    public void OutputSchemaShape_HasTheScoreColumns()
    {
        var shape = _ml.BinaryClassification.Trainers.ClassificationHead().GetOutputSchema(SchemaShapeOf(sms.Train.Schema));
        Assert.Contains(shape, c => c.Name == "Score" && c.ItemType == NumberDataViewType.Single);
        Assert.Contains(shape, c => c.Name == "Probability");
        Assert.Contains(shape, c => c.Name == "PredictedLabel" && c.ItemType is BooleanDataViewType);
    }

    [Fact]
    public void BadColumns_GiveErrorsNamingTheColumnAndType()
    {
        var binary = _ml.BinaryClassification.Trainers;
        AssertError(() => binary.ClassificationHead(featureColumnName: "Missing").Fit(sms.Train), "'Missing'");
        AssertError(() => binary.ClassificationHead(featureColumnName: "Text").Fit(sms.Train), "'Text'", "String");
        var variable = _ml.Transforms.Text.TokenizeIntoWords("Words", "Text").Fit(sms.Train).Transform(sms.Train);
        AssertError(() => binary.ClassificationHead(featureColumnName: "Words").Fit(variable), "'Words'", "Vector<String>");
        var keyed = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(sms.Train).Transform(sms.Train);
        AssertError(() => binary.ClassificationHead().Fit(keyed), "'Label'", "Key<UInt32");
        AssertError(() => _ml.MulticlassClassification.Trainers.ClassificationHead().Fit(sms.Train), "'Label'", "Boolean");

        var head = binary.ClassificationHead(new ClassificationHeadOptions { MaxEpochs = 1 }).Fit(sms.Train);
        var blobs = _ml.Data.LoadFromEnumerable(Blobs(10, seed: 1));
        AssertError(() => head.Transform(blobs), "'Features'", "10", head.Model.InputSize.ToString());
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        var binary = _ml.BinaryClassification.Trainers;
        Assert.Throws<ArgumentOutOfRangeException>(() => binary.ClassificationHead(new ClassificationHeadOptions { Dropout = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => binary.ClassificationHead(new ClassificationHeadOptions { LearningRate = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => binary.ClassificationHead(new ClassificationHeadOptions { ValidationFraction = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => binary.ClassificationHead(new ClassificationHeadOptions { HiddenSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => binary.ClassificationHead(batchSize: 0));
        Assert.Throws<ArgumentException>(() => binary.ClassificationHead(featureColumnName: ""));
    }

    private static void AssertError(Action action, params string[] fragments)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(action);
        Assert.All(fragments, f => Assert.Contains(f, error.Message));
    }

    private static SchemaShape SchemaShapeOf(DataViewSchema schema) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
        .Invoke(null, [schema])!;

    private IEstimator<ITransformer> KeyedLabel() => _ml.Transforms.Conversion.MapValueToKey("Label", nameof(BlobRow.Class));

    private float[][] Scores(ITransformer model, IDataView data) => _ml.Data
        .CreateEnumerable<BlobPrediction>(model.Transform(KeyedLabel().Fit(data).Transform(data)), false, ignoreMissingColumns: true).Select(p => p.Score).ToArray();

    /// <summary>Four well-separated Gaussian blobs in 10 dimensions, classes named by text.</summary>
    private static IEnumerable<BlobRow> Blobs(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["north", "east", "south", "west"];
        for (int i = 0; i < count; i++)
        {
            int c = i % names.Length;
            var x = Enumerable.Range(0, 10).Select(d => (float)Gaussian(random) + (d == c ? 3f : 0f)).ToArray();
            yield return new BlobRow { Class = names[c], Features = x };
        }
    }

    /// <summary>Points in [-1, 1]² labelled by x·y &gt; 0: no linear boundary does better than chance.</summary>
    private static IEnumerable<PointRow> Xor(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            float x = random.NextSingle() * 2 - 1, y = random.NextSingle() * 2 - 1;
            yield return new PointRow { Label = x * y > 0, Features = [x, y] };
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<ClassificationHeadProgress> report) : IProgress<ClassificationHeadProgress>
    {
        public void Report(ClassificationHeadProgress value) => report(value);
    }

    public sealed class BlobRow
    {
        public string Class { get; set; } = "";

        [VectorType(10)]
        public float[] Features { get; set; } = [];
    }

    public sealed class BlobPrediction
    {
        public string Class { get; set; } = "";
        public string PredictedName { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    public sealed class PointRow
    {
        public bool Label { get; set; }

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    public sealed class BinaryPrediction
    {
        public bool PredictedLabel { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
    }
}
