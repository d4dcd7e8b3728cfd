using System.Text.Json;
using Microsoft.ML;

namespace MlNetLlm.Persistence;

/// <summary>
/// A transformer that <c>SavePipeline</c> can write: it records its settings and the model files it needs
/// (<see cref="SaveStep"/>), and rebuilds itself from them (<see cref="LoadStep"/>, which the compiler makes every
/// implementation declare). A step's kind is the implementing type's name; loading accepts only implementations.
/// </summary>
internal interface IPersistentTransformer
{
    /// <summary>Writes the settings and files the transformer needs.</summary>
    void SaveStep(PipelineStepWriter writer);

    /// <summary>Rebuilds the transformer from what <see cref="SaveStep"/> wrote; a damaged step is an <see cref="InvalidDataException"/>.</summary>
    static abstract ITransformer LoadStep(PipelineStepReader reader);
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
    internal PipelineStepReader(JsonElement settings, string? folder, byte[]? blob)
    {
        Settings = settings;
        Folder = folder;
        Blob = blob;
    }

    public JsonElement Settings { get; }

    /// <summary>The extracted model folder, or null when the step saved no files.</summary>
    public string? Folder { get; }

    public byte[]? Blob { get; }

    /// <summary>The extracted model folder; a step without files is an <see cref="InvalidDataException"/>.</summary>
    public string RequireFolder() => Folder ?? throw new InvalidDataException("Pipeline step has no model files.");

    /// <summary>An optional string setting: null when absent or null; any other JSON kind is an <see cref="InvalidDataException"/> naming it.</summary>
    public string? GetString(string name) => Value(name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid(name, "a string")
        : null;

    /// <summary>A required, non-blank string setting (e.g. a column name); otherwise an <see cref="InvalidDataException"/> naming it.</summary>
    public string RequireString(string name) => GetString(name) is { } s && !string.IsNullOrWhiteSpace(s) ? s : throw Invalid(name, "a non-empty string");

    /// <summary>An optional 32-bit integer setting: null when absent or null; anything else is an <see cref="InvalidDataException"/> naming it.</summary>
    public int? GetInt(string name) => Value(name) is { } v
        ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Invalid(name, "a 32-bit integer")
        : null;

    /// <summary>A required Boolean setting; otherwise an <see cref="InvalidDataException"/> naming it.</summary>
    public bool RequireBool(string name) => Value(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } v ? v.GetBoolean() : throw Invalid(name, "true or false");

    /// <summary>A named enum value; a missing or unknown one is <see cref="InvalidDataException"/> naming the setting.</summary>
    public T GetEnum<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(GetString(name), out var value) && Enum.IsDefined(value) ? value
            : throw Invalid(name, $"one of {string.Join(", ", Enum.GetNames<T>())}");

    /// <summary>An optional setting of any JSON-serializable type: default when absent or null; a value of the wrong shape is an <see cref="InvalidDataException"/> naming it.</summary>
    public T? Get<T>(string name)
    {
        if (Value(name) is not { } v) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(v);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidDataException($"Pipeline step setting '{name}' is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    /// <summary>A required setting of any JSON-serializable type; absent or null is an <see cref="InvalidDataException"/> naming it.</summary>
    public T Require<T>(string name) where T : class => Get<T>(name) ?? throw Invalid(name, $"a {typeof(T).Name}");

    private JsonElement? Value(string name) =>
        Settings.ValueKind == JsonValueKind.Object && Settings.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static InvalidDataException Invalid(string name, string expected) =>
        new($"Pipeline step setting '{name}' must be {expected}.");
}
