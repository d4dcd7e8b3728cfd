namespace MlNetLlm;

/// <summary>
/// Where and how a <see cref="Seq2SeqLanguageModel"/> runs and how it reads its input.
/// <see cref="OnnxModelOptions.OnnxVariant"/> null loads <c>encoder_model.onnx</c> and <c>decoder_model_merged.onnx</c>;
/// a variant such as <c>quantized</c> loads <c>encoder_model_quantized.onnx</c> and <c>decoder_model_merged_quantized.onnx</c>
/// (in the folder or its <c>onnx/</c> subfolder).
/// </summary>
public sealed class Seq2SeqLanguageModelOptions : LanguageModelOptions
{
    /// <summary>
    /// Longest input fed to the encoder, in tokens with the final <c>&lt;/s&gt;</c>; a longer input keeps its first
    /// <c>MaxInputLength - 1</c> tokens and the final special token, as Hugging Face's <c>truncation=True</c> does.
    /// Null (default): the tokenizer's <c>model_max_length</c>, else config.json <c>n_positions</c> /
    /// <c>max_position_embeddings</c>, else 512.
    /// </summary>
    public int? MaxInputLength { get; set; }

    /// <summary>
    /// A task of config.json <c>task_specific_params</c> (e.g. <c>summarization</c>, <c>translation_en_to_de</c>) whose
    /// <c>prefix</c> (e.g. <c>"summarize: "</c>) is put before every input, as the Hugging Face pipeline for that task does.
    /// Null (default): inputs are fed as they are. See <see cref="Seq2SeqLanguageModel.TaskPrefixes"/>.
    /// </summary>
    public string? Task { get; set; }
}
