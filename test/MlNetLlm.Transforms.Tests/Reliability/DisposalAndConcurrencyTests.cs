using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Models are shared by threads and disposed by their owner: concurrent calls agree bit for bit, and every call after
/// Dispose is refused with <see cref="ObjectDisposedException"/> naming the model file, never an ONNX Runtime error.
/// Disposing while threads run is in <see cref="ChildProcessTests"/> (a regression would crash the process).
/// </summary>
public class DisposalAndConcurrencyTests
{
    private static string Embed => TestAssets.Model("tiny-bert-embed");
    private static string Sst2 => TestAssets.Model("tiny-bert-sst2");
    private static string Stories => TestAssets.Model("stories260k");

    private sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    [Fact]
    public void TextEmbeddingModel_UsedAfterDispose_ThrowsObjectDisposedNamingTheModel()
    {
        var model = TextEmbeddingModel.FromDirectory(Embed);
        model.Dispose();
        model.Dispose();

        var e = Assert.Throws<ObjectDisposedException>(() => model.Embed("hello"));
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void TextClassificationModel_UsedAfterDispose_ThrowsObjectDisposedNamingTheModel()
    {
        var model = TextClassificationModel.FromDirectory(Sst2);
        model.Dispose();

        var e = Assert.Throws<ObjectDisposedException>(() => model.Classify("a fine film"));
        Assert.Contains("model.onnx", e.Message);
    }

    [Fact]
    public void CausalLanguageModel_UsedAfterDispose_ThrowsObjectDisposedForEveryEntryPoint()
    {
        var model = CausalLanguageModel.FromDirectory(Stories);
        model.Dispose();
        model.Dispose();

        Assert.Contains("model.onnx", Assert.Throws<ObjectDisposedException>(() => model.Generate("Once")).Message);
        Assert.Throws<ObjectDisposedException>(() => model.Perplexity("Once upon a time"));
        Assert.Throws<ObjectDisposedException>(() => model.ScoreCompletions("Once", [" upon"]));
    }

    [Fact]
    public void Seq2SeqLanguageModel_UsedAfterDispose_ThrowsObjectDisposedNamingTheDecoder()
    {
        var model = Seq2SeqLanguageModel.FromDirectory(TestAssets.Model("tiny-t5"));
        model.Dispose();
        model.Dispose();

        Assert.Contains("decoder_model_merged.onnx", Assert.Throws<ObjectDisposedException>(() => model.Generate("summarize: a fine film")).Message);
        Assert.Throws<ObjectDisposedException>(() => model.ScoreCompletions("summarize: a fine film", ["a fine"]));
    }

    [Fact]
    public async Task CausalLanguageModel_StreamingAfterDispose_ThrowsObjectDisposed()
    {
        var model = CausalLanguageModel.FromDirectory(Stories);
        model.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
        {
            await foreach (var _ in model.GenerateStreamingAsync("Once")) { }
        });
    }

    [Fact]
    public void EmbedText_EightThreadsSharingOneTransformer_AgreeBitForBit()
    {
        using var model = TextEmbeddingModel.FromDirectory(Embed);
        string[] texts = ["a", "a much longer sentence about nothing in particular", "", "émoji 👩‍👩‍👧 and RTL שלום", "\0"];
        var expected = model.Embed(texts);

        var results = new float[8][][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int repeat = 0; repeat < 5; repeat++) results[t] = model.Embed(texts);
        });

        foreach (var result in results)
            for (int i = 0; i < texts.Length; i++) Assert.Equal(expected[i], result[i]);
    }

    [Fact]
    public void GenerateText_RefittedAfterTheFirstTransformerWasDisposed_GivesAWorkingTransformer()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new PromptRow { Prompt = "Once upon a time" } });
        var estimator = ml.Transforms.Text.GenerateText(Stories, options: new GenerationOptions { MaxNewTokens = 5 });
        var first = estimator.Fit(data);
        var expected = first.Transform(data).GetColumn<string>("Generated").ToArray();
        first.Dispose();

        using var second = estimator.Fit(data);

        Assert.NotSame(first, second);
        Assert.Equal(expected, second.Transform(data).GetColumn<string>("Generated").ToArray());
        Assert.Throws<ObjectDisposedException>(() => first.Model.Generate("Once"));
    }
}
