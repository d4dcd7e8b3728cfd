namespace MlNetLlm;

/// <summary>
/// Settings for downloading models from the Hugging Face hub. Defaults come from the same environment variables
/// as Python's <c>huggingface_hub</c>, so both share one cache.
/// </summary>
public sealed class HubOptions
{
    /// <summary>Hub address; default <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</summary>
    public string Endpoint { get; set; } = (Env("HF_ENDPOINT") ?? "https://huggingface.co").TrimEnd('/');

    /// <summary>
    /// Cache folder; default <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>~/.cache/huggingface/hub</c>
    /// (<c>XDG_CACHE_HOME</c> replaces <c>~/.cache</c> when set).
    /// </summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory(Env, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>Access token for gated or private repositories, sent as a bearer token; default <c>HF_TOKEN</c>.</summary>
    public string? Token { get; set; } = Env("HF_TOKEN");

    /// <summary>Use only the cache and never the network; default true when <c>HF_HUB_OFFLINE</c> (or <c>TRANSFORMERS_OFFLINE</c>) is 1, true, yes or on.</summary>
    public bool Offline { get; set; } = IsTrue(Env("HF_HUB_OFFLINE") ?? Env("TRANSFORMERS_OFFLINE"));

    /// <summary>Branch, tag or commit to download; default <c>main</c>. An <c>@revision</c> suffix on the model id wins.</summary>
    public string Revision { get; set; } = "main";

    /// <summary>Receives download progress per file, synchronously on the downloading thread.</summary>
    public IProgress<HubDownloadProgress>? Progress { get; set; }

    /// <summary>
    /// HTTP handler to use instead of the built-in one (for proxies or tests). It must not follow redirects itself
    /// (<c>AllowAutoRedirect = false</c>); the client follows them where the hub protocol allows.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>How long a request may wait for the server, and a download for its next bytes; default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy of these settings, kept by estimators so later changes by the caller have no effect (the handler and progress are shared).</summary>
    internal HubOptions Copy() => (HubOptions)MemberwiseClone();

    /// <summary>The cache folder <c>huggingface_hub</c> would use, given an environment lookup and the home folder.</summary>
    internal static string DefaultCacheDirectory(Func<string, string?> env, string home)
    {
        var cache = env("HF_HUB_CACHE") ?? env("HUGGINGFACE_HUB_CACHE");
        if (cache is not null) return ExpandHome(cache, home);
        var hfHome = env("HF_HOME") ?? Path.Combine(env("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface");
        return Path.Combine(ExpandHome(hfHome, home), "hub");
    }

    /// <summary>True for 1, true, yes and on (any case), like <c>huggingface_hub</c>.</summary>
    internal static bool IsTrue(string? value) =>
        value?.Trim().ToUpperInvariant() is "1" or "TRUE" or "YES" or "ON";

    private static string ExpandHome(string path, string home) =>
        path == "~" ? home
        : path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal) ? Path.Combine(home, path[2..])
        : path;

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>Progress of one file download: <see cref="BytesDownloaded"/> of <see cref="TotalBytes"/> (null when unknown).</summary>
/// <param name="FileName">The file's path inside the repository, e.g. <c>onnx/model.onnx</c>.</param>
/// <param name="BytesDownloaded">Bytes on disk so far, including any resumed part.</param>
/// <param name="TotalBytes">The file's size, when the hub reported it.</param>
public readonly record struct HubDownloadProgress(string FileName, long BytesDownloaded, long? TotalBytes);
