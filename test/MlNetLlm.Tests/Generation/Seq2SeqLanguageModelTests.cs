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
    public void Batched_case_equals_reference_and_each_input_alone()
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
    public void Encoder_states_and_first_decoder_logits_match_reference()
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
}
