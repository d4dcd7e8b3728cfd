using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Hub;

/// <summary>
/// One description per model family: the files the hub fetches for an ONNX variant are the ones the loader opens and the
/// ones a saved pipeline embeds, external data included.
/// </summary>
public sealed class ModelFamilyFilesTests : IAsyncLifetime
{
    private readonly FakeHub _hub = new();
    private readonly string _cache = Directory.CreateTempSubdirectory("mlnetllm-family").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public void CausalVariant_MergedDecoderAndItsData_AreFetchedLoadedAndSaved_PlainFileIsNot()
    {
        var source = StoriesModelFixture.Directory;
        foreach (var file in new[] { "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json" })
            _hub.Add(file, File.ReadAllBytes(Path.Combine(source, file)));
        var onnx = File.ReadAllBytes(Path.Combine(source, "model.onnx"));
        _hub.Add("onnx/decoder_model_merged.onnx", onnx, lfs: true);
        _hub.Add("onnx/decoder_model_merged_q4.onnx", onnx, lfs: true);
        // Stand-in external data: the graph keeps its weights inline, so this checks where the file travels, not how ORT reads it.
        _hub.Add("onnx/decoder_model_merged_q4.onnx_data", "q4 weights", lfs: true);
        var hub = new HubOptions { Endpoint = _hub.Endpoint, CacheDirectory = _cache, Token = null, Offline = false, Timeout = TimeSpan.FromSeconds(10) };

        using var model = CausalLanguageModel.FromPretrained(FakeHub.RepoId, new CausalLanguageModelOptions { OnnxVariant = "q4" }, hub);

        var fetched = _hub.Requests.Where(r => r.Method == "GET").Select(r => r.Path).ToArray();
        Assert.Contains(fetched, p => p.EndsWith("/onnx/decoder_model_merged_q4.onnx", StringComparison.Ordinal));
        Assert.Contains(fetched, p => p.EndsWith("/onnx/decoder_model_merged_q4.onnx_data", StringComparison.Ordinal));
        Assert.DoesNotContain(fetched, p => p.EndsWith("/onnx/decoder_model_merged.onnx", StringComparison.Ordinal));
        Assert.Equal("q4 weights", File.ReadAllText(Path.Combine(model.Directory, "onnx", "decoder_model_merged_q4.onnx_data")));

        var greedy = new GenerationOptions { MaxNewTokens = 8, DoSample = false };
        using var local = CausalLanguageModel.FromDirectory(source);
        Assert.Equal(local.GenerateIds("Once upon a time", greedy), model.GenerateIds("Once upon a time", greedy));

        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Prompt = "Once upon a time" } });
        using var transformer = ml.Transforms.Text.GenerateText(model, options: greedy).Fit(data);
        var path = Path.Combine(_cache, "q4.mlnetllm");
        ml.Model.SavePipeline(transformer, data.Schema, path);
        using (var zip = ZipFile.OpenRead(path))
        {
            var names = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains(names, n => n.EndsWith("files/onnx/decoder_model_merged_q4.onnx", StringComparison.Ordinal));
            Assert.Contains(names, n => n.EndsWith("files/onnx/decoder_model_merged_q4.onnx_data", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.EndsWith("decoder_model_merged.onnx", StringComparison.Ordinal));
        }
        var loaded = new MLContext().Model.LoadPipeline(path, out _);
        try
        {
            Assert.Equal(transformer.Transform(data).GetColumn<string>("Generated"), loaded.Transform(data).GetColumn<string>("Generated"));
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [InlineData(null, "onnx/model.onnx | model.onnx | onnx/decoder_model_merged.onnx | decoder_model_merged.onnx")]
    [InlineData("q4", "onnx/model_q4.onnx | model_q4.onnx | onnx/decoder_model_merged_q4.onnx | decoder_model_merged_q4.onnx")]
    public void CausalHubEntries_NameTheVariantForEveryDecoder(string? variant, string expected)
    {
        Assert.Equal(expected, HubFiles.CausalLanguageModel(variant)[^1].ToString());
        Assert.Contains($"onnx/decoder_model_merged{(variant is null ? "" : "_" + variant)}.onnx.data | decoder_model_merged{(variant is null ? "" : "_" + variant)}.onnx.data",
            HubFiles.CausalLanguageModelOptional(variant).Select(entry => entry.ToString()));
    }
}
