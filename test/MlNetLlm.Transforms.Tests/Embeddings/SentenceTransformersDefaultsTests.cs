namespace MlNetLlm.Tests.Embeddings;

/// <summary>Defaults a sentence-transformers folder sets for itself.</summary>
public class SentenceTransformersDefaultsTests
{
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("a charming and often affecting journey", 12));

    [Fact]
    public void MaxSeqLength_FromSentenceBertConfig_IsTheDefaultMaxLength()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        File.WriteAllText(scratch.PathOf("sentence_bert_config.json"), """{"max_seq_length": 16, "do_lower_case": false}""");

        using var withDefault = TextEmbeddingModel.FromDirectory(scratch.Directory);
        using var explicit16 = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"), new TextEmbeddingOptions { MaxLength = 16 });
        using var plain = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"));

        Assert.Equal(16, withDefault.MaxLength);
        Assert.Equal(128, plain.MaxLength);
        Assert.Equal(explicit16.Embed(LongText), withDefault.Embed(LongText));
        Assert.NotEqual(plain.Embed(LongText), withDefault.Embed(LongText));
    }

    [Fact]
    public void ExplicitMaxLength_MayExceedTheSentenceTransformersDefault_UpToTheModelLimit()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        File.WriteAllText(scratch.PathOf("sentence_bert_config.json"), """{"max_seq_length": 16}""");
        using var model = TextEmbeddingModel.FromDirectory(scratch.Directory, new TextEmbeddingOptions { MaxLength = 64 });
        Assert.Equal(64, model.MaxLength);
        Assert.Throws<ArgumentOutOfRangeException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory, new TextEmbeddingOptions { MaxLength = 129 }));
    }
}
