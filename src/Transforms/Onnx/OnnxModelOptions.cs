namespace MlNetLlm;

/// <summary>
/// Where and how a model's ONNX sessions run, shared by every model's options (<see cref="EncoderOptions"/>,
/// <see cref="LanguageModelOptions"/>): device, CPU fallback, threads, export variant and batch size.
/// </summary>
public abstract class OnnxModelOptions
{
    private protected OnnxModelOptions(int batchSize) => BatchSize = batchSize;

    /// <summary>Largest accepted <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 16_384;

    /// <summary>
    /// Inputs per model run, 1 to <see cref="MaxBatchSize"/>: texts per ONNX run for encoders (default 32), rows per
    /// generation batch in <c>GenerateText</c> and <c>ClassifyWithPrompt</c> for language models (default 16).
    /// </summary>
    public int BatchSize { get; set; }

    /// <summary>CUDA device to run on (needs a build with <c>-p:UseGpu=true</c>); null (default) runs on CPU.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>When the requested GPU is unavailable: true (default) runs on CPU with a trace warning, false throws.</summary>
    public bool FallbackToCpu { get; set; } = true;

    /// <summary>ONNX Runtime intra-op threads (inside one operator); null keeps the model family's default.</summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>ONNX Runtime inter-op threads (across operators); null keeps its default.</summary>
    public int? InterOpNumThreads { get; set; }

    /// <summary>
    /// Which ONNX export to load: null for the plain fp32 files, or a variant such as <c>quantized</c>, <c>fp16</c> or
    /// <c>q4</c>, appended to each ONNX file name with an underscore (<c>model_q4.onnx</c>, <c>decoder_model_merged_q4.onnx</c>),
    /// in the folder or its <c>onnx/</c> subfolder; <c>FromPretrained</c> downloads only that variant.
    /// </summary>
    public string? OnnxVariant { get; set; }

    /// <summary>
    /// A copy of these options: estimators keep a copy, so changing the caller's object after building a pipeline has
    /// no effect on it.
    /// </summary>
    internal T Copy<T>() where T : OnnxModelOptions => (T)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <see cref="BatchSize"/> when it is outside 1 to <see cref="MaxBatchSize"/>.</summary>
    internal void RequireValidBatchSize()
    {
        if (BatchSize is < 1 or > MaxBatchSize)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"BatchSize must be between 1 and {MaxBatchSize}.");
    }
}
