using System.Security.Cryptography;
using System.Text;

namespace MlNetLlm.Tests.Hub;

/// <summary>End-to-end tests of <see cref="HuggingFaceHub"/> against a loopback <see cref="FakeHub"/>; nothing leaves 127.0.0.1.</summary>
public sealed class HuggingFaceHubTests : IAsyncLifetime
{
    private const string Id = FakeHub.RepoId;
    private readonly FakeHub _hub = new();
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "mlnetllm-hub-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _onnx = RandomNumberGenerator.GetBytes(300_000);

    private string RepoFolder => Path.Combine(_cache, "models--org--model");

    private string Snapshot => Path.Combine(RepoFolder, "snapshots", FakeHub.Commit);

    public Task InitializeAsync()
    {
        _hub.Add("config.json", """{"model_type":"bert"}""");
        _hub.Add("tokenizer.json", """{"version":"1.0"}""");
        _hub.Add("1_Pooling/config.json", """{"pooling_mode_mean_tokens":true}""");
        _hub.Add("onnx/model.onnx", _onnx, lfs: true);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    private HubOptions Options(Action<HubOptions>? change = null)
    {
        var options = new HubOptions
        {
            Endpoint = _hub.Endpoint, CacheDirectory = _cache, Token = null, Offline = false, Revision = "main", Timeout = TimeSpan.FromSeconds(10),
        };
        change?.Invoke(options);
        return options;
    }

    private Task<string> DownloadEncoderAsync(HubOptions? options = null, CancellationToken cancellationToken = default) =>
        HuggingFaceHub.DownloadModelAsync(Id, HubFiles.Encoder(), HubFiles.EncoderOptional(), options ?? Options(), cancellationToken);

    [Fact]
    public async Task DownloadModel_FirstCall_LaysOutTheHuggingFaceCache()
    {
        var folder = await DownloadEncoderAsync();

        Assert.Equal(Snapshot, folder);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")));
        foreach (var (path, file) in _hub.Files)
        {
            var pointer = Path.Combine(Snapshot, path);
            var blob = Path.Combine(RepoFolder, "blobs", file.Etag);
            Assert.Equal(file.Content, File.ReadAllBytes(pointer));
            Assert.Equal(file.Content, File.ReadAllBytes(blob));
            var link = new FileInfo(pointer).LinkTarget;
            Assert.NotNull(link);
            Assert.False(Path.IsPathRooted(link));
            Assert.Equal(blob, Path.GetFullPath(Path.Combine(Path.GetDirectoryName(pointer)!, link)));
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_onnx)), _hub.Files["onnx/model.onnx"].Etag);
        Assert.Empty(Directory.GetFiles(RepoFolder, "*.incomplete", SearchOption.AllDirectories));
        // Optional files the repo lacks are remembered like huggingface_hub does, so later calls need not ask again.
        Assert.True(File.Exists(Path.Combine(RepoFolder, ".no_exist", FakeHub.Commit, "modules.json")));
        Assert.All(_hub.Requests, r => Assert.StartsWith("MlNetLlm/", r.Header("User-Agent")));
        Assert.All(_hub.Requests, r => Assert.Null(r.Header("Authorization")));
    }

    [Fact]
    public async Task DownloadModel_SecondCall_IsACacheHitWithoutGet()
    {
        await DownloadEncoderAsync();
        var before = _hub.Requests.Count;

        var folder = await DownloadEncoderAsync();

        Assert.Equal(Snapshot, folder);
        var second = _hub.Requests.Skip(before).ToList();
        Assert.DoesNotContain(second, r => r.Method == "GET");
        Assert.Single(second); // One HEAD to learn where 'main' points; the pinned snapshot answers the rest.
    }

    [Fact]
    public async Task DownloadModel_ParallelCalls_DownloadEachFileOnce()
    {
        var folders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => DownloadEncoderAsync())));

        Assert.All(folders, folder => Assert.Equal(Snapshot, folder));
        Assert.Equal(_hub.Files.Count, _hub.Requests.Count(r => r.Method == "GET" && !r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));
        Assert.Single(_hub.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.NotNull(new FileInfo(Path.Combine(Snapshot, "config.json")).LinkTarget);
    }

    [Fact]
    public async Task DownloadModel_BlobLockedByHuggingFaceHub_WaitsForTheLock()
    {
        var locks = Path.Combine(_cache, ".locks", "models--org--model");
        Directory.CreateDirectory(locks);
        var held = new FileStream(Path.Combine(locks, _hub.Files["onnx/model.onnx"].Etag + ".lock"), FileMode.Create, FileAccess.ReadWrite, FileShare.None);

        var download = DownloadEncoderAsync();
        await Task.Delay(700);
        Assert.False(download.IsCompleted);
        Assert.DoesNotContain(_hub.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        await held.DisposeAsync();

        Assert.Equal(Snapshot, await download);
    }

    [Fact]
    public async Task DownloadModel_OfflineWithCache_MakesNoRequests()
    {
        await DownloadEncoderAsync();
        var before = _hub.Requests.Count;

        var folder = await DownloadEncoderAsync(Options(o => o.Offline = true));

        Assert.Equal(Snapshot, folder);
        Assert.Equal(before, _hub.Requests.Count);
    }

    [Fact]
    public async Task DownloadModel_OfflineWithoutCache_SaysWhatIsMissingWhere()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DownloadEncoderAsync(Options(o => o.Offline = true)));

        Assert.Contains("Offline mode", e.Message);
        Assert.Contains("refs/main", e.Message);
        Assert.Contains(RepoFolder, e.Message);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task DownloadModel_OfflineWithPartialCache_NamesTheMissingFiles()
    {
        await HuggingFaceHub.DownloadModelAsync(Id, ["config.json"], options: Options());

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DownloadEncoderAsync(Options(o => o.Offline = true)));

        Assert.Contains("tokenizer.json | vocab.txt | vocab.json + merges.txt", e.Message);
        Assert.Contains("onnx/model.onnx | model.onnx", e.Message);
        Assert.Contains(Snapshot, e.Message);
    }

    [Fact]
    public async Task DownloadModel_DroppedConnection_Resumes()
    {
        _hub.Files["onnx/model.onnx"].DropAfterOnce = 100_000;

        var e = await Assert.ThrowsAnyAsync<IOException>(() => DownloadEncoderAsync());
        Assert.Contains("interrupted", e.Message);
        Assert.Contains("resumes", e.Message);
        var partial = Path.Combine(RepoFolder, "blobs", _hub.Files["onnx/model.onnx"].Etag + ".incomplete");
        Assert.Equal(100_000, new FileInfo(partial).Length);
        Assert.False(File.Exists(Path.Combine(Snapshot, "onnx", "model.onnx")));

        var folder = await DownloadEncoderAsync();

        Assert.Contains(_hub.Requests, r => r.Method == "GET" && r.Header("Range") == "bytes=100000-");
        Assert.Equal(_onnx, File.ReadAllBytes(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public async Task DownloadModel_ServerIgnoresTheRange_Restarts()
    {
        var file = _hub.Files["onnx/model.onnx"];
        file.DropAfterOnce = 100_000;
        await Assert.ThrowsAnyAsync<IOException>(() => DownloadEncoderAsync());
        file.IgnoreRange = true;

        var folder = await DownloadEncoderAsync();

        Assert.Contains(_hub.Requests, r => r.Header("Range") == "bytes=100000-");
        Assert.Equal(_onnx, File.ReadAllBytes(Path.Combine(folder, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadModel_UnreachableHub_FallsBackToACompleteCache()
    {
        await DownloadEncoderAsync();

        var folder = await DownloadEncoderAsync(Options(o => o.Endpoint = "http://127.0.0.1:1"));

        Assert.Equal(Snapshot, folder);
    }

    [Fact]
    public async Task DownloadModel_ExternalDataAndSentencePiecePresent_DownloadsThem()
    {
        _hub.Add("onnx/model_q4.onnx", _onnx, lfs: true);
        _hub.Add("onnx/model_q4.onnx_data", "weights", lfs: true);
        _hub.Add("tokenizer.model", "spm", lfs: true);

        var folder = await HuggingFaceHub.DownloadModelAsync(Id, HubFiles.CausalLanguageModel("q4"), HubFiles.CausalLanguageModelOptional("q4"), Options());

        Assert.Equal("weights", File.ReadAllText(Path.Combine(folder, "onnx", "model_q4.onnx_data")));
        Assert.Equal("spm", File.ReadAllText(Path.Combine(folder, "tokenizer.model")));
        Assert.False(File.Exists(Path.Combine(folder, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadModel_ContentNotMatchingTheSha256_IsRejected()
    {
        var file = _hub.Files["onnx/model.onnx"];
        var corrupt = (byte[])_onnx.Clone();
        corrupt[^1] ^= 0xFF;
        file.Served = corrupt;

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DownloadEncoderAsync());

        Assert.Contains("onnx/model.onnx", e.Message);
        Assert.Contains(file.Etag, e.Message);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(corrupt)), e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoFolder, "blobs"), file.Etag + "*"));
        Assert.False(File.Exists(Path.Combine(Snapshot, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadModel_Unauthorized_SaysGatedAndHowToSetAToken()
    {
        _hub.RequiredToken = "hf_secret";

        var e = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => DownloadEncoderAsync());

        Assert.Contains("401", e.Message);
        Assert.Contains("gated or private", e.Message);
        Assert.Contains("HF_TOKEN", e.Message);
        Assert.Contains("HubOptions.Token", e.Message);
        Assert.Contains(Id, e.Message);
    }

    [Fact]
    public async Task DownloadModel_Token_IsSentAsBearer()
    {
        _hub.RequiredToken = "hf_secret";

        var folder = await DownloadEncoderAsync(Options(o => o.Token = "hf_secret"));

        Assert.Equal(_onnx, File.ReadAllBytes(Path.Combine(folder, "onnx", "model.onnx")));
        Assert.All(_hub.Requests, r => Assert.Equal("Bearer hf_secret", r.Header("Authorization")));
    }

    [Fact]
    public async Task DownloadModel_NotFound_NamesRepoRevisionAndFile()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(
            () => HuggingFaceHub.DownloadModelAsync(Id, ["config.json", "missing.bin"], options: Options()));

        Assert.Contains(Id, e.Message);
        Assert.Contains("'main'", e.Message);
        Assert.Contains("missing.bin", e.Message);
    }

    [Fact]
    public async Task HubFile_TriesAlternativesInOrder_EachNeedingAllItsFiles()
    {
        var entry = HubFile.Of("config.json", "missing.bin").Or("absent.txt").Or("config.json");

        var folder = await HuggingFaceHub.DownloadModelAsync(Id, [entry], options: Options());

        Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        Assert.False(File.Exists(Path.Combine(folder, "missing.bin")));
        Assert.Equal("config.json + missing.bin | absent.txt | config.json", entry.ToString());
    }

    [Fact]
    public void HubFile_RefusesTheBarNotation_NamingHowToGiveAlternatives()
    {
        var e = Assert.Throws<ArgumentException>(() => HubFile.Of("tokenizer.json|vocab.txt"));

        Assert.Equal("paths", e.ParamName);
        Assert.Contains("'tokenizer.json|vocab.txt' is not a repo path", e.Message);
        Assert.Contains(".Or(", e.Message);
    }

    [Fact]
    public async Task DownloadModel_UnknownRevisionOrRepo_NamesThem()
    {
        var revision = await Assert.ThrowsAsync<FileNotFoundException>(
            () => HuggingFaceHub.DownloadModelAsync(Id + "@v9", ["config.json"], options: Options()));
        var repo = await Assert.ThrowsAsync<FileNotFoundException>(
            () => HuggingFaceHub.DownloadModelAsync("org/other", ["config.json"], options: Options()));

        Assert.Contains("Revision 'v9'", revision.Message);
        Assert.Contains("'org/other' was not found", repo.Message);
    }

    [Fact]
    public async Task DownloadModel_Alternatives_AreTriedInOrder()
    {
        _hub.Files.TryRemove("tokenizer.json", out _);
        _hub.Add("vocab.txt", "[PAD]\n[UNK]\nhello\n");

        var folder = await DownloadEncoderAsync();

        Assert.Equal("[PAD]\n[UNK]\nhello\n", File.ReadAllText(Path.Combine(folder, "vocab.txt")));
        var heads = _hub.Requests.Where(r => r.Method == "HEAD").Select(r => r.Path).ToList();
        Assert.True(heads.FindIndex(p => p.EndsWith("/tokenizer.json", StringComparison.Ordinal))
            < heads.FindIndex(p => p.EndsWith("/vocab.txt", StringComparison.Ordinal)));
        Assert.DoesNotContain(heads, p => p.EndsWith("/vocab.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadModel_AlternativeOfSeveralFiles_NeedsAllOfThem()
    {
        _hub.Files.TryRemove("tokenizer.json", out _);
        _hub.Add("vocab.json", "{}");
        _hub.Add("merges.txt", "#version: 0.2\n");

        var folder = await DownloadEncoderAsync();

        Assert.True(File.Exists(Path.Combine(folder, "vocab.json")));
        Assert.True(File.Exists(Path.Combine(folder, "merges.txt")));
    }

    [Fact]
    public async Task DownloadModel_NoAlternativeFound_NamesRepoAndEveryFileTried()
    {
        _hub.Files.TryRemove("tokenizer.json", out _);
        _hub.Add("vocab.json", "{}");

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DownloadEncoderAsync());

        Assert.Contains("tokenizer.json | vocab.txt | vocab.json + merges.txt", e.Message);
        Assert.Contains(Id, e.Message);
        Assert.Contains(_hub.Requests, r => r.Path.EndsWith("/merges.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadModel_Progress_IsMonotonicAndEndsAtTheTotal()
    {
        var reports = new List<HubDownloadProgress>();
        await DownloadEncoderAsync(Options(o => o.Progress = new SyncProgress(reports.Add)));

        var onnx = reports.Where(r => r.FileName == "onnx/model.onnx").ToList();
        Assert.True(onnx.Count > 2);
        Assert.All(onnx, r => Assert.Equal(_onnx.Length, r.TotalBytes));
        Assert.Equal(onnx.Select(r => r.BytesDownloaded).Order(), onnx.Select(r => r.BytesDownloaded));
        Assert.Equal(_onnx.Length, onnx[^1].BytesDownloaded);
        Assert.Equal(_hub.Files.Count, reports.Select(r => r.FileName).Distinct().Count());
        Assert.Equal(_hub.Files["config.json"].Content.Length, reports.Last(r => r.FileName == "config.json").TotalBytes);
    }

    [Fact]
    public async Task DownloadModel_Cancelled_KeepsThePartialFileForLater()
    {
        _hub.Files["onnx/model.onnx"].StallAfter = 50_000;
        using var cancel = new CancellationTokenSource();
        var options = Options(o => o.Progress = new SyncProgress(p =>
        {
            if (p.FileName == "onnx/model.onnx" && p.BytesDownloaded >= 50_000) cancel.Cancel();
        }));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DownloadEncoderAsync(options, cancel.Token));

        var partial = Path.Combine(RepoFolder, "blobs", _hub.Files["onnx/model.onnx"].Etag + ".incomplete");
        Assert.Equal(50_000, new FileInfo(partial).Length);
        _hub.Files["onnx/model.onnx"].StallAfter = null;
        var folder = await DownloadEncoderAsync();
        Assert.Equal(_onnx, File.ReadAllBytes(Path.Combine(folder, "onnx", "model.onnx")));
    }

    [Fact]
    public async Task DownloadModel_Stalled_TimesOutAsInterrupted()
    {
        _hub.Files["onnx/model.onnx"].StallAfter = 50_000;

        var e = await Assert.ThrowsAsync<IOException>(() => DownloadEncoderAsync(Options(o => o.Timeout = TimeSpan.FromSeconds(2))));

        Assert.Contains("no data for 2 s", e.Message);
        Assert.True(File.Exists(Path.Combine(RepoFolder, "blobs", _hub.Files["onnx/model.onnx"].Etag + ".incomplete")));
    }

    [Fact]
    public void DownloadModel_RevisionSuffix_WritesItsOwnRef()
    {
        var folder = HuggingFaceHub.DownloadModel(Id + "@main", ["config.json"], options: Options(o => o.Revision = "ignored"));

        Assert.Equal(Snapshot, folder);
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoFolder, "refs", "main")));
        Assert.False(File.Exists(Path.Combine(RepoFolder, "refs", "ignored")));
    }

    [Fact]
    public async Task DownloadModel_CommitRevision_IsServedFromTheCacheWithoutRequests()
    {
        await HuggingFaceHub.DownloadModelAsync(Id + "@" + FakeHub.Commit, ["config.json"], options: Options());
        Assert.False(Directory.Exists(Path.Combine(RepoFolder, "refs")));
        var before = _hub.Requests.Count;

        var folder = await HuggingFaceHub.DownloadModelAsync(Id + "@" + FakeHub.Commit, ["config.json"], options: Options());

        Assert.Equal(Snapshot, folder);
        Assert.Equal(before, _hub.Requests.Count);
    }

    [Fact]
    public async Task DownloadModel_ExistingFolder_IsReturnedAsIs()
    {
        Directory.CreateDirectory(_cache);

        var folder = await HuggingFaceHub.DownloadModelAsync(_cache, HubFiles.Encoder(), options: Options());

        Assert.Equal(_cache, folder);
        Assert.Empty(_hub.Requests);
    }

    [Theory]
    [InlineData("./no/such/folder")]
    [InlineData("a/b/c")]
    [InlineData("org/na--me")]
    public async Task NeitherFolderNorRepoIdIsRejected(string idOrPath)
    {
        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => HuggingFaceHub.DownloadModelAsync(idOrPath, ["config.json"], options: Options()));

        Assert.Contains(idOrPath, e.Message);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task DownloadModel_UnreachableHub_SuggestsOfflineMode()
    {
        var options = Options(o => o.Endpoint = "http://127.0.0.1:1");

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => HuggingFaceHub.DownloadModelAsync(Id, ["config.json"], options: options));

        Assert.Contains("HF_HUB_OFFLINE", e.Message);
    }

    [Fact]
    public async Task DownloadModel_InjectedHttpHandler_IsUsed()
    {
        using var handler = new CountingHandler(new SocketsHttpHandler { AllowAutoRedirect = false });

        await DownloadEncoderAsync(Options(o => o.HttpHandler = handler));

        Assert.Equal(_hub.Requests.Count, handler.Count);
    }

    [Fact]
    public void DownloadModel_QuantizedVariant_PicksItsOnnxFile()
    {
        Assert.Equal([["onnx/model_quantized.onnx"], ["model_quantized.onnx"]], HubFiles.Encoder("quantized")[^1].Alternatives);
        Assert.Equal([["onnx/model.onnx"], ["model.onnx"]], HubFiles.Onnx().Alternatives);
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int Count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Count);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so order is kept.</summary>
    private sealed class SyncProgress(Action<HubDownloadProgress> report) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => report(value);
    }
}

/// <summary>The cache folder and offline switch follow <c>huggingface_hub</c>'s environment variables.</summary>
public sealed class HubOptionsTests
{
    private const string Home = "/home/user";

    [Theory]
    [InlineData(null, null, null, "/home/user/.cache/huggingface/hub")]
    [InlineData(null, null, "/xdg", "/xdg/huggingface/hub")]
    [InlineData(null, "/hf", "/xdg", "/hf/hub")]
    [InlineData(null, "~/hf", null, "/home/user/hf/hub")]
    [InlineData("/cache", "/hf", "/xdg", "/cache")]
    [InlineData("~/cache", null, null, "/home/user/cache")]
    public void CacheDirectoryFollowsHuggingFaceHub(string? hubCache, string? hfHome, string? xdg, string expected)
    {
        var env = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = hubCache, ["HF_HOME"] = hfHome, ["XDG_CACHE_HOME"] = xdg };

        var actual = HubOptions.DefaultCacheDirectory(name => env.GetValueOrDefault(name), Home);

        Assert.Equal(expected.Replace('/', Path.DirectorySeparatorChar), actual.Replace('/', Path.DirectorySeparatorChar));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData(null, false)]
    public void OfflineAcceptsTheSameSpellings(string? value, bool expected) => Assert.Equal(expected, HubOptions.IsTrue(value));
}
