using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Generation;

public sealed class Seq2SeqPipelineTests(TinyT5Fixture fixture) : IClassFixture<TinyT5Fixture>
{
    private sealed class Row
    {
        public string Prompt { get; set; } = "";
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private static readonly string Prefix = "summarize: ";

    private static (string Text, string Generated)[] Cases =>
        TinyT5Fixture.Reference.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("generated_text").GetString()!)).ToArray();

    [Fact]
    public void GenerateText_T5_MatchesReferenceTextsLazilyAndPerRow()
    {
        var ml = new MLContext();
        int produced = 0;
        IEnumerable<Row> Rows()
        {
            foreach (var (text, _) in Cases)
            {
                produced++;
                yield return new Row { Prompt = text };
            }
        }
        var data = ml.Data.LoadFromEnumerable(Rows());
        using var transformer = ml.Transforms.Text.GenerateText(TinyT5Fixture.Directory, options: TinyT5Fixture.Greedy).Fit(data);
        Assert.IsType<Seq2SeqLanguageModel>(transformer.Model);
        var transformed = transformer.Transform(data);
        Assert.Equal(0, produced);

        var generated = transformed.GetColumn<string>("Generated").ToArray();

        Assert.Equal(Cases.Select(c => c.Generated), generated);
        var engine = ml.Model.CreatePredictionEngine<Row, GeneratedRow>(transformer);
        Assert.Equal(Cases[3].Generated, engine.Predict(new Row { Prompt = Cases[3].Text }).Generated);
    }

    private sealed class GeneratedRow
    {
        public string Prompt { get; set; } = "";
        public string Generated { get; set; } = "";
    }

    [Fact]
    public void TaskOption_ConfigPrefix_IsPutBeforeEachInputAndSurvivesSaveAndLoad()
    {
        var ml = new MLContext();
        var rows = Cases.Take(5).Select(c => new Row { Prompt = c.Text[Prefix.Length..] }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        using var transformer = ml.Transforms.Text.GenerateText(TinyT5Fixture.Directory, "Summary", options: TinyT5Fixture.Greedy,
            modelOptions: new Seq2SeqLanguageModelOptions { Task = "summarization" }).Fit(data);

        Assert.Equal(Cases.Take(5).Select(c => c.Generated), transformer.Transform(data).GetColumn<string>("Summary"));

        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-t5-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SavePipeline(transformer, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);
            var step = Assert.IsType<TextGenerationTransformer>(Assert.IsType<TransformerChain<ITransformer>>(loaded).LastTransformer);
            var model = Assert.IsType<Seq2SeqLanguageModel>(step.Model);
            Assert.Equal("summarization", model.Options.Task);

            Assert.Equal(Cases.Take(5).Select(c => c.Generated), loaded.Transform(data).GetColumn<string>("Summary"));
            ((IDisposable)loaded).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ClassifyWithPrompt_T5_ScoresLabelsAsTargetsAndSurvivesSaveAndLoad()
    {
        var ml = new MLContext();
        // Each input's own reference summary should be the more likely target.
        string[] labels = [Cases[0].Generated, Cases[3].Generated];
        var data = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = Cases[0].Text }, new TextRow { Text = Cases[3].Text } });
        var template = new PromptTemplate(PromptTemplate.TextPlaceholder);
        using var transformer = ml.Transforms.Text.ClassifyWithPrompt(TinyT5Fixture.Directory, labels, template).Fit(data);

        var scored = transformer.Transform(data);
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        Assert.Equal([1u, 2u], scored.GetColumn<uint>("PredictedLabel"));

        // Probabilities are the softmax of the mean per-token log-likelihood of each label as the target.
        for (int r = 0; r < 2; r++)
        {
            var sums = fixture.Model.ScoreCompletions(Cases[r == 0 ? 0 : 3].Text, labels);
            var means = sums.Select((s, i) => (float)(s / fixture.Model.Tokenizer.Encode(labels[i]).Count)).ToArray();
            System.Numerics.Tensors.TensorPrimitives.SoftMax(means, means);
            Assert.Equal(means.Length, scores[r].Length);
            for (int i = 0; i < means.Length; i++) Assert.Equal(means[i], scores[r][i], 1e-6f);
        }

        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-t5cls-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SavePipeline(transformer, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);
            Assert.Equal(scores, loaded.Transform(data).GetColumn<float[]>("Score").ToArray());
            ((IDisposable)loaded).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GenerateText_OptionsOfTheWrongFamily_FailNamingModelOptions()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });

        var error = Assert.Throws<ArgumentException>(() =>
            ml.Transforms.Text.GenerateText(TinyT5Fixture.Directory, modelOptions: new CausalLanguageModelOptions()).Fit(data));
        Assert.Equal("modelOptions", error.ParamName);
        Assert.Contains(nameof(Seq2SeqLanguageModelOptions), error.Message);

        error = Assert.Throws<ArgumentException>(() =>
            ml.Transforms.Text.GenerateText(StoriesModelFixture.Directory, modelOptions: new Seq2SeqLanguageModelOptions()).Fit(data));
        Assert.Equal("modelOptions", error.ParamName);
        Assert.Contains(nameof(CausalLanguageModelOptions), error.Message);
    }

    [Fact]
    public void GenerateText_MaxNewTokensZero_FailsWhenFitting()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.Text.GenerateText(TinyT5Fixture.Directory, options: new GenerationOptions { MaxNewTokens = 0 }).Fit(data));
        Assert.Equal(nameof(GenerationOptions.MaxNewTokens), error.ParamName);
    }
}
