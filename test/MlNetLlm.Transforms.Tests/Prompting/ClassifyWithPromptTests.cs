using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Prompting;

public sealed class ClassifyWithPromptTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private sealed class Example
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }

    private static readonly string[] Labels = ["happy", "sad"];

    private static readonly PromptTemplate Template = new("{text} She felt", [new("Lily got a new doll.", "happy"), new("Tom fell and hurt his knee.", "sad")]);

    [Fact]
    public void Transform_Scores_HaveSlotNamesAndAKeyLabelUsableByTheEvaluator()
    {
        var ml = new MLContext();
        var examples = new[]
        {
            new Example { Text = "Lily played in the sun with her friends.", Label = "happy" },
            new Example { Text = "The dog lost his bone and cried.", Label = "sad" },
            new Example { Text = "Mom gave Tom a big cake.", Label = "happy" },
            new Example { Text = "The bird broke its wing.", Label = "sad" },
        };
        var data = ml.Data.LoadFromEnumerable(examples);
        var keys = ml.Data.LoadFromEnumerable(Labels.Select(l => new LabelRow { Label = l }));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyData: keys)
            .Append(ml.Transforms.Text.ClassifyWithPrompt(StoriesModelFixture.Directory, Labels, Template));
        var transformer = pipeline.Fit(data);
        var scored = transformer.Transform(data);

        var score = scored.Schema["Score"];
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        score.GetSlotNames(ref names);
        Assert.Equal(Labels, names.DenseValues().Select(n => n.ToString()));
        var keyValues = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["PredictedLabel"].GetKeyValues(ref keyValues);
        Assert.Equal(Labels, keyValues.DenseValues().Select(n => n.ToString()));

        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var classifier = new PromptClassifier(fixture.Model, Labels, Template);
        for (int i = 0; i < examples.Length; i++)
        {
            Assert.Equal(classifier.Score(examples[i].Text), scores[i]);
            Assert.Equal(Array.IndexOf(Labels, classifier.Predict(examples[i].Text)) + 1, (int)predicted[i]);
        }

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.InRange(metrics.MacroAccuracy, 0, 1);
        Assert.Equal(examples.Count(e => classifier.Predict(e.Text) == e.Label) / (double)examples.Length, metrics.MicroAccuracy, 6);
        ((IDisposable)transformer.LastTransformer).Dispose();
    }

    [Fact]
    public void SavePipeline_WithTemplate_LoadsWithItsTemplate()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Example { Text = "The cat slept in the sun." }, new Example { Text = "Ben lost his hat." } });
        var template = PromptTemplate.ChainOfThought([new("Is fire hot?", "yes", "Fire burns. Burning is hot.")], reasoningTokens: 8);
        using var transformer = ml.Transforms.Text.ClassifyWithPrompt(StoriesModelFixture.Directory, ["yes", "no"], template).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-cls-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SavePipeline(transformer, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);

            Assert.Equal(transformer.Transform(data).GetColumn<float[]>("Score").ToArray(), loaded.Transform(data).GetColumn<float[]>("Score").ToArray());
            var restored = Assert.IsType<PromptClassificationTransformer>(Assert.IsType<TransformerChain<ITransformer>>(loaded).LastTransformer).Classifier.Template;
            Assert.Equal(template.Render("x"), restored.Render("x"));
            Assert.Equal(template.ReasoningTokens, restored.ReasoningTokens);
            ((IDisposable)loaded).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Create_BadLabels_FailImmediately() =>
        Assert.Throws<ArgumentException>(() => new MLContext().Transforms.Text.ClassifyWithPrompt(StoriesModelFixture.Directory, ["one"], Template));
}
