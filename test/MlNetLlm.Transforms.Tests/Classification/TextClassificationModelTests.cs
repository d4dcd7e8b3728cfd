using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlNetLlm.Tests.Embeddings;
using static MlNetLlm.Tests.Embeddings.TextEmbeddingModelTests;

namespace MlNetLlm.Tests.Classification;

/// <summary>Logits and probabilities against transformers.js reference outputs.</summary>
public class TextClassificationModelTests
{
    private const float Tolerance = 1e-4f;

    internal static string ModelDir => TestAssets.Model("tiny-bert-sst2");

    [Fact]
    public void Classify_MatchesReference_OneByOneAndInBatches()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelDir, "reference_outputs.json")));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(38, cases.Length);
        using var model = TextClassificationModel.FromDirectory(ModelDir, new TextClassificationOptions { BatchSize = 7 });
        Assert.Equal(["NEGATIVE", "POSITIVE"], model.Labels);
        Assert.False(model.MultiLabel);

        var batched = model.Classify(cases.Select(c => c.GetProperty("text").GetString()).ToArray());
        for (int i = 0; i < cases.Length; i++)
        {
            var logits = cases[i].GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var scores = model.Labels.Select(l => cases[i].GetProperty("scores").GetProperty(l).GetSingle()).ToArray();
            foreach (var (result, how) in new[] { (model.Classify(cases[i].GetProperty("text").GetString()), "one by one"), (batched[i], "batched") })
            {
                Assert.True(MaxAbsDiff(result.Logits, logits) <= Tolerance, $"case {i} {how}: logits diff {MaxAbsDiff(result.Logits, logits)}");
                Assert.True(MaxAbsDiff(result.Probabilities, scores) <= Tolerance, $"case {i} {how}: scores diff {MaxAbsDiff(result.Probabilities, scores)}");
                Assert.Equal(model.Labels[Array.IndexOf(scores, scores.Max())], result.Label);
                Assert.Equal(result.Label, model.Labels[result.LabelIndex]);
            }
        }
    }

    [Fact]
    public void MultiLabelProblemType_UsesSigmoid_AndMissingId2LabelGivesDefaultNames()
    {
        using var scratch = new ScratchModel("tiny-bert-sst2");
        var config = JsonNode.Parse(File.ReadAllText(scratch.PathOf("config.json")))!.AsObject();
        config["problem_type"] = "multi_label_classification";
        config.Remove("id2label");
        File.WriteAllText(scratch.PathOf("config.json"), config.ToJsonString());
        using var model = TextClassificationModel.FromDirectory(scratch.Directory);
        Assert.True(model.MultiLabel);
        Assert.Equal(["LABEL_0", "LABEL_1"], model.Labels);
        var result = model.Classify("a charming and affecting journey");
        var sigmoid = new float[2];
        TensorPrimitives.Sigmoid(result.Logits, sigmoid);
        Assert.Equal(sigmoid, result.Probabilities);
    }

    [Fact]
    public void Id2LabelNotMatchingLogitsWidth_IsRejected()
    {
        using var scratch = new ScratchModel("tiny-bert-sst2");
        var config = JsonNode.Parse(File.ReadAllText(scratch.PathOf("config.json")))!;
        config["id2label"] = new JsonObject { ["0"] = "NEGATIVE", ["1"] = "NEUTRAL", ["2"] = "POSITIVE" };
        File.WriteAllText(scratch.PathOf("config.json"), config.ToJsonString());
        var ex = Assert.Throws<InvalidDataException>(() => TextClassificationModel.FromDirectory(scratch.Directory));
        Assert.Contains("outputs 2 logits but config.json id2label names 3 labels", ex.Message);
    }
}
