using System.Text.Json;

namespace MlNetLlm.Tokenization;

/// <summary>Small helpers for reading <c>tokenizer.json</c> and the Hugging Face config files.</summary>
internal static class TokenizerJson
{
    public static NotSupportedException Unsupported(string component, string type) =>
        new($"tokenizer.json: {component} type '{type}' is not supported by MlNetLlm.");

    public static string GetRequiredString(this JsonElement e, string name, string component) =>
        e.GetString(name) ?? throw new InvalidDataException($"tokenizer.json: {component} has no '{name}'.");

    public static string? GetString(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool GetBool(this JsonElement e, string name, bool fallback) => e.GetNullableBool(name) ?? fallback;

    public static bool? GetNullableBool(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean() : null;

    public static int? GetInt(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i : null;

    public static IEnumerable<JsonElement> GetArray(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray() : [];

    /// <summary>A special token from a config file: a string or an AddedToken object with <c>content</c>.</summary>
    public static string? GetTokenString(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Object => v.GetString("content"),
            _ => null,
        };
    }

    public static JsonElement GetPropertyOrNull(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    /// <summary>
    /// Reads one section of a tokenizer or config file; a wrong-shaped value in it (a string where an id belongs, a missing
    /// key, an id out of range) becomes an <see cref="InvalidDataException"/> naming the section.
    /// </summary>
    public static T Section<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (IsShapeError(ex))
        {
            throw new InvalidDataException($"'{name}' is malformed: {ex.Message}", ex);
        }
    }

    /// <summary>The exceptions reading a JSON document of the wrong shape raises (not <see cref="NotSupportedException"/>: a valid but unimplemented component).</summary>
    public static bool IsShapeError(Exception ex) =>
        ex is InvalidOperationException or KeyNotFoundException or FormatException or InvalidDataException or IndexOutOfRangeException
            or ArgumentException or OverflowException or JsonException;

    public static JsonElement ParseFile(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
