using Microsoft.Extensions.AI;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Interop;

/// <summary>TextEmbeddingModel through Microsoft.Extensions.AI's IEmbeddingGenerator.</summary>
public class EmbeddingGeneratorTests
{
    [Fact]
    public async Task GenerateAsync_ReturnsTheSameVectorsAsEmbed_AcrossBatches()
    {
        using var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir, new TextEmbeddingOptions { BatchSize = 3 });
        IEmbeddingGenerator<string, Embedding<float>> generator = model.AsIEmbeddingGenerator();
        var texts = TextEmbeddingModelTests.ReferenceCases().Select(c => c.Text).Take(10).ToArray();

        var embeddings = await generator.GenerateAsync(texts);

        Assert.Equal(texts.Length, embeddings.Count);
        var direct = model.Embed(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(direct[i], embeddings[i].Vector.ToArray());
            Assert.Equal("tiny-bert-embed", embeddings[i].ModelId);
        }
        Assert.Equal(model.Embed(texts[4]), (await generator.GenerateVectorAsync(texts[4])).ToArray());
    }

    [Fact]
    public void Metadata_NamesProviderModelAndDimension()
    {
        using var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir);
        using var generator = model.AsIEmbeddingGenerator();

        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("MlNetLlm", metadata.ProviderName);
        Assert.Equal("tiny-bert-embed", metadata.DefaultModelId);
        Assert.Equal(64, metadata.DefaultModelDimensions);
        Assert.Same(model, generator.GetService<TextEmbeddingModel>());
    }

    [Fact]
    public async Task GenerateAsync_StopsBetweenBatches_WhenCancelled()
    {
        using var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir, new TextEmbeddingOptions { BatchSize = 2 });
        using var generator = model.AsIEmbeddingGenerator();
        using var cts = new CancellationTokenSource();
        int pulled = 0;
        IEnumerable<string> Texts()
        {
            for (int i = 0; i < 10; i++)
            {
                if (++pulled == 3) cts.Cancel(); // during the second batch
                yield return $"text {i}";
            }
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(Texts(), cancellationToken: cts.Token));
        Assert.True(pulled <= 4, $"{pulled} texts were read after cancellation");
    }

    [Fact]
    public async Task GenerateAsync_RejectsAnotherDimension()
    {
        using var model = TextEmbeddingModel.FromDirectory(TextEmbeddingModelTests.ModelDir);
        using var generator = model.AsIEmbeddingGenerator();
        await Assert.ThrowsAsync<NotSupportedException>(() => generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 32 }));
    }
}
