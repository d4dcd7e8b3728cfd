using MlNetLlm.Onnx;
using MlNetLlm.Persistence;

namespace MlNetLlm.Generation;

/// <summary>Loads the right <see cref="ILanguageModel"/> for a folder: encoder-decoder or decoder-only, as its config.json says.</summary>
internal static class LanguageModelLoader
{
    /// <summary>
    /// A <see cref="Seq2SeqLanguageModel"/> when config.json marks an encoder-decoder model (<c>is_encoder_decoder</c>, or a
    /// T5/BART-family <c>model_type</c>), else a <see cref="CausalLanguageModel"/>. <paramref name="options"/> must suit that family.
    /// </summary>
    public static IPipelineLanguageModel Load(string directory, LanguageModelOptions? options)
    {
        directory = ModelFolder.RequireDirectory(directory);
        bool encoderDecoder = ModelConfig.Load(directory).IsEncoderDecoder;
        return (encoderDecoder, options) switch
        {
            (true, null or Seq2SeqLanguageModelOptions) => Seq2SeqLanguageModel.FromDirectory(directory, (Seq2SeqLanguageModelOptions?)options),
            (false, null or CausalLanguageModelOptions) => CausalLanguageModel.FromDirectory(directory, (CausalLanguageModelOptions?)options),
            _ => throw new ArgumentException(
                $"'{directory}' holds {(encoderDecoder ? "an encoder-decoder" : "a decoder-only")} model (config.json), but modelOptions is a " +
                $"{options!.GetType().Name}; pass a {(encoderDecoder ? nameof(Seq2SeqLanguageModelOptions) : nameof(CausalLanguageModelOptions))}.",
                "modelOptions"),
        };
    }

    /// <summary>
    /// As <see cref="Load(string, LanguageModelOptions?)"/> for an existing folder or a Hugging Face hub id: the family
    /// comes from <paramref name="options"/>'s type, else from the repository's config.json (fetched first, with the
    /// tokenizer), and only that family's files are downloaded.
    /// </summary>
    public static IPipelineLanguageModel FromPretrained(string idOrPath, LanguageModelOptions? options, HubOptions hub)
    {
        var variant = options?.OnnxVariant;
        bool encoderDecoder = options is Seq2SeqLanguageModelOptions
            || options is null && ModelConfig.Load(HuggingFaceHub.DownloadModel(idOrPath, [HubFiles.Tokenizer], ["config.json"], hub)).IsEncoderDecoder;
        var family = encoderDecoder ? ModelFamily.EncoderDecoder : ModelFamily.CausalLanguageModel;
        var folder = HuggingFaceHub.DownloadFamily(idOrPath, family, variant, hub);
        return Load(folder, options);
    }

    /// <summary>
    /// <paramref name="model"/> as the pipeline transforms use it; an <see cref="ILanguageModel"/> other than
    /// <see cref="CausalLanguageModel"/> and <see cref="Seq2SeqLanguageModel"/> is an <see cref="ArgumentException"/> naming <paramref name="paramName"/>.
    /// </summary>
    public static IPipelineLanguageModel RequirePipelineModel(ILanguageModel model, string paramName) =>
        model as IPipelineLanguageModel ?? throw new ArgumentException(
            $"'{paramName}' must be a {nameof(CausalLanguageModel)} or a {nameof(Seq2SeqLanguageModel)}; got a {model.GetType().Name}.", paramName);

    /// <summary>Reloads the model a pipeline step saved with <see cref="Save"/>: the family from the saved config.json, then its options.</summary>
    public static IPipelineLanguageModel Load(PipelineStepReader reader)
    {
        var folder = reader.RequireFolder();
        return ModelConfig.Load(folder).IsEncoderDecoder
            ? Seq2SeqLanguageModel.FromDirectory(folder, reader.Get<Seq2SeqLanguageModelOptions>("modelOptions"))
            : CausalLanguageModel.FromDirectory(folder, reader.Get<CausalLanguageModelOptions>("modelOptions"));
    }

    /// <summary>Saves <paramref name="model"/>'s options and files into a pipeline step.</summary>
    public static void Save(IPipelineLanguageModel model, PipelineStepWriter writer)
    {
        writer.Set("modelOptions", model.Options);
        writer.AddFolderFiles(model.Directory, model.FileNames);
    }
}
