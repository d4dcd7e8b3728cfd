using System.Text.RegularExpressions;
using MlNetLlm.Hub;

namespace MlNetLlm;

/// <summary>
/// Downloads model files from the Hugging Face hub into the cache shared with Python's <c>huggingface_hub</c>
/// (see <see cref="HubOptions"/>), resuming and verifying downloads, and works offline from that cache.
/// </summary>
public static partial class HuggingFaceHub
{
    /// <summary>
    /// Returns a local folder holding the model files: <paramref name="idOrPath"/> itself when it is an existing
    /// folder, else the cache snapshot of the hub repo <paramref name="idOrPath"/> (<c>org/name</c>, optionally
    /// <c>org/name@revision</c>) after downloading what is missing. Each entry of <paramref name="requiredFiles"/> and
    /// <paramref name="optionalFiles"/> is a repo path or a <see cref="HubFile"/> with alternatives; <see cref="HubFiles"/>
    /// gives the lists each kind of model needs.
    /// </summary>
    /// <exception cref="FileNotFoundException">A required file does not exist, or is not cached in offline mode.</exception>
    /// <exception cref="UnauthorizedAccessException">The repo is gated or private and no accepted token was sent.</exception>
    /// <exception cref="InvalidDataException">A download does not match its size or sha256.</exception>
    /// <exception cref="IOException">A download was interrupted; calling again resumes it.</exception>
    /// <exception cref="HttpRequestException">The hub cannot be reached and the cache lacks the model, or it answered with an HTTP error.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="idOrPath"/> is neither a folder nor a valid repo id.</exception>
    /// <exception cref="ArgumentException"><paramref name="idOrPath"/> ends with a <c>.</c> or <c>..</c> segment (such as <c>org/..</c>).</exception>
    public static async Task<string> DownloadModelAsync(string idOrPath, IReadOnlyList<HubFile> requiredFiles,
        IReadOnlyList<HubFile>? optionalFiles = null, HubOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idOrPath);
        ArgumentNullException.ThrowIfNull(requiredFiles);
        if (requiredFiles.Count == 0 || requiredFiles.Concat(optionalFiles ?? []).Any(entry => entry is null))
            throw new ArgumentException("Give at least one required file, and no null file entries.", nameof(requiredFiles));
        if (idOrPath.TrimEnd('/', '\\').Split('/', '\\') is [_, .., "." or ".."])
            throw new ArgumentException(
                $"'{idOrPath}' ends with a '.' or '..' segment: it is not a Hugging Face repo id ('org/name'), and as a folder it would resolve to " +
                $"'{Path.GetFullPath(idOrPath)}'. Pass that folder's path without the trailing segment.", nameof(idOrPath));
        if (Directory.Exists(idOrPath)) return idOrPath;
        options ??= new HubOptions();

        var at = idOrPath.IndexOf('@', StringComparison.Ordinal);
        var repoId = at < 0 ? idOrPath : idOrPath[..at];
        var revision = at < 0 ? options.Revision : idOrPath[(at + 1)..];
        if (!RepoIdPattern().IsMatch(repoId) || repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal)
            || repoId.Length > 96 || string.IsNullOrWhiteSpace(revision))
            throw new DirectoryNotFoundException($"'{idOrPath}' is neither an existing folder nor a Hugging Face repo id like 'org/name' or 'org/name@revision'.");

        var cache = new HubCache(options.CacheDirectory, repoId);
        if (options.Offline)
            return FindCached(cache, revision, requiredFiles, out var missing) ?? throw new FileNotFoundException(
                $"Offline mode (HF_HUB_OFFLINE or HubOptions.Offline) and '{repoId}' at revision '{revision}' is not in the cache: missing {missing}. " +
                "Download it once while online, or set HubOptions.CacheDirectory (HF_HUB_CACHE) to a cache that has it.");
        try
        {
            return await DownloadAsync(cache, repoId, revision, requiredFiles, optionalFiles ?? [], options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException { StatusCode: null } or TimeoutException)
        {
            // Like huggingface_hub: when the hub cannot be reached, a complete cached snapshot still serves.
            if (FindCached(cache, revision, requiredFiles, out _) is { } cached) return cached;
            throw;
        }
    }

    /// <summary>Synchronous <see cref="DownloadModelAsync"/>.</summary>
    /// <inheritdoc cref="DownloadModelAsync" path="/param"/>
    /// <inheritdoc cref="DownloadModelAsync" path="/exception"/>
    /// <returns>The local folder holding the model files.</returns>
    public static string DownloadModel(string idOrPath, IReadOnlyList<HubFile> requiredFiles,
        IReadOnlyList<HubFile>? optionalFiles = null, HubOptions? options = null, CancellationToken cancellationToken = default) =>
        DownloadModelAsync(idOrPath, requiredFiles, optionalFiles, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Downloads what <paramref name="family"/> needs for <paramref name="onnxVariant"/> (required and optional files); used by every model's <c>FromPretrained</c>.</summary>
    internal static string DownloadFamily(string idOrPath, MlNetLlm.Onnx.ModelFamily family, string? onnxVariant, HubOptions? options) =>
        DownloadModel(idOrPath, family.HubRequired(onnxVariant), family.HubOptional(onnxVariant), options);

    /// <summary>The cached snapshot of <paramref name="revision"/> when it has every required file; else null and what is missing where.</summary>
    private static string? FindCached(HubCache cache, string revision, IReadOnlyList<HubFile> requiredFiles, out string missing)
    {
        var commit = cache.ReadRef(revision);
        if (commit is null)
        {
            missing = $"refs/{revision} in '{cache.RepoFolder}'";
            return null;
        }
        var absent = requiredFiles.Where(entry => !entry.Alternatives.Any(files => files.All(file => File.Exists(cache.SnapshotFile(commit, file))))).ToList();
        missing = $"{string.Join(", ", absent)} in '{cache.SnapshotFolder(commit)}'";
        return absent.Count == 0 ? cache.SnapshotFolder(commit) : null;
    }

    private static async Task<string> DownloadAsync(HubCache cache, string repoId, string revision,
        IReadOnlyList<HubFile> requiredFiles, IReadOnlyList<HubFile> optionalFiles, HubOptions options, CancellationToken cancellationToken)
    {
        using var http = new HubHttp(options, repoId, revision);
        // The first answer pins the commit, so every file comes from the same snapshot.
        string? commit = HubCache.IsCommit(revision) ? revision : null;

        foreach (var entry in requiredFiles)
            if (!await AnyAsync(entry).ConfigureAwait(false))
                throw new FileNotFoundException(
                    $"Hugging Face repo '{repoId}' at revision '{revision}' has no {Describe(entry)} ({http.ResolveUrl(revision, entry.Alternatives[0][0])}).");
        foreach (var entry in optionalFiles)
            await AnyAsync(entry).ConfigureAwait(false);
        return cache.SnapshotFolder(commit!);

        async Task<bool> AnyAsync(HubFile entry)
        {
            foreach (var files in entry.Alternatives)
            {
                var found = true;
                foreach (var file in files)
                    if (!(found = await GetAsync(file).ConfigureAwait(false))) break;
                if (found) return true;
            }
            return false;
        }

        async Task<bool> GetAsync(string file)
        {
            if (commit is not null && File.Exists(cache.SnapshotFile(commit, file))) return true;
            if (commit is not null && cache.IsKnownMissing(commit, file)) return false;
            var info = await http.HeadAsync(commit ?? revision, file, cancellationToken).ConfigureAwait(false);
            if (commit is null && info.Commit is not null)
            {
                commit = info.Commit;
                cache.WriteRef(revision, commit);
            }
            if (info.Etag is null)
            {
                if (commit is not null) cache.MarkMissing(commit, file);
                return false;
            }
            if (File.Exists(cache.SnapshotFile(commit!, file))) return true;
            var blob = cache.Blob(info.Etag);
            await using (await cache.LockAsync(info.Etag, cancellationToken).ConfigureAwait(false))
            {
                if (!File.Exists(blob)) await http.DownloadAsync(http.ResolveUrl(commit!, file), file, info, blob, cancellationToken).ConfigureAwait(false);
                cache.Link(info.Etag, commit!, file);
            }
            return true;
        }
    }

    private static string Describe(HubFile entry) => entry.Alternatives is [[var single]] ? $"file '{single}'" : $"file of: {entry}";

    [GeneratedRegex(@"^(\b[\w\-.]+\b/)?\b[\w\-.]+\b$")]
    private static partial Regex RepoIdPattern();
}
