using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Classification;

/// <summary>The ClassifyText transform: SST-2 dev accuracy through ML.NET's evaluator, PredictionEngine and annotations.</summary>
public class ClassifyTextTests
{
    private sealed class LabelValue
    {
        public float label { get; set; }
    }

    [Fact]
    public void Sst2Dev_AccuracyThroughMulticlassEvaluate_Is695Of872()
    {
        var ml = new MLContext();
        var dev = ml.Data.LoadFromTextFile(TestAssets.Data("sst2", "dev.tsv"),
            [new TextLoader.Column("sentence", DataKind.String, 0), new TextLoader.Column("label", DataKind.Single, 1)],
            separatorChar: '\t', hasHeader: true, allowQuoting: false);
        // Keys in id2label order: SST-2 label 0 is NEGATIVE (id 0), 1 is POSITIVE (id 1).
        var labelOrder = ml.Data.LoadFromEnumerable(new[] { new LabelValue { label = 0 }, new LabelValue { label = 1 } });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "label", keyData: labelOrder)
            .Append(ml.Transforms.Text.ClassifyText(TextClassificationModelTests.ModelDir, inputColumnName: "sentence"));
        var scored = pipeline.Fit(dev).Transform(dev);

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var counts = metrics.ConfusionMatrix.Counts;
        Assert.Equal(872, counts.Sum(r => r.Sum()));
        Assert.Equal(695, counts[0][0] + counts[1][1]);
        Assert.Equal(695.0 / 872, metrics.MicroAccuracy, 12);
    }

    public sealed class Input
    {
        public string Text { get; set; } = "";
    }

    public sealed class Output
    {
        [VectorType(2)] public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
        public string PredictedName { get; set; } = "";
    }

    [Fact]
    public void PredictionEngine_GivesModelProbabilities_AndKeyValuesAreLabelNames()
    {
        var ml = new MLContext();
        using var direct = TextClassificationModel.FromDirectory(TextClassificationModelTests.ModelDir);
        var pipeline = ml.Transforms.Text.ClassifyText(TextClassificationModelTests.ModelDir)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel"));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(new[] { new Input() }));
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
        foreach (var text in new[] { "a gorgeous , high-spirited musical", "it 's slow -- very , very slow .", "" })
        {
            var expected = direct.Classify(text);
            var output = engine.Predict(new Input { Text = text });
            Assert.Equal(expected.Probabilities, output.Score);
            Assert.Equal((uint)expected.LabelIndex + 1, output.PredictedLabel);
            Assert.Equal(expected.Label, output.PredictedName);
        }
    }

    [Fact]
    public void ScoreColumn_HasLabelNamesAsSlotNames()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Input() });
        var schema = ml.Transforms.Text.ClassifyText(TextClassificationModelTests.ModelDir).Fit(data).GetOutputSchema(data.Schema);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        schema["Score"].GetSlotNames(ref names);
        Assert.Equal(["NEGATIVE", "POSITIVE"], names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(new KeyDataViewType(typeof(uint), 2), schema["PredictedLabel"].Type);
    }
}
