using System.Text.Json;
using Microsoft.ML;
using Microsoft.Extensions.AI;
using static MlNetLlm.Tests.Generation.DecoderModelsFixture;

namespace MlNetLlm.Tests.Generation;

/// <summary>
/// tiny-gpt2 and tiny-qwen2 against every case of their reference_generation.json (transformers.js 4.3.1, greedy, checked
/// token for token against PyTorch): prompt ids, generated ids and text, first-step logits, the left-padded batch and the chat.
/// </summary>
public sealed class DecoderReferenceTests(DecoderModelsFixture models) : IClassFixture<DecoderModelsFixture>
{
    private const float LogitTolerance = 1e-4f;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { Gpt2, Qwen2 })
            foreach (var c in Reference(model).GetProperty("cases").EnumerateArray())
                data.Add(model, c.GetProperty("name").GetString()!);
        return data;
    }

    public static TheoryData<string> Models => [Gpt2, Qwen2];

    /// <summary>The reference's new ids without the eos that ends them (ours never include it).</summary>
    private static int[] WithoutEos(JsonElement c) =>
        Ints(c.GetProperty("generated_ids")) is var ids && c.GetProperty("stopped_on_eos").GetBoolean() ? ids[..^1] : ids;

    private static GenerationOptions Greedy(JsonElement c) =>
        new() { MaxNewTokens = c.GetProperty("new_tokens").GetInt32(), DoSample = false };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greedy_ids_and_text_match_the_reference(string model, string name)
    {
        var c = Case(model, name);
        var lm = models[model];
        var prompt = c.GetProperty("prompt").GetString()!;

        Assert.Equal(Ints(c.GetProperty("prompt_ids")), lm.Tokenizer.Encode(prompt).Ids);
        Assert.Equal(WithoutEos(c), lm.GenerateIds(prompt, Greedy(c)));
        var text = lm.Generate(prompt, Greedy(c));
        Assert.Equal(c.GetProperty("generated_text").GetString(), text);
        Assert.Equal(c.GetProperty("pipeline_generated_text").GetString(), prompt + text);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void First_step_logits_match_the_reference(string model, string name)
    {
        var c = Case(model, name);
        var expected = c.GetProperty("first_step_logits");

        var logits = models[model].NextTokenLogits(Ints(c.GetProperty("prompt_ids")));

        AssertLogits(expected, logits);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Left_padded_batch_matches_the_reference_and_each_prompt_alone(string model)
    {
        var batch = Reference(model).GetProperty("batched");
        var prompts = batch.GetProperty("prompts").EnumerateArray().Select(p => p.GetString()!).ToArray();
        var options = new GenerationOptions { MaxNewTokens = batch.GetProperty("raw_steps").GetInt32(), DoSample = false };
        var lm = models[model];

        var ids = lm.GenerateIds(prompts, options);
        var texts = lm.Generate(prompts, options);

        // The prompts really are of different lengths, so the batch pads (13 and 23 pads).
        Assert.Equal(3, prompts.Select(p => lm.Tokenizer.Encode(p).Ids.Length).Distinct().Count());
        var expectedIds = batch.GetProperty("generated_ids").EnumerateArray().ToArray();
        var expectedTexts = batch.GetProperty("generated_text").EnumerateArray().ToArray();
        for (int i = 0; i < prompts.Length; i++)
        {
            var reference = Ints(expectedIds[i]);
            int eos = Array.FindIndex(reference, lm.EosTokenIds.Contains);
            Assert.Equal(eos < 0 ? reference : reference[..eos], ids[i]);
            Assert.Equal(expectedTexts[i].GetString(), texts[i]);
            Assert.Equal(lm.GenerateIds(prompts[i], options), ids[i]);
        }
    }

    [Fact]
    public void FromDirectory_BothModels_ReadTheirEosIdsAndContextLength()
    {
        Assert.Equal([50256, 50258], models[Qwen2].EosTokenIds.Order());
        Assert.Equal([50256], models[Gpt2].EosTokenIds);
        Assert.Equal(256, models[Qwen2].ContextLength);
        Assert.Equal(256, models[Gpt2].ContextLength);
    }

    [Fact]
    public void Qwen2Batch_RowStoppingOnImEnd_KeepsEveryRowEqualToItsReference()
    {
        var reference = Reference(Qwen2);
        var chat = reference.GetProperty("chat");
        var cases = reference.GetProperty("cases").EnumerateArray().ToArray();
        int[][] prompts = [Ints(chat.GetProperty("prompt_ids")), .. cases.Select(c => Ints(c.GetProperty("prompt_ids")))];
        int[][] expected = [WithoutEos(chat), .. cases.Select(WithoutEos)];

        var ids = models[Qwen2].GenerateIds(prompts, new GenerationOptions { MaxNewTokens = 40, DoSample = false });

        // The chat row ends on <|im_end|> after 27 ids while the others run to 40.
        Assert.Equal(27, ids[0].Count);
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(expected[i], ids[i]);
    }

    [Fact]
    public async Task Qwen2Chat_ThroughIChatClient_MatchesTheReferenceAndStopsOnImEnd()
    {
        var chat = Reference(Qwen2).GetProperty("chat");
        var messages = chat.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(new ChatRole(m.GetProperty("role").GetString()!), m.GetProperty("content").GetString())).ToArray();
        var lm = models[Qwen2];
        using var client = lm.AsIChatClient();
        var inner = Assert.IsType<MlNetLlm.Interop.ChatClient>(client);

        var rendered = inner.RenderPrompt(messages);
        Assert.Equal(chat.GetProperty("rendered").GetString(), rendered);
        Assert.Equal(Ints(chat.GetProperty("prompt_ids")), inner.Encode(rendered));
        AssertLogits(chat.GetProperty("first_step_logits"), lm.NextTokenLogits(inner.Encode(rendered)));

        // Room for more than the reference's 28 ids: <|im_end|> (50258) must end the reply.
        var response = await client.GetResponseAsync(messages, new ChatOptions { Temperature = 0, MaxOutputTokens = 60 });

        Assert.Equal(chat.GetProperty("generated_text").GetString(), response.Text);
        var reply = chat.GetProperty("pipeline_generated_messages").EnumerateArray().Last();
        Assert.Equal(reply.GetProperty("content").GetString(), response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var generated = Ints(chat.GetProperty("generated_ids"));
        Assert.Equal(50258, generated[^1]);
        Assert.Equal(generated[..^1], lm.GenerateIds([inner.Encode(rendered)], new GenerationOptions { MaxNewTokens = 60 })[0]);
        Assert.Equal(generated.Length - 1, response.Usage!.OutputTokenCount);
        Assert.Equal(generated.Length - 1 + chat.GetProperty("prompt_ids").GetArrayLength(), response.Usage.TotalTokenCount);
    }

    [Fact]
    public void Qwen2Chat_MultiTurnWithSystemMessage_RendersAsChatmlAndEncodesSpecialTokensWhole()
    {
        ChatMessage[] messages =
        [
            new(ChatRole.System, "You are Juliet."),
            new(ChatRole.User, "ROMEO:\nShall I hear more?"),
            new(ChatRole.Assistant, "JULIET:\n'Tis but thy name."),
            new(ChatRole.User, "ROMEO:\nI take thee at thy word."),
        ];
        var client = new MlNetLlm.Interop.ChatClient(models[Qwen2]);

        var rendered = client.RenderPrompt(messages);
        var ids = client.Encode(rendered);

        // Qwen2-Instruct's template as SOURCE.md states it: no default system turn when the first message is one.
        Assert.Equal(
            "<|im_start|>system\nYou are Juliet.<|im_end|>\n<|im_start|>user\nROMEO:\nShall I hear more?<|im_end|>\n" +
            "<|im_start|>assistant\nJULIET:\n'Tis but thy name.<|im_end|>\n<|im_start|>user\nROMEO:\nI take thee at thy word.<|im_end|>\n" +
            "<|im_start|>assistant\n", rendered);
        Assert.Equal(5, ids.Count(i => i == 50257));
        Assert.Equal(4, ids.Count(i => i == 50258));
        Assert.Equal([50257, 562, 10167, 198], ids[^4..]);
        Assert.Equal(rendered, models[Qwen2].Tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [Fact]
    public void GenerateText_TinyQwen2_GivesTheReferenceContinuations()
    {
        var ml = new MLContext();
        var cases = Reference(Qwen2).GetProperty("cases").EnumerateArray().Take(3).ToArray();
        var rows = cases.Select(c => new PromptRow { Prompt = c.GetProperty("prompt").GetString()! }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new GenerationOptions { MaxNewTokens = 40, DoSample = false };

        using var transformer = ml.Transforms.Text.GenerateText(TestAssets.Model(Qwen2), options: options).Fit(data);
        var generated = ml.Data.CreateEnumerable<GeneratedRow>(transformer.Transform(data), reuseRowObject: false).ToArray();

        Assert.Equal(cases.Select(c => c.GetProperty("generated_text").GetString()), generated.Select(g => g.Generated));
    }

    private sealed class PromptRow
    {
        public string Prompt { get; set; } = "";
    }

    private sealed class GeneratedRow
    {
        public string Generated { get; set; } = "";
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Streaming_the_non_ascii_case_emits_whole_characters_that_concatenate_to_the_decoded_text(string model)
    {
        var c = Case(model, "non_ascii");
        var lm = models[model];
        var prompt = c.GetProperty("prompt").GetString()!;

        var pieces = new List<string>();
        await foreach (var piece in lm.GenerateStreamingAsync(prompt, Greedy(c))) pieces.Add(piece);

        Assert.True(pieces.Count > 10);
        Assert.All(pieces, AssertWholeCharacters);
        Assert.Equal(c.GetProperty("generated_text").GetString(), string.Concat(pieces));
        Assert.Equal(lm.Tokenizer.Decode(Ints(c.GetProperty("generated_ids"))), string.Concat(pieces));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Streaming_after_a_prompt_cut_inside_an_emoji_never_emits_half_a_character(string model)
    {
        // 🌹 is three byte-level tokens (12520, 234, 117); the prompt stops after the first one.
        var c = Case(model, "non_ascii");
        var ids = Ints(c.GetProperty("prompt_ids"));
        Assert.Equal([12520, 234, 117], ids[^3..]);
        int[] cut = ids[..^2];
        var lm = models[model];
        var options = new GenerationOptions { MaxNewTokens = 30, DoSample = false };

        var pieces = new List<string>();
        await foreach (var piece in lm.GenerateStreamingAsync(cut, options, null, CancellationToken.None)) pieces.Add(piece);

        Assert.All(pieces.SkipLast(1), AssertWholeCharacters);
        var generated = lm.GenerateIds([cut], options)[0];
        var full = lm.Tokenizer.Decode([.. cut, .. generated]);
        // The prompt's own dangling byte stays with the prompt (one U+FFFD, as Hugging Face decodes it); the pieces continue it.
        Assert.EndsWith("away \uFFFD", lm.Tokenizer.Decode(cut));
        Assert.Equal(full, lm.Tokenizer.Decode(cut) + string.Concat(pieces));
    }

    private static void AssertWholeCharacters(string piece)
    {
        Assert.DoesNotContain('\uFFFD', piece);
        for (int i = 0; i < piece.Length; i++)
        {
            if (char.IsHighSurrogate(piece[i])) Assert.True(i + 1 < piece.Length && char.IsLowSurrogate(piece[++i]), piece);
            else Assert.False(char.IsLowSurrogate(piece[i]), piece);
        }
    }

    private static void AssertLogits(JsonElement expected, float[] logits)
    {
        var first20 = expected.GetProperty("first_20").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        for (int i = 0; i < first20.Length; i++) Assert.Equal(first20[i], logits[i], LogitTolerance);
        int argmax = expected.GetProperty("argmax").GetInt32();
        Assert.Equal(argmax, Array.IndexOf(logits, logits.Max()));
        Assert.Equal(expected.GetProperty("max").GetSingle(), logits[argmax], LogitTolerance);
        foreach (var pair in expected.GetProperty("top_5").EnumerateArray())
            Assert.Equal(pair[1].GetSingle(), logits[pair[0].GetInt32()], LogitTolerance);
    }
}
