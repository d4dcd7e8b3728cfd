using System.Text.RegularExpressions;

namespace MlNetLlm.Hub;

/// <summary>
/// One repository's folder in a cache laid out like Python's <c>huggingface_hub</c>:
/// <c>models--{org}--{name}/blobs/{etag}</c>, <c>snapshots/{commit}/{path}</c> (links to blobs),
/// <c>refs/{revision}</c> (the commit) and <c>.no_exist/{commit}/{path}</c> (files known to be absent), with
/// download locks in <c>{cache}/.locks/models--{org}--{name}/{etag}.lock</c>.
/// </summary>
internal sealed partial class HubCache(string cacheDirectory, string repoId)
{
    /// <summary>The repository's cache folder.</summary>
    public string RepoFolder { get; } = Path.GetFullPath(Path.Combine(cacheDirectory, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal)));

    /// <summary>True for a full 40-hex commit id.</summary>
    public static bool IsCommit(string revision) => CommitPattern().IsMatch(revision);

    /// <summary>True for a name usable as one file name in the cache (an etag): letters, digits, '-', '_', '.', not '.' or '..'.</summary>
    public static bool IsSafeName(string name) => SafeNamePattern().IsMatch(name) && name is not ("." or "..");

    /// <summary>The folder holding the files of <paramref name="commit"/>.</summary>
    public string SnapshotFolder(string commit) => Inside("snapshots", commit);

    /// <summary>Where <paramref name="file"/> of <paramref name="commit"/> appears.</summary>
    public string SnapshotFile(string commit, string file) => Inside("snapshots", commit, file);

    /// <summary>The content-addressed file for <paramref name="etag"/>.</summary>
    public string Blob(string etag) => Inside("blobs", etag);

    /// <summary>The commit <paramref name="revision"/> was last resolved to, or null when unknown.</summary>
    public string? ReadRef(string revision)
    {
        if (IsCommit(revision)) return revision;
        var path = Inside("refs", revision);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Records that <paramref name="revision"/> resolves to <paramref name="commit"/> (nothing to do for a commit id).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit || ReadRef(revision) == commit) return;
        var path = Inside("refs", revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.incomplete";
        File.WriteAllText(temp, commit);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>True when an earlier request found that <paramref name="file"/> does not exist at <paramref name="commit"/>.</summary>
    public bool IsKnownMissing(string commit, string file) => File.Exists(Inside(".no_exist", commit, file));

    /// <summary>Remembers that <paramref name="file"/> does not exist at <paramref name="commit"/>.</summary>
    public void MarkMissing(string commit, string file)
    {
        var path = Inside(".no_exist", commit, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
    }

    /// <summary>
    /// Takes the lock <c>huggingface_hub</c> takes before downloading blob <paramref name="etag"/>, waiting while another
    /// thread or process (Python included) holds it. Dispose the result to release it.
    /// </summary>
    public async Task<FileStream> LockAsync(string etag, CancellationToken cancellationToken)
    {
        Blob(etag); // rejects an etag that is not a plain file name
        var folder = Path.Combine(Path.GetDirectoryName(RepoFolder)!, ".locks", Path.GetFileName(RepoFolder));
        Directory.CreateDirectory(folder);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix, the same lock Python's filelock takes.
                return new FileStream(Path.Combine(folder, etag + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult is 11 or 35)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="file"/> of <paramref name="commit"/> point at the blob <paramref name="etag"/>: a relative
    /// symbolic link, or an atomically placed copy where links cannot be made.
    /// </summary>
    public void Link(string etag, string commit, string file)
    {
        var pointer = SnapshotFile(commit, file);
        if (File.Exists(pointer)) return;
        var folder = Path.GetDirectoryName(pointer)!;
        Directory.CreateDirectory(folder);
        var blob = Blob(etag);
        try
        {
            File.CreateSymbolicLink(pointer, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            var temp = $"{blob}.{Guid.NewGuid():N}.incomplete";
            File.Copy(blob, temp);
            File.Move(temp, pointer, overwrite: true);
        }
    }

    /// <summary>A path in the cache subfolder <paramref name="area"/>; rejects names that would escape it.</summary>
    private string Inside(string area, params string[] parts)
    {
        var root = Path.Combine(RepoFolder, area) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine([root, .. parts]));
        if (!path.StartsWith(root, StringComparison.Ordinal) || parts.Any(p => p.Length == 0))
            throw new ArgumentException($"'{string.Join("/", parts)}' is not a valid name inside the hub cache folder '{RepoFolder}'.");
        return path;
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$")]
    private static partial Regex SafeNamePattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
