using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Tests.Embeddings;
using MlNetLlm.Tests.Generation;
using MlNetLlm.Tests.Hub;

namespace MlNetLlm.Tests.Pipeline;

/// <summary>
/// The catalog front door: a model given by folder, hub id or loaded instance; who disposes it; options copied by estimators.
/// </summary>
public sealed class FrontDoorTests
{
    private sealed class Input
    {
        public string Text { get; set; } = "";
    }

    private sealed class TwoEmbeddings
    {
        [VectorType(64)] public float[] A { get; set; } = [];
        [VectorType(64)] public float[] B { get; set; } = [];
    }

    private static IDataView Data(MLContext ml, IEnumerable<string> texts) => ml.Data.LoadFromEnumerable(texts.Select(t => new Input { Text = t }));

    [Fact]
    public void EmbedText_SharedModel_UsedByBothTransforms_SurvivesPipelineDispose_DisposedOnceByOwner()
    {
        var cases = TextEmbeddingModelTests.ReferenceCases().Take(6).ToArray();
        var ml = new MLContext();
        var data = Data(ml, cases.Select(c => c.Text));
        var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir);

        var chain = ml.Transforms.Text.EmbedText(model, "A").Append(ml.Transforms.Text.EmbedText(model, "B")).Fit(data);
        var transformers = chain.Cast<TextEmbeddingTransformer>().ToArray();
        Assert.Equal(2, transformers.Length);
        Assert.All(transformers, t => Assert.Same(model, t.Model));
        Assert.All(transformers, t => Assert.False(t.OwnsModel));

        var rows = ml.Data.CreateEnumerable<TwoEmbeddings>(chain.Transform(data), reuseRowObject: false).ToArray();
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.True(TextEmbeddingModelTests.MaxAbsDiff(rows[i].A, cases[i].Mean) <= 1e-4f, $"A, row {i}");
            Assert.True(TextEmbeddingModelTests.MaxAbsDiff(rows[i].B, cases[i].Mean) <= 1e-4f, $"B, row {i}");
        }

        chain.Dispose();
        Assert.True(TextEmbeddingModelTests.MaxAbsDiff(model.Embed(cases[0].Text), cases[0].Mean) <= 1e-4f, "the shared model survives the pipeline");

        model.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => model.Embed(cases[0].Text));
        Assert.Contains("model.onnx", e.Message);
        Assert.Throws<ObjectDisposedException>(() => ml.Data.CreateEnumerable<TwoEmbeddings>(chain.Transform(data), reuseRowObject: false).ToArray());
    }

    [Fact]
    public void EmbedText_FromFolder_TransformerOwnsModel_DisposeReleasesIt_RefitLoadsAFreshOne()
    {
        var ml = new MLContext();
        var data = Data(ml, ["hello"]);
        var estimator = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir);

        var first = estimator.Fit(data);
        Assert.True(first.OwnsModel);
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => first.Model.Embed("hello"));

        using var second = estimator.Fit(data);
        Assert.NotSame(first.Model, second.Model);
        Assert.Equal(64, second.Model.Embed("hello").Length);
    }

    [Fact]
    public void EmbedText_OptionsChangedAfterTheCall_HaveNoEffect()
    {
        var ml = new MLContext();
        var options = new TextEmbeddingOptions { Pooling = EmbeddingPooling.Cls, Normalize = false, BatchSize = 3, MaxLength = 16 };
        var estimator = ml.Transforms.Text.EmbedText(TextEmbeddingModelTests.ModelDir, options: options);
        options.Pooling = EmbeddingPooling.Max;
        options.Normalize = true;
        options.BatchSize = 0;
        options.MaxLength = 4;

        using var transformer = estimator.Fit(Data(ml, ["hello"]));
        Assert.Equal(EmbeddingPooling.Cls, transformer.Model.Pooling);
        Assert.False(transformer.Model.Normalize);
        Assert.Equal(3, transformer.Model.BatchSize);
        Assert.Equal(16, transformer.Model.MaxLength);
    }

    [Fact]
    public void GenerateText_OptionsChangedAfterTheCall_HaveNoEffect()
    {
        var ml = new MLContext();
        var stops = new List<string> { "." };
        var options = new GenerationOptions { MaxNewTokens = 5, StopSequences = stops };
        var modelOptions = new CausalLanguageModelOptions { BatchSize = 4, IntraOpNumThreads = 1 };
        var estimator = ml.Transforms.Text.GenerateText(StoriesModelFixture.Directory, options: options, modelOptions: modelOptions);
        stops.Add("Once");
        modelOptions.BatchSize = 0;
        modelOptions.OnnxVariant = "missing";

        using var transformer = estimator.Fit(ml.Data.LoadFromEnumerable(new[] { new { Prompt = "Once" } }));
        Assert.Equal(["."], transformer.Options!.StopSequences!);
        Assert.Equal(4, transformer.Model.Options.BatchSize);
        Assert.Null(transformer.Model.Options.OnnxVariant);
    }

    [Fact]
    public void GenerateText_SharedModel_IsNotDisposedWithTheTransformer()
    {
        var ml = new MLContext();
        using var model = CausalLanguageModel.FromDirectory(StoriesModelFixture.Directory);
        var options = new GenerationOptions { MaxNewTokens = 4 };
        var expected = model.Generate("Once upon", options);

        var transformer = ml.Transforms.Text.GenerateText(model, options: options).Fit(ml.Data.LoadFromEnumerable(new[] { new { Prompt = "Once upon" } }));
        Assert.Same(model, transformer.Model);
        transformer.Dispose();
        Assert.Equal(expected, model.Generate("Once upon", options));
    }

    [Fact]
    public async Task EmbedText_HubId_DownloadsThroughTheHub_AndEmbedsAsTheFolderDoes()
    {
        var cases = TextEmbeddingModelTests.ReferenceCases().Take(3).ToArray();
        await using var hub = new FakeHub();
        foreach (var file in new[] { "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "onnx/model.onnx" })
            hub.Add(file, File.ReadAllBytes(Path.Combine(TextEmbeddingModelTests.ModelDir, file)), lfs: file.EndsWith(".onnx", StringComparison.Ordinal));
        var cache = Directory.CreateTempSubdirectory("mlnetllm-frontdoor").FullName;
        try
        {
            var hubOptions = new HubOptions { Endpoint = hub.Endpoint, CacheDirectory = cache, Token = null, Offline = false, Timeout = TimeSpan.FromSeconds(10) };
            var ml = new MLContext();
            var estimator = ml.Transforms.Text.EmbedText(FakeHub.RepoId, hubOptions, "A");
            hubOptions.Offline = true; // copied: the download below still goes online

            var data = Data(ml, cases.Select(c => c.Text));
            using var transformer = estimator.Fit(data);
            Assert.True(transformer.OwnsModel);
            var rows = transformer.Transform(data).GetColumn<float[]>("A").ToArray();
            for (int i = 0; i < cases.Length; i++)
                Assert.True(TextEmbeddingModelTests.MaxAbsDiff(rows[i], cases[i].Mean) <= 1e-4f, $"row {i}");
            Assert.True(hub.Count("GET") > 0);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void GenerateText_SharedModelOfAnotherImplementation_IsRejectedNamingTheParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => new MLContext().Transforms.Text.GenerateText(new OtherModel()));
        Assert.Equal("model", e.ParamName);
        Assert.Contains(nameof(OtherModel), e.Message);
    }

    private sealed class OtherModel : ILanguageModel
    {
        public string Directory => "";
        public LanguageModelOptions Options => new CausalLanguageModelOptions();
        public PretrainedTokenizer Tokenizer => throw new NotSupportedException();
        public string Device => "CPU";
        public IReadOnlyList<int> GenerateIds(string input, GenerationOptions? options = null) => [];
        public IReadOnlyList<IReadOnlyList<int>> GenerateIds(IReadOnlyList<string> inputs, GenerationOptions? options = null) => [];
        public string Generate(string input, GenerationOptions? options = null) => "";
        public IReadOnlyList<string> Generate(IReadOnlyList<string> inputs, GenerationOptions? options = null) => [];
        public GenerationResult GenerateWithDetails(string input, GenerationOptions? options = null) => throw new NotSupportedException();
        public IReadOnlyList<GenerationResult> GenerateWithDetails(IReadOnlyList<string> inputs, GenerationOptions? options = null) => [];
        public GenerationSession CreateSession(GenerationOptions? options = null) => throw new NotSupportedException();
        public IAsyncEnumerable<string> GenerateStreamingAsync(string input, GenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            AsyncEnumerable.Empty<string>();
        public IReadOnlyList<double> ScoreCompletions(string input, IReadOnlyList<string> completions) => [];
        public void Dispose()
        {
        }
    }
}
