using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Generation;

public sealed class GenerateTextTransformTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    private sealed class GeneratedRow
    {
        public string Prompt { get; set; } = "";
        public string Generated { get; set; } = "";
    }

    private static readonly GenerationOptions Options = new() { MaxNewTokens = 25 };

    [Fact]
    public void Transform_ManyRows_GeneratesAColumnBatchedAcrossRows()
    {
        var ml = new MLContext();
        string[] prompts = ["", "Once upon a time", "Tom and Lily went to the park", "The cat"];
        var data = ml.Data.LoadFromEnumerable(prompts.Select(p => new PromptRow { Prompt = p }));
        var estimator = ml.Transforms.Text.GenerateText(StoriesModelFixture.Directory, options: Options);
        using var transformer = estimator.Fit(data);

        var rows = ml.Data.CreateEnumerable<GeneratedRow>(transformer.Transform(data), reuseRowObject: false).ToArray();

        Assert.Equal(prompts, rows.Select(r => r.Prompt));
        Assert.Equal(prompts.Select(p => fixture.Model.Generate(p, Options)), rows.Select(r => r.Generated));
        Assert.IsType<TextDataViewType>(transformer.GetOutputSchema(data.Schema)["Generated"].Type);

        var engine = ml.Model.CreatePredictionEngine<PromptRow, GeneratedRow>(transformer);
        Assert.Equal(rows[1].Generated, engine.Predict(new PromptRow { Prompt = "Once upon a time" }).Generated);
    }

    [Fact]
    public void SavePipeline_WithOptions_LoadsWithItsOptionsAndModelFiles()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = "Tom" }, new PromptRow { Prompt = "The sun" } });
        var options = new GenerationOptions { MaxNewTokens = 30, DoSample = true, Seed = 5, TopK = 20, StopSequences = ["."] };
        using var transformer = ml.Transforms.Text.GenerateText(StoriesModelFixture.Directory, "Story", options: options).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-gen-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SavePipeline(transformer, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);

            var expected = transformer.Transform(data).GetColumn<string>("Story").ToArray();
            Assert.Equal(expected, loaded.Transform(data).GetColumn<string>("Story").ToArray());
            Assert.Equal(fixture.Model.Generate(["Tom", "The sun"], options), expected);
            ((IDisposable)loaded).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Fit_InvalidOptions_Fails()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PromptRow() });
        var estimator = ml.Transforms.Text.GenerateText(StoriesModelFixture.Directory, options: new GenerationOptions { MaxNewTokens = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Fit(data));
    }
}
