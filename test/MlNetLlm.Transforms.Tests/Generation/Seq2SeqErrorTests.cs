using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Generation;

public sealed class Seq2SeqErrorTests(TinyT5Fixture fixture) : IClassFixture<TinyT5Fixture>
{
    private readonly Seq2SeqLanguageModel _model = fixture.Model;

    [Fact]
    public void FromDirectory_NoDecoder_FailsNamingTheFolderAndTheFilesTried()
    {
        using var scratch = new ScratchModel("tiny-t5");
        File.Delete(scratch.PathOf("onnx/decoder_model_merged.onnx"));

        var error = Assert.Throws<FileNotFoundException>(() => Seq2SeqLanguageModel.FromDirectory(scratch.Directory));
        Assert.Contains(scratch.Directory, error.Message);
        Assert.Contains("onnx/decoder_model_merged.onnx", error.Message);
    }

    [Fact]
    public void FromDirectory_NoEncoder_FailsNamingTheFolderAndTheFilesTried()
    {
        using var scratch = new ScratchModel("tiny-t5");
        File.Delete(scratch.PathOf("onnx/encoder_model.onnx"));

        var error = Assert.Throws<FileNotFoundException>(() => Seq2SeqLanguageModel.FromDirectory(scratch.Directory));
        Assert.Contains(scratch.Directory, error.Message);
        Assert.Contains("onnx/encoder_model.onnx", error.Message);
    }

    [Fact]
    public void FromDirectory_HalfANonMergedDecoderPair_FailsNamingTheMissingHalf()
    {
        using var scratch = new ScratchModel("tiny-t5");
        File.Move(scratch.PathOf("onnx/decoder_model_merged.onnx"), scratch.PathOf("onnx/decoder_model.onnx"));

        var error = Assert.Throws<FileNotFoundException>(() => Seq2SeqLanguageModel.FromDirectory(scratch.Directory));
        Assert.Contains("decoder_with_past_model.onnx", error.Message);
        Assert.Contains("decoder_model.onnx", error.Message);
    }

    [Fact]
    public void FromDirectory_DecoderNotFittingTheEncoderHiddenSize_FailsNamingBothFiles()
    {
        using var scratch = new ScratchModel("tiny-t5");
        // An "encoder" whose last_hidden_state is 1 wide; the decoder expects encoder_hidden_states 64 wide.
        scratch.WriteCastModel(["input_ids", "attention_mask"], "last_hidden_state", hiddenAxis: true, relativePath: "onnx/encoder_model.onnx");

        var error = Assert.Throws<InvalidDataException>(() => Seq2SeqLanguageModel.FromDirectory(scratch.Directory));
        Assert.Contains("encoder_hidden_states of width 64", error.Message);
        Assert.Contains("last_hidden_state of width 1", error.Message);
        Assert.Contains("encoder_model.onnx", error.Message);
        Assert.Contains("decoder_model_merged.onnx", error.Message);
    }

    [Fact]
    public void FromDirectory_EncoderInTheDecoderSlot_FailsNamingTheMissingInputs()
    {
        using var scratch = new ScratchModel("tiny-t5");
        File.Copy(scratch.PathOf("onnx/encoder_model.onnx"), scratch.PathOf("onnx/decoder_model_merged.onnx"), overwrite: true);

        var error = Assert.Throws<InvalidDataException>(() => Seq2SeqLanguageModel.FromDirectory(scratch.Directory));
        Assert.Contains("decoder_model_merged.onnx", error.Message);
        Assert.Contains("encoder_hidden_states", error.Message);
    }

    [Fact]
    public void Generate_EmptyInput_IsEncodedAsTheTokenizerDoesAndGeneratesLikeAnyRow()
    {
        Assert.Equal([1], _model.Tokenizer.Encode("").Ids);
        var (states, _) = _model.FirstStep("");
        Assert.Equal(64, states.Length);

        var alone = _model.GenerateIds("", TinyT5Fixture.Greedy);
        var batched = _model.GenerateIds(["", "summarize: a charming journey ."], TinyT5Fixture.Greedy);
        Assert.Equal(alone, batched[0]);
        Assert.Equal(_model.Tokenizer.Decode(alone), _model.Generate("", TinyT5Fixture.Greedy));
    }

    [Fact]
    public void Generate_InputLongerThanTheLimit_KeepsItsFirstTokensAndTheFinalEos()
    {
        Assert.Equal(512, _model.MaxInputLength);
        var longText = string.Join(" ", Enumerable.Repeat("it 's a charming and often affecting journey .", 60));
        Assert.True(_model.Tokenizer.Encode(longText).Count > 512);
        Assert.Equal(512 * 64, _model.FirstStep(longText).EncoderStates.Length);

        using var short19 = Seq2SeqLanguageModel.FromDirectory(TinyT5Fixture.Directory, new Seq2SeqLanguageModelOptions { MaxInputLength = 19 });
        var text = TinyT5Fixture.Reference.GetProperty("cases")[6].GetProperty("text").GetString()!;
        var ids = short19.Tokenizer.Encode(text).Ids;
        var head = short19.Tokenizer.Decode(ids[..18]);
        Assert.Equal([.. ids[..18], 1], short19.Tokenizer.Encode(head).Ids); // the first 18 tokens re-encode as themselves, then </s>

        Assert.Equal(19 * 64, short19.FirstStep(text).EncoderStates.Length);
        Assert.Equal(_model.GenerateIds(head, TinyT5Fixture.Greedy), short19.GenerateIds(text, TinyT5Fixture.Greedy));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void MaxNewTokens_not_positive_fails_naming_the_option(int maxNewTokens)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _model.Generate("summarize: hello", new GenerationOptions { MaxNewTokens = maxNewTokens }));
        Assert.Equal(nameof(GenerationOptions.MaxNewTokens), error.ParamName);
    }

    [Fact]
    public void Generate_BadOptions_FailNamingTheOption()
    {
        var task = Assert.Throws<ArgumentException>(() => Seq2SeqLanguageModel.FromDirectory(TinyT5Fixture.Directory, new Seq2SeqLanguageModelOptions { Task = "translation" }));
        Assert.Equal(nameof(Seq2SeqLanguageModelOptions.Task), task.ParamName);
        Assert.Contains("summarization", task.Message);

        var length = Assert.Throws<ArgumentOutOfRangeException>(() => Seq2SeqLanguageModel.FromDirectory(TinyT5Fixture.Directory, new Seq2SeqLanguageModelOptions { MaxInputLength = 0 }));
        Assert.Equal(nameof(Seq2SeqLanguageModelOptions.MaxInputLength), length.ParamName);

        var empty = Assert.Throws<ArgumentException>(() => _model.Generate(Array.Empty<string>()));
        Assert.Equal("inputs", empty.ParamName);
    }
}
