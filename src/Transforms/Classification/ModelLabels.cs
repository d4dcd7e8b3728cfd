using System.Text.Json;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Classification;

/// <summary>The label names of a Hugging Face sequence classifier (<c>config.json</c> <c>id2label</c>), shared by the classifier models.</summary>
internal static class ModelLabels
{
    /// <summary>Most labels accepted from config.json (a hostile num_labels fails instead of sizing arrays).</summary>
    private const int MaxLabels = 1 << 20;

    /// <summary>
    /// Label names in id order: <c>id2label</c>, or LABEL_0, LABEL_1, … for <paramref name="width"/> (the ONNX logits
    /// width) or <c>num_labels</c> when it is absent. Throws unless the result matches a fixed <paramref name="width"/>.
    /// </summary>
    public static string[] Read(JsonElement config, int? width, string modelPath)
    {
        var id2label = config.GetPropertyOrNull("id2label");
        string[] names;
        if (id2label.ValueKind != JsonValueKind.Object)
        {
            int count = width ?? config.GetInt("num_labels")
                ?? throw new InvalidDataException("config.json has no id2label or num_labels and the ONNX logits width is not fixed.");
            if (count is < 1 or > MaxLabels)
                throw new InvalidDataException($"config.json num_labels is {count}; expected 1 to {MaxLabels}.");
            names = Enumerable.Range(0, count).Select(i => $"LABEL_{i}").ToArray();
        }
        else
        {
            var labels = id2label.EnumerateObject()
                .Select(p => (Id: int.TryParse(p.Name, out var id) ? id : -1, Name: p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!
                    : throw new InvalidDataException($"config.json id2label['{p.Name}'] must be a string label; found {p.Value.GetRawText()}.")))
                .OrderBy(p => p.Id).ToArray();
            if (labels.Where((l, i) => l.Id != i).Any())
                throw new InvalidDataException($"config.json id2label keys must be 0..{labels.Length - 1}; found [{string.Join(", ", labels.Select(l => l.Id))}].");
            names = labels.Select(l => l.Name).ToArray();
        }
        if (width is int w && w != names.Length)
            throw new InvalidDataException($"'{modelPath}' outputs {w} logits but config.json id2label names {names.Length} labels.");
        return names;
    }
}
