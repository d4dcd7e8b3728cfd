namespace MlNetLlm.Tests;

/// <summary>Locates the repository's bundled assets (models and data copied in with their SOURCE notes) and ../shared.</summary>
internal static class TestAssets
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Model(params string[] parts) => Path.Combine([RepoRoot, "assets", "models", .. parts]);

    public static string Data(params string[] parts) => Path.Combine([RepoRoot, "assets", "data", .. parts]);

    /// <summary>
    /// A file or folder under ../shared (large assets not copied into the repo). Returns null when absent so a test can
    /// skip locally, but on CI (CI=true) a missing asset fails loudly.
    /// </summary>
    public static string? Shared(params string[] parts)
    {
        var path = Path.GetFullPath(Path.Combine([RepoRoot, "..", "shared", .. parts]));
        if (File.Exists(path) || Directory.Exists(path)) return path;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new FileNotFoundException($"CI=true but the shared asset '{path}' is missing.");
        return null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetLlm.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"MlNetLlm.sln not found above '{AppContext.BaseDirectory}'.");
    }
}
