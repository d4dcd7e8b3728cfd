using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Generation;

/// <summary>The older non-merged export (decoder_model.onnx + decoder_with_past_model.onnx), split here from tiny-t5's merged decoder.</summary>
public sealed class Seq2SeqSplitDecoderTests(TinyT5Fixture fixture) : IClassFixture<TinyT5Fixture>
{
    [Fact]
    public void NonMergedPair_ReferenceCasesBatched_GeneratesAndScoresLikeTheMergedDecoder()
    {
        using var scratch = new ScratchModel("tiny-t5");
        SplitDecoder.Write(scratch.PathOf("onnx/decoder_model_merged.onnx"), scratch.PathOf("onnx/decoder_model.onnx"),
            scratch.PathOf("onnx/decoder_with_past_model.onnx"));
        File.Delete(scratch.PathOf("onnx/decoder_model_merged.onnx"));
        using var split = Seq2SeqLanguageModel.FromDirectory(scratch.Directory);

        var cases = TinyT5Fixture.Reference.GetProperty("cases").EnumerateArray().ToArray();
        var texts = cases.Select(c => c.GetProperty("text").GetString()!).ToArray();
        Assert.Equal(cases.Select(c => c.GetProperty("generated_text").GetString()), split.Generate(texts, TinyT5Fixture.Greedy));
        foreach (var c in cases)
        {
            var ids = TinyT5Fixture.Ints(c.GetProperty("generated_ids"));
            Assert.Equal(c.GetProperty("stopped_by").GetString() == "eos" ? ids[..^1] : ids, split.GenerateIds(c.GetProperty("text").GetString()!, TinyT5Fixture.Greedy));
        }

        string[] targets = ["it's a charming and often affecting journey", "journey affecting"];
        var expected = fixture.Model.ScoreCompletions(texts[0], targets);
        var actual = split.ScoreCompletions(texts[0], targets);
        for (int i = 0; i < targets.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4);
    }

    [Fact]
    public void NonMergedPair_PipelineFile_RoundTrips()
    {
        using var scratch = new ScratchModel("tiny-t5");
        SplitDecoder.Write(scratch.PathOf("onnx/decoder_model_merged.onnx"), scratch.PathOf("onnx/decoder_model.onnx"),
            scratch.PathOf("onnx/decoder_with_past_model.onnx"));
        File.Delete(scratch.PathOf("onnx/decoder_model_merged.onnx"));
        var ml = new MLContext();
        var c = TinyT5Fixture.Reference.GetProperty("cases")[3];
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Prompt = c.GetProperty("text").GetString()! } });
        using var transformer = ml.Transforms.Text.GenerateText(scratch.Directory, options: TinyT5Fixture.Greedy).Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"mlnetllm-t5split-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SavePipeline(transformer, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out _);
            Assert.Equal([c.GetProperty("generated_text").GetString()!], loaded.Transform(data).GetColumn<string>("Generated").ToArray());
            ((IDisposable)loaded).Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Row
    {
        public string Prompt { get; set; } = "";
    }
}
