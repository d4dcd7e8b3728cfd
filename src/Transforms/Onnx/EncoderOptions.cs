namespace MlNetLlm;

/// <summary>Settings shared by the encoder models (<see cref="TextEmbeddingModel"/>, <see cref="TextClassificationModel"/>).</summary>
public abstract class EncoderOptions
{
    private protected EncoderOptions()
    {
    }

    /// <summary>
    /// Longest token sequence fed to the model, special tokens included; longer text is truncated as Hugging Face
    /// <c>tokenizers</c> does: the text keeps its first <c>MaxLength</c> minus the special tokens, which are kept (so a
    /// BERT input still ends with [SEP]). Null means the folder's default: <c>max_seq_length</c>
    /// from a sentence-transformers <c>sentence_bert_config.json</c> when present, else the model's limit, the smaller of the
    /// tokenizer's <c>model_max_length</c> and <c>config.json</c> <c>max_position_embeddings</c> (512 when neither is set).
    /// </summary>
    public int? MaxLength { get; set; }

    /// <summary>Largest accepted <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 16_384;

    /// <summary>Texts per ONNX run, 1 to <see cref="MaxBatchSize"/>. Each batch is padded to its longest text, not to <see cref="MaxLength"/>. Default: 32.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>CUDA device to run on (needs a build with <c>-p:UseGpu=true</c>); null runs on CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>When the requested GPU is unavailable: true runs on CPU with a trace warning, false throws.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads; null keeps its default.</summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>ONNX Runtime inter-op threads; null keeps its default.</summary>
    public int? InterOpNumThreads { get; set; }

    /// <summary>
    /// Which ONNX export to load: null for <c>model.onnx</c>, or a variant such as <c>quantized</c>, <c>fp16</c> or <c>int8</c>
    /// for <c>model_{variant}.onnx</c> (in the folder or its <c>onnx/</c> subfolder; <c>FromPretrained</c> downloads only that file).
    /// </summary>
    public string? OnnxVariant { get; set; }
}
