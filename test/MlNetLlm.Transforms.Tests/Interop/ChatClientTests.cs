using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using MlNetLlm.Interop;
using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Interop;

/// <summary>
/// A copy of stories260k whose tokenizer_config.json has a real chat template (Llama-2-chat's, which writes the BOS
/// text itself), and the original folder, which has none (the default format).
/// </summary>
public sealed class ChatModelsFixture : IDisposable
{
    public const string Llama2ChatTemplate =
        "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    private readonly string _folder = Directory.CreateTempSubdirectory("mlnetllm-chat-").FullName;

    public ChatModelsFixture()
    {
        foreach (var file in Directory.GetFiles(StoriesModelFixture.Directory))
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        var configPath = Path.Combine(_folder, "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["chat_template"] = Llama2ChatTemplate;
        File.WriteAllText(configPath, config.ToJsonString());
        Templated = CausalLanguageModel.FromDirectory(_folder);
    }

    /// <summary>stories260k with Llama-2-chat's template.</summary>
    public CausalLanguageModel Templated { get; }

    /// <summary>stories260k as shipped: no chat_template.</summary>
    public CausalLanguageModel Plain { get; } = CausalLanguageModel.FromDirectory(StoriesModelFixture.Directory);

    public void Dispose()
    {
        Templated.Dispose();
        Plain.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>CausalLanguageModel through Microsoft.Extensions.AI's IChatClient, compared with the direct API.</summary>
public sealed class ChatClientTests(ChatModelsFixture models) : IClassFixture<ChatModelsFixture>
{
    private static readonly ChatMessage[] Conversation =
    [
        new(ChatRole.System, "Tell short stories."),
        new(ChatRole.User, "Once upon a time"),
    ];

    private static readonly ChatOptions Greedy = new() { Temperature = 0, MaxOutputTokens = 30 };

    private static readonly GenerationOptions DirectGreedy = new() { DoSample = false, MaxNewTokens = 30 };

    [Fact]
    public void TemplatedPrompt_StartsWithBos_AndIsEncodedWithOneBos()
    {
        var client = new ChatClient(models.Templated);

        var prompt = client.RenderPrompt(Conversation);
        var ids = client.Encode(prompt);

        Assert.Equal("<s>[INST] <<SYS>>\nTell short stories.\n<</SYS>>\n\nOnce upon a time [/INST]", prompt);
        Assert.Equal(1, ids[0]);
        Assert.NotEqual(1, ids[1]);
        // The same ids as the tokenizer gives the prompt without its BOS text (it adds BOS itself).
        Assert.Equal(models.Templated.Tokenizer.Encode(prompt["<s>".Length..]).Ids, ids);
    }

    [Fact]
    public async Task GetResponseAsync_Greedy_EqualsGenerateOnTheRenderedPrompt()
    {
        IChatClient client = models.Templated.AsIChatClient();
        var prompt = new ChatClient(models.Templated).RenderPrompt(Conversation);

        var response = await client.GetResponseAsync(Conversation, Greedy);

        Assert.Equal(models.Templated.Generate(prompt["<s>".Length..], DirectGreedy), response.Text);
        Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, response.Messages[0].Role);
        Assert.Equal("stories260k", Path.GetFileName(models.Plain.Directory));
        Assert.NotNull(response.Usage);
        Assert.Equal(new ChatClient(models.Templated).Encode(prompt).Length, response.Usage.InputTokenCount);
        var generated = models.Templated.GenerateIds(prompt["<s>".Length..], DirectGreedy).Count;
        Assert.Equal(generated, response.Usage.OutputTokenCount);
        Assert.Equal(generated == 30 ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Streaming_ConcatenatesToTheNonStreamingResponse_AndEndsWithFinishReasonAndUsage()
    {
        IChatClient client = models.Templated.AsIChatClient();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation, Greedy)) updates.Add(update);
        var response = await client.GetResponseAsync(Conversation, Greedy);

        Assert.True(updates.Count > 2);
        Assert.Equal(response.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(response.FinishReason, updates[^1].FinishReason);
        Assert.All(updates, u => Assert.Equal(updates[0].ResponseId, u.ResponseId));
        var usage = Assert.IsType<UsageContent>(Assert.Single(updates[^1].Contents));
        Assert.Equal(response.Usage!.OutputTokenCount, usage.Details.OutputTokenCount);
    }

    [Fact]
    public async Task DefaultFormat_IsUsedWithoutChatTemplate()
    {
        Assert.Null(models.Plain.Tokenizer.ChatTemplate);
        IChatClient client = models.Plain.AsIChatClient();
        const string prompt = "system: Tell short stories.\nuser: Once upon a time\nassistant:";

        Assert.Equal(prompt, new ChatClient(models.Plain).RenderPrompt(Conversation));
        var response = await client.GetResponseAsync(Conversation, Greedy);

        Assert.Equal(models.Plain.Generate(prompt, DirectGreedy), response.Text);
        Assert.Equal(models.Plain.Tokenizer.Encode(prompt).Ids.Length, response.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Options_MapToGenerationOptions()
    {
        IChatClient client = models.Plain.AsIChatClient();
        const string prompt = "system: Tell short stories.\nuser: Once upon a time\nassistant:";

        // Sampling with a seed: the same text as Generate with the same settings.
        var sampled = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0.8f, TopK = 20, TopP = 0.9f, Seed = 7, MaxOutputTokens = 25 });
        Assert.Equal(models.Plain.Generate(prompt, new GenerationOptions { DoSample = true, Temperature = 0.8f, TopK = 20, TopP = 0.9f, Seed = 7, MaxNewTokens = 25 }), sampled.Text);

        // A length limit gives FinishReason.Length; a stop sequence cuts the text and gives Stop.
        var short5 = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 5 });
        Assert.Equal(ChatFinishReason.Length, short5.FinishReason);
        Assert.Equal(5, short5.Usage!.OutputTokenCount);
        var full = await client.GetResponseAsync(Conversation, Greedy);
        var stop = full.Text.Trim().Split(' ')[1];
        var stopped = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 30, StopSequences = [stop] });
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);

        var mapped = ChatClient.ToGenerationOptions(new ChatOptions { Temperature = 0 });
        Assert.False(mapped.DoSample);
        Assert.Null(mapped.Temperature);
        Assert.Null(ChatClient.ToGenerationOptions(null).DoSample);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Conversation, new ChatOptions { Seed = long.MaxValue }));
    }

    [Fact]
    public async Task TemplateErrors_Surface_AndCancellationStopsStreaming()
    {
        IChatClient client = models.Templated.AsIChatClient();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.GetResponseAsync([new ChatMessage(ChatRole.User, "a"), new ChatMessage(ChatRole.User, "b")], Greedy));
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", ex.Message);

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 200 }, cts.Token))
                cts.Cancel();
        });
    }

    [Fact]
    public void Metadata_NamesProviderAndModel()
    {
        using var client = models.Plain.AsIChatClient();
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("MlNetLlm", metadata.ProviderName);
        Assert.Equal("stories260k", metadata.DefaultModelId);
        Assert.Same(models.Plain, client.GetService<CausalLanguageModel>());
    }
}
