namespace MlNetLlm;

/// <summary>
/// Where and how the ONNX sessions of a language model run; shared by <see cref="CausalLanguageModelOptions"/> and
/// <see cref="Seq2SeqLanguageModelOptions"/>.
/// </summary>
public abstract class LanguageModelOptions
{
    private protected LanguageModelOptions()
    {
    }

    /// <summary>CUDA device to run on, or null (default) for CPU.</summary>
    public int? GpuDeviceId { get; init; }

    /// <summary>When the requested GPU is unavailable, run on CPU with a warning (default) instead of throwing.</summary>
    public bool FallbackToCpu { get; init; } = true;

    /// <summary>
    /// Threads used inside one ONNX operator. Null (default): one thread for models under 32 MB (ONNX files plus external
    /// data), whose decode steps are too short to split across threads (stories260k: 1.4× faster on 2 cores), and
    /// the ONNX Runtime default for larger ones.
    /// </summary>
    public int? IntraOpNumThreads { get; init; }

    /// <summary>Threads used across ONNX operators, or null for the ONNX Runtime default.</summary>
    public int? InterOpNumThreads { get; init; }

    /// <summary>
    /// Which ONNX export to load: null for the plain fp32 files, or a variant such as <c>q4</c>, <c>fp16</c> or
    /// <c>quantized</c>, appended to each file name with an underscore (<c>model_q4.onnx</c>; for seq2seq models
    /// <c>encoder_model_q4.onnx</c> and <c>decoder_model_merged_q4.onnx</c>), in the folder or its <c>onnx/</c> subfolder.
    /// </summary>
    public string? OnnxVariant { get; init; }

    /// <summary>Models smaller than this (ONNX files plus external data) run on one intra-op thread unless told otherwise.</summary>
    private const long SmallModelBytes = 32L << 20;

    /// <summary>The session settings for a model made of <paramref name="onnxFiles"/> (see <see cref="IntraOpNumThreads"/>).</summary>
    internal Onnx.OnnxDeviceSettings DeviceSettings(IEnumerable<string> onnxFiles)
    {
        int? intraOpThreads = IntraOpNumThreads
            ?? (onnxFiles.SelectMany(OnnxFiles).Where(File.Exists).Sum(f => new FileInfo(f).Length) < SmallModelBytes ? 1 : null);
        return new Onnx.OnnxDeviceSettings(GpuDeviceId, FallbackToCpu, intraOpThreads, InterOpNumThreads);
    }

    /// <summary>An ONNX file and the names its external weights may have.</summary>
    internal static string[] OnnxFiles(string onnx) => [onnx, onnx + "_data", onnx + ".data"];

    /// <summary>The file name suffix for <see cref="OnnxVariant"/>: empty, or <c>_variant</c>.</summary>
    internal string VariantSuffix => string.IsNullOrWhiteSpace(OnnxVariant) ? "" : "_" + OnnxVariant.Trim();
}
