using MlNetLlm.Tests.Hub;

namespace MlNetLlm.Tests.Embeddings;

public class FromPretrainedTests
{
    private static async Task WithHubServing(string modelFolder, Func<FakeHub, HubOptions, Task> test, string onnxName = "onnx/model.onnx")
    {
        await using var hub = new FakeHub();
        var local = TestAssets.Model(modelFolder);
        foreach (var f in new[] { "config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt" })
            hub.Add(f, File.ReadAllBytes(Path.Combine(local, f)));
        hub.Add(onnxName, File.ReadAllBytes(Path.Combine(local, "onnx", "model.onnx")), lfs: true);
        var cache = Directory.CreateTempSubdirectory("mlnetllm-hubenc-").FullName;
        try
        {
            await test(hub, new HubOptions { Endpoint = hub.Endpoint, CacheDirectory = cache });
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public Task TextEmbeddingModel_FromPretrained_EqualsTheLocalFolder() => WithHubServing("tiny-bert-embed", async (hub, options) =>
    {
        using var fromHub = await Task.Run(() => TextEmbeddingModel.FromPretrained(FakeHub.RepoId, hub: options));
        using var local = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"));
        Assert.Equal(local.Embed("a gripping film"), fromHub.Embed("a gripping film"));
        Assert.DoesNotContain(hub.Requests, r => r.Path.EndsWith("vocab.txt")); // tokenizer.json was found first
    });

    [Fact]
    public Task OnnxVariant_DownloadsAndLoadsOnlyThatFile() => WithHubServing("tiny-bert-sst2", async (hub, options) =>
    {
        var modelOptions = new TextClassificationOptions { OnnxVariant = "quantized" };
        using var fromHub = await Task.Run(() => TextClassificationModel.FromPretrained(FakeHub.RepoId, modelOptions, options));
        using var local = TextClassificationModel.FromDirectory(TestAssets.Model("tiny-bert-sst2"));
        Assert.Equal(local.Classify("a gripping film").Logits, fromHub.Classify("a gripping film").Logits);
        Assert.Contains(hub.Requests, r => r.Path.EndsWith("onnx/model_quantized.onnx") && r.Method == "GET");
        Assert.DoesNotContain(hub.Requests, r => r.Path.EndsWith("/model.onnx"));
    }, onnxName: "onnx/model_quantized.onnx");
}
