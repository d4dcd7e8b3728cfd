using System.Numerics.Tensors;
using MlNetLlm.Numerics;
using MlNetLlm.Onnx;
using MlNetLlm.Tokenization;

namespace MlNetLlm;

/// <summary>
/// A Hugging Face sequence classifier folder (<c>config.json</c> with <c>id2label</c>, tokenizer files,
/// <c>model.onnx</c> or <c>onnx/model.onnx</c> with output <c>logits</c> [batch, labels]). Probabilities are softmax,
/// or sigmoid when <c>problem_type</c> is <c>multi_label_classification</c>. Text longer than <see cref="MaxLength"/>
/// tokens is truncated; null or empty text is scored as the special tokens alone. Owns one ONNX Runtime session;
/// thread-safe; dispose it when done.
/// </summary>
public sealed class TextClassificationModel : IDisposable
{
    private TextClassificationModel(string directory, TextClassificationOptions options)
    {
        Runner = new EncoderRunner(directory, ModelFamily.SequenceClassifier, options, 2, "logits");
        try
        {
            Labels = Runner.Config.Labels(Runner.OutputWidth, Runner.ModelPath);
            MultiLabel = Runner.Config.ProblemType == "multi_label_classification";
        }
        catch
        {
            Runner.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">No config.json, tokenizer or ONNX file; the message lists the paths looked for.</exception>
    /// <exception cref="InvalidDataException">The ONNX inputs/outputs are not a sequence classifier's, or do not fit config.json.</exception>
    /// <exception cref="InvalidOperationException">A GPU was requested, is unavailable and <see cref="OnnxModelOptions.FallbackToCpu"/> is false.</exception>
    public static TextClassificationModel FromDirectory(string directory, TextClassificationOptions? options = null) =>
        new(directory, options ?? new TextClassificationOptions());

    /// <summary>
    /// Loads a model from a local folder, or from a Hugging Face hub id (<c>org/name</c>, optionally <c>@revision</c>): only
    /// config, tokenizer and the chosen ONNX file (<see cref="OnnxModelOptions.OnnxVariant"/>) are fetched, into the cache
    /// shared with Python's huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="options">Model options, as for <see cref="FromDirectory"/>.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static TextClassificationModel FromPretrained(string idOrPath, TextClassificationOptions? options = null, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadFamily(idOrPath, ModelFamily.SequenceClassifier, options?.OnnxVariant, hub), options);

    /// <summary>Label names in id order (<c>config.json</c> <c>id2label</c>; LABEL_0, LABEL_1, … when absent).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>True when probabilities are independent sigmoids (<c>problem_type</c> multi_label_classification).</summary>
    public bool MultiLabel { get; }

    /// <summary>Where the model runs: "CPU" or "CUDA:n".</summary>
    public string Device => Runner.Device;

    /// <summary>Tokens per text after truncation, special tokens included.</summary>
    public int MaxLength => Runner.MaxLength;

    /// <summary>Texts per ONNX run.</summary>
    public int BatchSize => Runner.BatchSize;

    /// <summary>Scores one text.</summary>
    public TextClassificationResult Classify(string? text) => Classify([text])[0];

    /// <summary>Scores many texts, batched by similar length; results are in input order.</summary>
    public TextClassificationResult[] Classify(IReadOnlyList<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var results = new TextClassificationResult[texts.Count];
        int count = Labels.Count;
        Runner.Run(texts, (logits, _, _, rows) =>
        {
            if (logits.Length != rows.Length * count)
                throw new InvalidDataException($"'{Runner.ModelPath}' returned {logits.Length} logits for {rows.Length} texts and {count} labels.");
            for (int i = 0; i < rows.Length; i++)
            {
                var raw = logits.Slice(i * count, count).ToArray();
                var probabilities = new float[count];
                if (MultiLabel) TensorPrimitives.Sigmoid(raw, probabilities);
                else Softmax.Apply(raw, probabilities);
                int best = TensorPrimitives.IndexOfMax(probabilities);
                results[rows[i]] = new TextClassificationResult(Labels[best], best, raw, probabilities);
            }
        });
        return results;
    }

    /// <inheritdoc/>
    public void Dispose() => Runner.Dispose();

    /// <summary>The folder, tokenizer and ONNX session behind this model.</summary>
    internal EncoderRunner Runner { get; }
}
