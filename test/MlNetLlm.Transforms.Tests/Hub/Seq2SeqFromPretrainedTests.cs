using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Hub;

/// <summary><see cref="Seq2SeqLanguageModel.FromPretrained"/> against a loopback <see cref="FakeHub"/> serving tiny-t5.</summary>
public sealed class Seq2SeqFromPretrainedTests : IAsyncLifetime
{
    private readonly FakeHub _hub = new();
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "mlnetllm-hub-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        foreach (var file in Directory.GetFiles(TinyT5Fixture.Directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(TinyT5Fixture.Directory, file).Replace('\\', '/');
            _hub.Add(relative, File.ReadAllBytes(file), lfs: relative.EndsWith(".onnx", StringComparison.Ordinal));
        }
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public void FromPretrained_HubId_DownloadsOnlyTheModelFilesAndGeneratesLikeTheFolder()
    {
        var hub = new HubOptions { Endpoint = _hub.Endpoint, CacheDirectory = _cache, Token = null, Offline = false, Revision = "main" };

        using var model = Seq2SeqLanguageModel.FromPretrained(FakeHub.RepoId, hub: hub);

        string[] expected = ["config.json", "generation_config.json", "onnx/decoder_model_merged.onnx", "onnx/encoder_model.onnx",
            "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"];
        var downloaded = Directory.GetFiles(model.Directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(model.Directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(expected, downloaded);
        var c = TinyT5Fixture.Reference.GetProperty("cases")[0];
        Assert.Equal(c.GetProperty("generated_text").GetString(), model.Generate(c.GetProperty("text").GetString()!, TinyT5Fixture.Greedy));
    }

    [Fact]
    public void FromPretrained_NoMergedDecoderInRepo_DownloadsTheNonMergedPair()
    {
        var folder = Path.Combine(_cache, "split");
        Directory.CreateDirectory(folder);
        SplitDecoder.Write(Path.Combine(TinyT5Fixture.Directory, "onnx", "decoder_model_merged.onnx"),
            Path.Combine(folder, "decoder_model.onnx"), Path.Combine(folder, "decoder_with_past_model.onnx"));
        _hub.Files.TryRemove("onnx/decoder_model_merged.onnx", out _);
        _hub.Add("onnx/decoder_model.onnx", File.ReadAllBytes(Path.Combine(folder, "decoder_model.onnx")), lfs: true);
        _hub.Add("onnx/decoder_with_past_model.onnx", File.ReadAllBytes(Path.Combine(folder, "decoder_with_past_model.onnx")), lfs: true);
        var hub = new HubOptions { Endpoint = _hub.Endpoint, CacheDirectory = Path.Combine(_cache, "hub"), Token = null, Offline = false, Revision = "main" };

        using var model = Seq2SeqLanguageModel.FromPretrained(FakeHub.RepoId, hub: hub);

        Assert.True(File.Exists(Path.Combine(model.Directory, "onnx", "decoder_with_past_model.onnx")));
        Assert.False(File.Exists(Path.Combine(model.Directory, "onnx", "decoder_model_merged.onnx")));
        var c = TinyT5Fixture.Reference.GetProperty("cases")[3];
        Assert.Equal(c.GetProperty("generated_text").GetString(), model.Generate(c.GetProperty("text").GetString()!, TinyT5Fixture.Greedy));
    }
}
