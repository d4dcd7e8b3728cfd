namespace MlNetLlm;

/// <summary>
/// Settings shared by the encoder models (<see cref="TextEmbeddingModel"/>, <see cref="TextClassificationModel"/>,
/// <see cref="CrossEncoderModel"/>): the <see cref="OnnxModelOptions"/> plus the token limit. <see cref="OnnxModelOptions.OnnxVariant"/>
/// selects <c>model_{variant}.onnx</c>; <see cref="OnnxModelOptions.BatchSize"/> is texts per ONNX run (default 32, each batch padded
/// to its longest text, not to <see cref="MaxLength"/>).
/// </summary>
public abstract class EncoderOptions : OnnxModelOptions
{
    private protected EncoderOptions()
        : base(batchSize: 32)
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
}
