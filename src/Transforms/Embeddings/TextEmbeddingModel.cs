using System.Numerics.Tensors;
using MlNetLlm.Embeddings;
using MlNetLlm.Onnx;
using MlNetLlm.Tokenization;

namespace MlNetLlm;

/// <summary>
/// Sentence embeddings from a Hugging Face encoder folder (<c>config.json</c>, tokenizer files, <c>model.onnx</c> or
/// <c>onnx/model.onnx</c> with output <c>last_hidden_state</c>). Text longer than <see cref="MaxLength"/> tokens is
/// truncated; null or empty text is embedded as the special tokens alone ([CLS] [SEP] for BERT). Owns one ONNX Runtime
/// session; thread-safe; dispose it when done.
/// </summary>
public sealed class TextEmbeddingModel : IDisposable
{
    private TextEmbeddingModel(string directory, TextEmbeddingOptions options)
    {
        Runner = new EncoderRunner(directory, ModelFamily.Encoder, options, 3, "last_hidden_state", "token_embeddings");
        try
        {
            var (pooling, normalize) = SentenceTransformersConfig.Read(Runner.Directory);
            Pooling = options.Pooling ?? pooling ?? EmbeddingPooling.Mean;
            Normalize = options.Normalize ?? normalize ?? true;
            Dimension = Runner.OutputWidth ?? Runner.Config.HiddenSize
                ?? throw new InvalidDataException($"'{Runner.ModelPath}' has no fixed output width and config.json has no hidden_size.");
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
    /// <exception cref="InvalidDataException">The ONNX inputs/outputs are not an encoder's, or the tokenizer does not fit config.json.</exception>
    /// <exception cref="InvalidOperationException">A GPU was requested, is unavailable and <see cref="OnnxModelOptions.FallbackToCpu"/> is false.</exception>
    public static TextEmbeddingModel FromDirectory(string directory, TextEmbeddingOptions? options = null) =>
        new(directory, options ?? new TextEmbeddingOptions());

    /// <summary>
    /// Loads a model from a local folder, or from a Hugging Face hub id (<c>org/name</c>, optionally <c>@revision</c>): only
    /// config, tokenizer and the chosen ONNX file (<see cref="OnnxModelOptions.OnnxVariant"/>) are fetched, into the cache
    /// shared with Python's huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="options">Model options, as for <see cref="FromDirectory"/>.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static TextEmbeddingModel FromPretrained(string idOrPath, TextEmbeddingOptions? options = null, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadFamily(idOrPath, ModelFamily.Encoder, options?.OnnxVariant, hub), options);

    /// <summary>Length of every embedding (the model's hidden size).</summary>
    public int Dimension { get; }

    /// <summary>Where the model runs: "CPU" or "CUDA:n".</summary>
    public string Device => Runner.Device;

    /// <summary>The pooling in use.</summary>
    public EmbeddingPooling Pooling { get; }

    /// <summary>Whether embeddings are L2-normalized.</summary>
    public bool Normalize { get; }

    /// <summary>Tokens per text after truncation, special tokens included.</summary>
    public int MaxLength => Runner.MaxLength;

    /// <summary>Texts per ONNX run.</summary>
    public int BatchSize => Runner.BatchSize;

    /// <summary>Embeds one text.</summary>
    public float[] Embed(string? text) => Embed([text])[0];

    /// <summary>Embeds many texts, batched by similar length; results are in input order.</summary>
    public float[][] Embed(IReadOnlyList<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var results = new float[texts.Count][];
        Runner.Run(texts, (hidden, length, encodings, rows) =>
        {
            int rowSize = length * Dimension;
            if (hidden.Length != rows.Length * rowSize)
                throw new InvalidDataException($"'{Runner.ModelPath}' returned {hidden.Length} values for {rows.Length} x {length} tokens of width {Dimension}.");
            for (int i = 0; i < rows.Length; i++)
                results[rows[i]] = Pool(hidden.Slice(i * rowSize, encodings[rows[i]].Count * Dimension));
        });
        return results;
    }

    /// <inheritdoc/>
    public void Dispose() => Runner.Dispose();

    /// <summary>The folder, tokenizer and ONNX session behind this model.</summary>
    internal EncoderRunner Runner { get; }

    // tokens: the unpadded token vectors of one text, one after another.
    private float[] Pool(ReadOnlySpan<float> tokens)
    {
        var vector = new float[Dimension];
        int count = tokens.Length / Dimension;
        if (count == 0) return vector;
        tokens[..Dimension].CopyTo(vector);
        if (Pooling != EmbeddingPooling.Cls)
        {
            for (int t = 1; t < count; t++)
            {
                var token = tokens.Slice(t * Dimension, Dimension);
                if (Pooling == EmbeddingPooling.Mean) TensorPrimitives.Add(vector, token, vector);
                else TensorPrimitives.Max(vector, token, vector);
            }
            if (Pooling == EmbeddingPooling.Mean) TensorPrimitives.Divide(vector, count, vector);
        }
        if (Normalize && TensorPrimitives.Norm(vector) is > 0 and var norm) TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }
}
