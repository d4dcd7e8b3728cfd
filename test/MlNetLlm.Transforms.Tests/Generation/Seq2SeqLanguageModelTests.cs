using System.Text.Json;

namespace MlNetLlm.Tests.Generation;

public sealed class Seq2SeqLanguageModelTests(TinyT5Fixture fixture) : IClassFixture<TinyT5Fixture>
{
    private readonly Seq2SeqLanguageModel _model = fixture.Model;

    private static JsonElement Case(int i) => TinyT5Fixture.Reference.GetProperty("cases")[i];

    /// <summary>The reference's generated ids without the final eos (GenerateIds returns new ids without eos).</summary>
    private static int[] ExpectedIds(JsonElement c)
    {
        var ids = TinyT5Fixture.Ints(c.GetProperty("generated_ids"));
        return c.GetProperty("stopped_by").GetString() == "eos" ? ids[..^1] : ids;
    }

    [Theory]
    [MemberData(nameof(TinyT5Fixture.CaseIndices), MemberType = typeof(TinyT5Fixture))]
    public void Greedy_generation_matches_transformersjs_ids_and_text(int index)
    {
        var c = Case(index);
        var text = c.GetProperty("text").GetString()!;

        Assert.Equal(TinyT5Fixture.Ints(c.GetProperty("input_ids")), _model.Tokenizer.Encode(text).Ids);
        Assert.Equal(ExpectedIds(c), _model.GenerateIds(text, TinyT5Fixture.Greedy));
        Assert.Equal(c.GetProperty("generated_text").GetString(), _model.Generate(text, TinyT5Fixture.Greedy));
    }

    [Fact]
    public void GenerateBatch_ReferenceCase_EqualsReferenceAndEachInputAlone()
    {
        var batched = TinyT5Fixture.Reference.GetProperty("batched");
        var texts = batched.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToArray();
        var expected = batched.GetProperty("generated_ids").EnumerateArray().Select(TinyT5Fixture.Ints).ToArray();

        var ids = _model.GenerateIds(texts, TinyT5Fixture.Greedy);
        var generated = _model.Generate(texts, TinyT5Fixture.Greedy);

        for (int r = 0; r < texts.Length; r++)
        {
            Assert.Equal(expected[r][..^1], ids[r]);
            Assert.Equal(_model.GenerateIds(texts[r], TinyT5Fixture.Greedy), ids[r]);
            Assert.Equal(batched.GetProperty("generated_text")[r].GetString(), generated[r]);
        }
    }

    [Fact]
    public void FirstStep_EncoderStatesAndDecoderLogits_MatchReference()
    {
        var first = TinyT5Fixture.Reference.GetProperty("first_case");
        var encoder = first.GetProperty("encoder_last_hidden_state");
        var step = first.GetProperty("first_decoder_step");

        var (states, logits) = _model.FirstStep(first.GetProperty("text").GetString()!);

        var shape = TinyT5Fixture.Ints(encoder.GetProperty("shape"));
        Assert.Equal(shape.Aggregate(1, (a, b) => a * b), states.Length);
        var expectedStates = encoder.GetProperty("first16").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        for (int i = 0; i < expectedStates.Length; i++) Assert.Equal(expectedStates[i], states[i], 1e-4f);

        Assert.Equal(TinyT5Fixture.Ints(step.GetProperty("logits_shape"))[2], logits.Length);
        var expectedLogits = step.GetProperty("logits_first16").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        for (int i = 0; i < expectedLogits.Length; i++) Assert.Equal(expectedLogits[i], logits[i], 1e-4f);
        Assert.Equal(step.GetProperty("argmax").GetInt32(), System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits));
        Assert.Equal(step.GetProperty("max_logit").GetSingle(), logits.Max(), 1e-4f);
    }

    [Fact]
    public void FromDirectory_ReadsConfigurationAndTaskPrefixes()
    {
        Assert.Equal("t5", _model.ModelType);
        Assert.Equal(0, _model.DecoderStartTokenId);
        Assert.Equal([1], _model.EosTokenIds);
        Assert.Equal("summarize: ", _model.TaskPrefixes["summarization"]);
        Assert.Equal("CPU", _model.Device);
    }

    [Fact]
    public void Sampling_WithASeed_IsReproducibleSeedsDifferAndTopKOneOrTinyTopPIsGreedy()
    {
        var text = Case(0).GetProperty("text").GetString()!;
        GenerationOptions Sample(int seed, int topK = 0) => new() { MaxNewTokens = 32, DoSample = true, Temperature = 2f, TopK = topK, Seed = seed };

        var a = _model.GenerateIds(text, Sample(7));
        Assert.Equal(a, _model.GenerateIds(text, Sample(7)));
        Assert.NotEqual(a, _model.GenerateIds(text, Sample(8)));
        Assert.NotEqual(ExpectedIds(Case(0)), a);
        Assert.Equal(ExpectedIds(Case(0)), _model.GenerateIds(text, Sample(7, topK: 1)));
        // Top-p so small that only the most likely token is kept is greedy too.
        Assert.Equal(ExpectedIds(Case(0)), _model.GenerateIds(text, new GenerationOptions { MaxNewTokens = 32, DoSample = true, TopP = 1e-6f, Seed = 3 }));
    }

    [Fact]
    public void StopSequence_InReferenceText_CutsTheTextBeforeIt()
    {
        var c = Case(0);
        var expected = c.GetProperty("generated_text").GetString()!;
        var text = _model.Generate(c.GetProperty("text").GetString()!, new GenerationOptions { MaxNewTokens = 32, StopSequences = ["charming"] });
        Assert.Equal(expected[..expected.IndexOf("charming", StringComparison.Ordinal)], text);
    }

    [Fact]
    public void RepetitionPenalty_LoopingCase_BreaksTheLoop()
    {
        var c = Case(1);
        Assert.Equal("max_new_tokens", c.GetProperty("stopped_by").GetString());
        var penalized = _model.GenerateIds(c.GetProperty("text").GetString()!, new GenerationOptions { MaxNewTokens = 32, RepetitionPenalty = 3f });
        var looping = ExpectedIds(c);
        // The first token is unaffected (only the start token has been seen); the loop's repeated tokens are not repeated.
        Assert.Equal(looping[0], penalized[0]);
        Assert.NotEqual(looping, penalized);
        Assert.True(penalized.Count(t => t == 18337) < looping.Count(t => t == 18337));
    }

    [Fact]
    public async Task GenerateStreaming_Pieces_ConcatenateToTheGeneratedText()
    {
        foreach (var index in new[] { 0, 5 })
        {
            var c = Case(index);
            var pieces = new List<string>();
            await foreach (var piece in _model.GenerateStreamingAsync(c.GetProperty("text").GetString()!, TinyT5Fixture.Greedy))
                pieces.Add(piece);
            Assert.True(pieces.Count > 1);
            Assert.Equal(c.GetProperty("generated_text").GetString(), string.Concat(pieces));
        }
    }

    [Fact]
    public void ScoreCompletions_Targets_AreScoredWithEosBatchedLikeAloneAndGreedyOutputScoresHighest()
    {
        var c = Case(0);
        var input = c.GetProperty("text").GetString()!;
        var output = c.GetProperty("generated_text").GetString()!;
        string[] targets = [output, string.Join(' ', output.Split(' ').Reverse()), "the", ""];

        var scores = _model.ScoreCompletions(input, targets);

        Assert.Equal(targets.Length, scores.Count);
        for (int i = 0; i < targets.Length; i++)
        {
            Assert.True(scores[i] < 0);
            Assert.Equal(_model.ScoreCompletions(input, [targets[i]])[0], scores[i], 4);
        }
        Assert.True(scores[0] > scores[1]);
        // Greedy decoding picked every token of the output, so its per-token log-probability beats a reordering.
        Assert.True(scores[0] / _model.Tokenizer.Encode(targets[0]).Count > scores[1] / _model.Tokenizer.Encode(targets[1]).Count);
    }
}
