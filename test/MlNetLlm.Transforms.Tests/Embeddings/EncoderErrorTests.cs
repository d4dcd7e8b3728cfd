using System.Text.Json.Nodes;

namespace MlNetLlm.Tests.Embeddings;

/// <summary>Every way an encoder folder can be wrong gives an error that names what was expected and what was found.</summary>
public class EncoderErrorTests
{
    [Fact]
    public void MissingOnnxFile_NamesFolderAndCandidates()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        Directory.Delete(scratch.PathOf("onnx"), recursive: true);
        var ex = Assert.Throws<FileNotFoundException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory));
        Assert.Contains(scratch.Directory, ex.Message);
        Assert.Contains("onnx/model.onnx, model.onnx", ex.Message);
    }

    [Fact]
    public void UnexpectedInputNames_AreNamed()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        scratch.WriteCastModel(["ids", "mask"], "last_hidden_state");
        var ex = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory));
        Assert.Contains("[ids, mask]", ex.Message);
        Assert.Contains("input_ids, attention_mask", ex.Message);
    }

    [Fact]
    public void ExtraDecoderInput_IsNamed()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        scratch.WriteCastModel(["input_ids", "attention_mask", "position_ids"], "last_hidden_state");
        var ex = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory));
        Assert.Contains("[position_ids]", ex.Message);
    }

    [Fact]
    public void WrongOutputShape_IsNamed()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        scratch.WriteCastModel(["input_ids", "attention_mask"], "last_hidden_state");
        var ex = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory));
        Assert.Contains("'last_hidden_state' is Single with 2 dimensions [-1, -1]; expected Single with 3 dimensions", ex.Message);
    }

    [Fact]
    public void WrongOutputName_IsNamed()
    {
        var ex = Assert.Throws<InvalidDataException>(() => TextClassificationModel.FromDirectory(TestAssets.Model("tiny-bert-embed")));
        Assert.Contains("has outputs [last_hidden_state]; expected one of [logits]", ex.Message);
        ex = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-sst2")));
        Assert.Contains("has outputs [logits]; expected one of [last_hidden_state, token_embeddings]", ex.Message);
    }

    [Fact]
    public void ConfigVocabularySmallerThanTokenizer_IsRejected()
    {
        using var scratch = new ScratchModel("tiny-bert-embed");
        var config = JsonNode.Parse(File.ReadAllText(scratch.PathOf("config.json")))!;
        config["vocab_size"] = 1000;
        File.WriteAllText(scratch.PathOf("config.json"), config.ToJsonString());
        var ex = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(scratch.Directory));
        Assert.Contains("vocab_size 1000 is smaller than the tokenizer's vocabulary (30522 tokens)", ex.Message);
    }

    [Fact]
    public void MaxLengthAboveModelLimit_IsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"), new TextEmbeddingOptions { MaxLength = 129 }));
        Assert.Contains("model's limit 128", ex.Message);
    }

    [Fact]
    public void GpuOnCpuOnlyMachine_FallsBackOrThrows()
    {
        var dir = TestAssets.Model("tiny-bert-sst2");
        using (var model = TextClassificationModel.FromDirectory(dir, new TextClassificationOptions { GpuDeviceId = 0 }))
        {
            Assert.Equal("CPU", model.Device);
            Assert.Equal("POSITIVE", model.Classify("a charming and affecting journey").Label);
        }
        using (var model = TextEmbeddingModel.FromDirectory(TestAssets.Model("tiny-bert-embed"), new TextEmbeddingOptions { GpuDeviceId = 0 }))
            Assert.Equal("CPU", model.Device);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            TextClassificationModel.FromDirectory(dir, new TextClassificationOptions { GpuDeviceId = 0, FallbackToCpu = false }));
        Assert.Contains("GPU device 0", ex.Message);
    }
}
