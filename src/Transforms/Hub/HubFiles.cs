using MlNetLlm.Onnx;

namespace MlNetLlm;

/// <summary>
/// The files each kind of model needs from a hub repository, for <see cref="HuggingFaceHub.DownloadModel"/>, as the
/// model families define them (the same description the loaders and <c>SavePipeline</c> read). An entry may have
/// alternatives (see <see cref="HubFile"/>).
/// </summary>
public static class HubFiles
{
    /// <summary>Any one tokenizer format: <c>tokenizer.json</c>, WordPiece <c>vocab.txt</c>, or BPE <c>vocab.json</c> + <c>merges.txt</c>.</summary>
    public static HubFile Tokenizer { get; } = HubFile.Of("tokenizer.json").Or("vocab.txt").Or("vocab.json", "merges.txt");

    /// <summary>Files that refine a tokenizer when present: its settings, special tokens and a SentencePiece model.</summary>
    public static IReadOnlyList<HubFile> TokenizerOptional { get; } =
        ["tokenizer_config.json", "special_tokens_map.json", HubFile.Of("tokenizer.model").Or("spiece.model").Or("sentencepiece.bpe.model")];

    /// <summary>
    /// An encoder (embedding or classification model exported to ONNX): <c>config.json</c>, a <see cref="Tokenizer"/>
    /// and the <see cref="Onnx"/> model.
    /// </summary>
    /// <param name="onnxVariant">Null for <c>model.onnx</c>, or a variant such as <c>quantized</c> for <c>model_quantized.onnx</c>.</param>
    public static IReadOnlyList<HubFile> Encoder(string? onnxVariant = null) => ModelFamily.Encoder.HubRequired(onnxVariant);

    /// <summary>Optional encoder files: tokenizer extras, sentence-transformers module, pooling and length settings, ONNX external data.</summary>
    /// <param name="onnxVariant">The same variant as given to <see cref="Encoder"/>.</param>
    public static IReadOnlyList<HubFile> EncoderOptional(string? onnxVariant = null) => ModelFamily.Encoder.HubOptional(onnxVariant);

    /// <summary>A causal language model: a <see cref="Tokenizer"/> and an ONNX decoder (<see cref="Onnx"/>, else <c>decoder_model_merged.onnx</c>, of the variant).</summary>
    /// <param name="onnxVariant">Null for <c>model.onnx</c>, or a variant such as <c>q4</c> for <c>model_q4.onnx</c> / <c>decoder_model_merged_q4.onnx</c>.</param>
    public static IReadOnlyList<HubFile> CausalLanguageModel(string? onnxVariant = null) => ModelFamily.CausalLanguageModel.HubRequired(onnxVariant);

    /// <summary>Optional causal language model files: <c>config.json</c>, <c>generation_config.json</c>, tokenizer extras, ONNX external data.</summary>
    /// <param name="onnxVariant">The same variant as given to <see cref="CausalLanguageModel"/>.</param>
    public static IReadOnlyList<HubFile> CausalLanguageModelOptional(string? onnxVariant = null) => ModelFamily.CausalLanguageModel.HubOptional(onnxVariant);

    /// <summary>
    /// An encoder-decoder model (T5, BART, …): <c>config.json</c>, a <see cref="Tokenizer"/>, <c>encoder_model.onnx</c> and
    /// <c>decoder_model_merged.onnx</c>, else the pair <c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c> (in <c>onnx/</c> or at the top).
    /// </summary>
    /// <param name="onnxVariant">Null for the fp32 files, or a variant such as <c>quantized</c> for <c>encoder_model_quantized.onnx</c> and <c>decoder_model_merged_quantized.onnx</c>.</param>
    public static IReadOnlyList<HubFile> Seq2SeqLanguageModel(string? onnxVariant = null) => ModelFamily.EncoderDecoder.HubRequired(onnxVariant);

    /// <summary>Optional encoder-decoder files: <c>generation_config.json</c>, tokenizer extras, ONNX external data.</summary>
    /// <param name="onnxVariant">The same variant as given to <see cref="Seq2SeqLanguageModel"/>.</param>
    public static IReadOnlyList<HubFile> Seq2SeqLanguageModelOptional(string? onnxVariant = null) => ModelFamily.EncoderDecoder.HubOptional(onnxVariant);

    /// <summary>The ONNX model, in <c>onnx/</c> or at the top: <c>onnx/model.onnx | model.onnx</c>, or <c>model_{onnxVariant}.onnx</c>.</summary>
    /// <param name="onnxVariant">Null for <c>model.onnx</c>, or a variant such as <c>quantized</c>, <c>fp16</c> or <c>q4</c>.</param>
    public static HubFile Onnx(string? onnxVariant = null) => ModelFamily.Encoder.HubRequired(onnxVariant)[^1];
}
