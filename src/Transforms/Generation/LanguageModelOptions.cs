namespace MlNetLlm;

/// <summary>
/// Where and how the ONNX sessions of a language model run (the <see cref="OnnxModelOptions"/>); shared by
/// <see cref="CausalLanguageModelOptions"/> and <see cref="Seq2SeqLanguageModelOptions"/>. <see cref="OnnxModelOptions.IntraOpNumThreads"/>
/// null means one thread for models under 32 MB (ONNX files plus external data), whose decode steps are too short to
/// split across threads (stories260k: 1.4× faster on 2 cores), and the ONNX Runtime default for larger ones.
/// </summary>
public abstract class LanguageModelOptions : OnnxModelOptions
{
    private protected LanguageModelOptions()
        : base(batchSize: 16)
    {
    }

    /// <summary>Models smaller than this (ONNX files plus external data) run on one intra-op thread unless told otherwise.</summary>
    private const long SmallModelBytes = 32L << 20;

    /// <summary>The session settings for a model made of <paramref name="onnxFiles"/> (see <see cref="OnnxModelOptions.IntraOpNumThreads"/>).</summary>
    internal Onnx.OnnxDeviceSettings DeviceSettings(IEnumerable<string> onnxFiles)
    {
        int? intraOpThreads = IntraOpNumThreads
            ?? (onnxFiles.SelectMany(f => (string[])[f, .. Onnx.ModelFamily.ExternalData(f)]).Where(File.Exists).Sum(f => new FileInfo(f).Length) < SmallModelBytes ? 1 : null);
        return new Onnx.OnnxDeviceSettings(GpuDeviceId, FallbackToCpu, intraOpThreads, InterOpNumThreads);
    }
}
