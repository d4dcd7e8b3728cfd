using MlNetLlm.Persistence;

namespace Microsoft.ML;

/// <summary>One-file save and load of whole pipelines, including MlNetLlm's transformers: <c>mlContext.Model.SavePipeline(...)</c>.</summary>
public static class PersistenceCatalog
{
    /// <summary>
    /// Saves <paramref name="model"/> (a chain of standard ML.NET transformers and MlNetLlm's) and its input schema to one
    /// self-contained file: model and tokenizer files are embedded, so the file alone is enough to load it anywhere.
    /// The file is written to a temporary name and renamed, so a failed save never leaves a half-written file.
    /// </summary>
    public static void SavePipeline(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        PipelineFile.Save(catalog, model, inputSchema, path);
    }

    /// <summary>
    /// Loads a pipeline written by <see cref="SavePipeline"/>. Embedded model files are extracted once to a folder under
    /// the temp directory named by their hash; a reused extraction is re-verified (files, sizes, SHA-256) on every load and
    /// replaced by a fresh one when altered. Missing, truncated or corrupt files, unsafe paths, wrong-shaped manifests,
    /// oversized entries and unknown format versions raise <see cref="FileNotFoundException"/> or
    /// <see cref="InvalidDataException"/> naming the file and the problem. Load pipelines only from sources you trust.
    /// </summary>
    public static ITransformer LoadPipeline(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return PipelineFile.Load(catalog, path, out inputSchema);
    }
}
