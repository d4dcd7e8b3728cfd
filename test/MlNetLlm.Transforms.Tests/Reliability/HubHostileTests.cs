using System.Security.Cryptography;
using MlNetLlm.Tests.Hub;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// A hub (or a proxy in front of it) can lie: bodies longer than announced, ETags that are paths, repo ids that are paths.
/// Each is refused with a clear error and nothing is left in, or written outside, the cache. Loopback only.
/// </summary>
public sealed class HubHostileTests : IAsyncLifetime
{
    private readonly FakeHub _hub = new();
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "mlnetllm-hub-hostile-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        _hub.Add("config.json", """{"model_type":"bert"}""");
        _hub.Add("tokenizer.json", """{"version":"1.0"}""");
        _hub.Add("onnx/model.onnx", RandomNumberGenerator.GetBytes(200_000), lfs: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    private HubOptions Options() => new()
    {
        Endpoint = _hub.Endpoint, CacheDirectory = _cache, Token = null, Offline = false, Revision = "main", Timeout = TimeSpan.FromSeconds(10),
    };

    private Task<string> DownloadAsync(string id = FakeHub.RepoId) =>
        HuggingFaceHub.DownloadModelAsync(id, HubFiles.Encoder(), HubFiles.EncoderOptional(), Options());

    private string[] CacheFiles() => Directory.Exists(_cache) ? Directory.GetFiles(_cache, "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task BodyLongerThanTheAnnouncedSize_IsCutOffAndDeleted()
    {
        var file = _hub.Files["onnx/model.onnx"];
        file.Served = [.. file.Content, .. new byte[5_000_000]]; // the CDN keeps sending after the announced size

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DownloadAsync());

        Assert.Contains("'onnx/model.onnx'", e.Message);
        Assert.Contains($"the {file.Content.Length} the hub announced", e.Message);
        Assert.DoesNotContain(CacheFiles(), f => f.Contains("blobs", StringComparison.Ordinal) && new FileInfo(f).Length > file.Content.Length);
        Assert.DoesNotContain(CacheFiles(), f => f.EndsWith(".incomplete", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("abc/def")]
    [InlineData("..")]
    [InlineData("..\\..\\x")]
    [InlineData("a b")]
    public async Task EtagThatIsNotAPlainFileName_IsRejectedNamingIt(string etag)
    {
        _hub.Files["config.json"].EtagOverride = etag;

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DownloadAsync());

        Assert.Contains($"ETag '{etag}'", e.Message);
        Assert.DoesNotContain(CacheFiles(), f => !Path.GetFullPath(f).StartsWith(_cache, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("org/..")]
    [InlineData("org/.")]
    [InlineData("org/../")]
    [InlineData("org\\..")]
    public async Task RepoIdEndingInADotSegment_IsRejectedInsteadOfReturningAFolder(string id)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => DownloadAsync(id));

        Assert.Equal("idOrPath", e.ParamName);
        Assert.Contains($"'{id}'", e.Message);
        Assert.Empty(_hub.Requests);
    }

    [Theory]
    [InlineData("org/na me")]
    [InlineData("../org/name")]
    [InlineData("org/name/extra")]
    [InlineData("org--x/name")]
    public async Task MalformedRepoId_IsNamedAsNeitherFolderNorId(string id)
    {
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => DownloadAsync(id));

        Assert.Contains($"'{id}'", e.Message);
        Assert.Empty(_hub.Requests);
    }
}
