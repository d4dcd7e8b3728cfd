using System.Numerics.Tensors;
using MlNetLlm.Numerics;
using MlNetLlm.Onnx;
using MlNetLlm.Tokenization;

namespace MlNetLlm;

/// <summary>
/// A cross-encoder: a Hugging Face sequence classifier that reads two texts together (<c>[CLS] a [SEP] b [SEP]</c>, with
/// <c>token_type_ids</c> 1 on the second text) and scores the pair — query/passage relevance for reranking, similarity,
/// paraphrase or duplicate detection (one logit), or NLI labels (several logits, named by <c>config.json</c>
/// <c>id2label</c>). The folder is the sentence-transformers <c>CrossEncoder</c> layout: <c>config.json</c>, tokenizer files,
/// <c>model.onnx</c> or <c>onnx/model.onnx</c> with output <c>logits</c> [batch, labels]. Scores are the logits after
/// <see cref="Activation"/>. Pairs longer than <see cref="MaxLength"/> tokens are truncated by the tokenizer; a null text
/// is scored as an empty one. Owns one ONNX Runtime session; thread-safe; dispose it when done.
/// </summary>
public sealed class CrossEncoderModel : IDisposable
{
    private static readonly Dictionary<string, CrossEncoderActivation> ActivationNames = new()
    {
        ["Sigmoid"] = CrossEncoderActivation.Sigmoid,
        ["Identity"] = CrossEncoderActivation.Identity,
        ["Softmax"] = CrossEncoderActivation.Softmax,
    };

    private CrossEncoderModel(string directory, CrossEncoderOptions options)
    {
        if (!Enum.IsDefined(options.Truncation))
            throw new ArgumentOutOfRangeException(nameof(options), options.Truncation, "CrossEncoderOptions.Truncation is not a TruncationStrategy value.");
        Truncation = options.Truncation;
        Runner = new EncoderRunner(directory, ModelFamily.CrossEncoder, options, 2, "logits");
        try
        {
            Labels = Runner.Config.Labels(Runner.OutputWidth, Runner.ModelPath);
            Activation = options.Activation ?? ReadActivation(Runner.Config)
                ?? (Labels.Count == 1 || Runner.Config.ProblemType == "multi_label_classification"
                    ? CrossEncoderActivation.Sigmoid : CrossEncoderActivation.Softmax);
        }
        catch
        {
            Runner.Dispose();
            throw;
        }
    }

    /// <summary>Loads a cross-encoder folder.</summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="options">Model options; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">No config.json, tokenizer or ONNX file; the message lists the paths looked for.</exception>
    /// <exception cref="InvalidDataException">
    /// The ONNX graph has no <c>logits</c> output (e.g. an encoder without a classification head, whose output is
    /// <c>last_hidden_state</c>), or its inputs/outputs do not fit <c>config.json</c>.
    /// </exception>
    /// <exception cref="NotSupportedException"><c>config.json</c> names an activation other than Sigmoid, Identity or Softmax.</exception>
    /// <exception cref="InvalidOperationException">A GPU was requested, is unavailable and <see cref="OnnxModelOptions.FallbackToCpu"/> is false.</exception>
    public static CrossEncoderModel FromDirectory(string directory, CrossEncoderOptions? options = null) =>
        new(directory, options ?? new CrossEncoderOptions());

    /// <summary>
    /// Loads a cross-encoder from a local folder, or from a Hugging Face hub id (<c>org/name</c>, optionally
    /// <c>@revision</c>, e.g. <c>cross-encoder/ms-marco-MiniLM-L6-v2</c> with an ONNX export): only config, tokenizer and
    /// the chosen ONNX file (<see cref="OnnxModelOptions.OnnxVariant"/>) are fetched, into the cache shared with Python's
    /// huggingface_hub.
    /// </summary>
    /// <param name="idOrPath">An existing folder (used as is) or a hub repository id.</param>
    /// <param name="options">Model options, as for <see cref="FromDirectory"/>.</param>
    /// <param name="hub">Endpoint, cache, token, offline mode and progress; defaults from the HF_* environment variables.</param>
    public static CrossEncoderModel FromPretrained(string idOrPath, CrossEncoderOptions? options = null, HubOptions? hub = null) =>
        FromDirectory(HuggingFaceHub.DownloadFamily(idOrPath, ModelFamily.CrossEncoder, options?.OnnxVariant, hub), options);

    /// <summary>Label names in id order (<c>config.json</c> <c>id2label</c>; LABEL_0, … when absent). One label: a single score per pair.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The activation applied to the logits.</summary>
    public CrossEncoderActivation Activation { get; }

    /// <summary>How pairs longer than <see cref="MaxLength"/> are cut (<see cref="CrossEncoderOptions.Truncation"/>).</summary>
    public TruncationStrategy Truncation { get; }

    /// <summary>Where the model runs: "CPU" or "CUDA:n".</summary>
    public string Device => Runner.Device;

    /// <summary>Tokens per pair after truncation, special tokens included.</summary>
    public int MaxLength => Runner.MaxLength;

    /// <summary>Pairs per ONNX run.</summary>
    public int BatchSize => Runner.BatchSize;

    /// <summary>Scores one pair with a one-logit model (see <see cref="Score(IReadOnlyList{ValueTuple{string, string}})"/>).</summary>
    /// <exception cref="InvalidOperationException">The model has several labels; use <see cref="Classify"/>.</exception>
    public float Score(string first, string second) => Score([(first, second)])[0];

    /// <summary>
    /// Scores pairs with a one-logit model: the activated logit per pair (sigmoid: in (0, 1), higher = more related), in
    /// input order. Pairs are tokenized, sorted by length and run in batches of <see cref="BatchSize"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has several labels; use <see cref="Classify"/>.</exception>
    public float[] Score(IReadOnlyList<(string First, string Second)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (Labels.Count != 1)
            throw new InvalidOperationException(
                $"'{Runner.ModelPath}' has {Labels.Count} labels ({string.Join(", ", Labels)}); Score needs a one-logit model. Use Classify for per-label scores.");
        return Classify(pairs).Select(r => r.Probabilities[0]).ToArray();
    }

    /// <summary>
    /// The <paramref name="documents"/> ordered by their score against <paramref name="query"/>, best first (ties keep
    /// input order): <c>(Index, Score)</c> with Index into <paramref name="documents"/>. <paramref name="topK"/> keeps
    /// only the first k; null keeps all.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topK"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">The model has several labels.</exception>
    public IReadOnlyList<(int Index, float Score)> Rerank(string query, IReadOnlyList<string> documents, int? topK = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (topK is int k) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(topK));
        var scores = Score(documents.Select(d => (query, d)).ToArray());
        return scores.Select((s, i) => (Index: i, Score: s)).OrderByDescending(p => p.Score)
            .Take(topK ?? scores.Length).ToArray();
    }

    /// <summary>
    /// Scores pairs with any model: per pair the raw logits, the activated scores (<see cref="TextClassificationResult.Probabilities"/>,
    /// one per label) and the best label. Results are in input order.
    /// </summary>
    public TextClassificationResult[] Classify(IReadOnlyList<(string First, string Second)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return ComputeLogits(pairs).Select(logits =>
        {
            var scores = new float[logits.Length];
            if (Activation == CrossEncoderActivation.Sigmoid) TensorPrimitives.Sigmoid(logits, scores);
            else if (Activation == CrossEncoderActivation.Softmax) Softmax.Apply(logits, scores);
            else logits.CopyTo(scores, 0);
            int best = TensorPrimitives.IndexOfMax(scores);
            return new TextClassificationResult(Labels[best], best, logits, scores);
        }).ToArray();
    }

    /// <summary>The raw logits of each pair (one per label, no activation), in input order.</summary>
    public float[][] ComputeLogits(IReadOnlyList<(string First, string Second)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var results = new float[pairs.Count][];
        int count = Labels.Count;
        Runner.RunPairs(pairs.Select(p => ((string?)p.First, (string?)p.Second)).ToArray(), (logits, _, _, rows) =>
        {
            if (logits.Length != rows.Length * count)
                throw new InvalidDataException($"'{Runner.ModelPath}' returned {logits.Length} logits for {rows.Length} pairs and {count} labels.");
            for (int i = 0; i < rows.Length; i++) results[rows[i]] = logits.Slice(i * count, count).ToArray();
        }, Truncation);
        return results;
    }

    /// <inheritdoc/>
    public void Dispose() => Runner.Dispose();

    /// <summary>The folder, tokenizer and ONNX session behind this model.</summary>
    internal EncoderRunner Runner { get; }

    // sentence-transformers stores the activation as a class path, e.g. "torch.nn.modules.activation.Sigmoid".
    private static CrossEncoderActivation? ReadActivation(ModelConfig config)
    {
        if (config.ActivationFunction is not { } name) return null;
        return ActivationNames.TryGetValue(name[(name.LastIndexOf('.') + 1)..], out var activation)
            ? activation
            : throw new NotSupportedException(
                $"'{config.ConfigPath}' sets the activation '{name}'; MlNetLlm supports [{string.Join(", ", ActivationNames.Keys)}]. " +
                "Set CrossEncoderOptions.Activation to override it.");
    }
}
