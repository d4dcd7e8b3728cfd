using Microsoft.ML.Data;
using Microsoft.ML;
using MlNetLlm.Onnx;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Adds a known-size vector of <see cref="TextEmbeddingModel.Dimension"/> floats computed from a text column.
/// Created by <c>mlContext.Transforms.Text.EmbedText</c>. Dispose it to release a model it loaded (see <see cref="TextModelTransformer.OwnsModel"/>).
/// </summary>
public sealed class TextEmbeddingTransformer : TextModelTransformer<TextEmbeddingModel>, IPersistentTransformer
{
    internal TextEmbeddingTransformer(TextEmbeddingModel model, bool ownsModel, string outputColumnName, string inputColumnName)
        : base(new EmbeddingMapper(model, inputColumnName, outputColumnName), model, ownsModel)
    {
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
    }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The embedding column added.</summary>
    public string OutputColumnName { get; }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        writer.Set("input", InputColumnName);
        writer.Set("output", OutputColumnName);
        writer.Set("pooling", Model.Pooling.ToString());
        writer.Set("normalize", Model.Normalize);
        Model.Runner.SaveStep(writer);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader)
    {
        var options = new TextEmbeddingOptions
        {
            Pooling = reader.GetEnum<EmbeddingPooling>("pooling"),
            Normalize = reader.RequireBool("normalize"),
        };
        var folder = EncoderRunner.LoadStep(reader, options);
        return new TextEmbeddingTransformer(TextEmbeddingModel.FromDirectory(folder, options), true, reader.RequireString("output"), reader.RequireString("input"));
    }

    private sealed class EmbeddingMapper(TextEmbeddingModel model, string input, string output) : IBatchMapper
    {
        public IReadOnlyList<string> InputColumns { get; } = [input];

        public IReadOnlyList<OutputColumn> OutputColumns { get; } = [new(output, new VectorDataViewType(NumberDataViewType.Single, model.Dimension))];

        public int BatchSize => model.BatchSize * EncoderRunner.BatchesPerMapperCall;

        public void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs)
        {
            var vectors = model.Embed(inputs.Select(row => row[0]).ToArray());
            for (int r = 0; r < vectors.Length; r++) outputs[r][0] = new VBuffer<float>(vectors[r].Length, vectors[r]);
        }
    }
}
