using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.ClassificationHead;

/// <summary>A pipeline of EmbedText, FeaturizeText and a classification head saves and reloads with identical scores.</summary>
public class SaveEmbeddingHeadPipelineTests
{
    public sealed class Message
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    public sealed class Scored
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    [Fact]
    public void EmbeddingsPlusFeaturizeTextPlusHead_ReloadsWithIdenticalScores()
    {
        var rows = File.ReadLines(TestAssets.Data("sms_spam", "SMSSpamCollection")).Take(600)
            .Select(l => l.Split('\t', 2)).Select(p => new Message { Label = p[0] == "spam", Text = p[1] }).ToArray();
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Text.EmbedText(TestAssets.Model("tiny-bert-embed"), "Embedding", "Text")
            .Append(ml.Transforms.Text.FeaturizeText("Words", "Text"))
            .Append(ml.Transforms.Concatenate("Features", "Words", "Embedding"))
            .Append(ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions { MaxEpochs = 5, Seed = 3 }));
        var model = pipeline.Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-head-{Guid.NewGuid():N}.mlnetllm");
        try
        {
            ml.Model.SavePipeline(model, data.Schema, path);
            var fresh = new MLContext();
            var loaded = fresh.Model.LoadPipeline(path, out _);
            var expected = ml.Data.CreateEnumerable<Scored>(model.Transform(data), false).ToList();
            var actual = fresh.Data.CreateEnumerable<Scored>(loaded.Transform(fresh.Data.LoadFromEnumerable(rows)), false).ToList();
            Assert.Equal(expected.Select(e => e.Score), actual.Select(a => a.Score));
            Assert.Equal(expected.Select(e => e.PredictedLabel), actual.Select(a => a.PredictedLabel));
            Assert.True(fresh.BinaryClassification.Evaluate(loaded.Transform(fresh.Data.LoadFromEnumerable(rows))).Accuracy > 0.9);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
