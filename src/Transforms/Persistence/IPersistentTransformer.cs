namespace MlNetLlm.Persistence;

/// <summary>
/// A transformer that <c>SavePipeline</c> can write: it records its settings and the model files it needs. The type
/// must also declare <c>internal static ITransformer LoadStep(PipelineStepReader reader)</c>, found by reflection at load
/// time (so transformers from other MlNetLlm assemblies load without registration).
/// </summary>
internal interface IPersistentTransformer
{
    void SaveStep(PipelineStepWriter writer);
}

/// <summary>What a transformer writes for itself: a settings object (JSON) and files copied from a model folder.</summary>
internal sealed class PipelineStepWriter
{
    internal Dictionary<string, object?> Settings { get; } = new();
    internal List<(string RelativePath, string SourcePath)> Files { get; } = [];
    internal byte[]? Blob { get; private set; }

    public void Set(string name, object? value) => Settings[name] = value;

    /// <summary>Embeds <paramref name="relativePaths"/> of <paramref name="directory"/> (those that exist) as the step's model folder.</summary>
    public void AddFolderFiles(string directory, IEnumerable<string> relativePaths)
    {
        foreach (var relative in relativePaths.Distinct())
        {
            var source = Path.Combine(directory, relative);
            if (File.Exists(source)) Files.Add((relative.Replace('\\', '/'), source));
        }
    }

    /// <summary>Embeds binary state (e.g. trained weights).</summary>
    public void SetBlob(byte[] blob) => Blob = blob;
}

/// <summary>What a loader gets back: the settings, the folder its files were extracted to, and its blob.</summary>
internal sealed class PipelineStepReader
{
    internal PipelineStepReader(System.Text.Json.JsonElement settings, string? folder, byte[]? blob)
    {
        Settings = settings;
        Folder = folder;
        Blob = blob;
    }

    public System.Text.Json.JsonElement Settings { get; }

    /// <summary>The extracted model folder, or null when the step saved no files.</summary>
    public string? Folder { get; }

    public byte[]? Blob { get; }

    public string RequireFolder() => Folder ?? throw new InvalidDataException("Pipeline step has no model files.");

    public string? GetString(string name) => Settings.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString() : null;

    public int? GetInt(string name) => Settings.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetInt32() : null;

    /// <summary>A named enum value; a missing or unknown one is <see cref="InvalidDataException"/> naming the setting.</summary>
    public T GetEnum<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(GetString(name), out var value) && Enum.IsDefined(value) ? value
            : throw new InvalidDataException($"Pipeline step setting '{name}' must be one of {string.Join(", ", Enum.GetNames<T>())}.");

    public T? Get<T>(string name) => Settings.TryGetProperty(name, out var v) ? System.Text.Json.JsonSerializer.Deserialize<T>(v) : default;
}
