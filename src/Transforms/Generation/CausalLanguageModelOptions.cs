namespace MlNetLlm;

/// <summary>
/// Where and how the ONNX decoder of a <see cref="CausalLanguageModel"/> runs. <see cref="OnnxModelOptions.OnnxVariant"/>
/// null loads <c>model.onnx</c> (else <c>decoder_model_merged.onnx</c>); a variant such as <c>q4</c> loads
/// <c>model_q4.onnx</c> (in the folder or its <c>onnx/</c> subfolder).
/// </summary>
public sealed class CausalLanguageModelOptions : LanguageModelOptions
{
}
