using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using MlNetLlm.Generation;

namespace MlNetLlm.Interop;

/// <summary>
/// A <see cref="CausalLanguageModel"/> seen as a Microsoft.Extensions.AI chat client: messages are rendered with the
/// model's chat template (or <see cref="ChatTemplate.Default"/>), then generated from. Only text content is used.
/// The model stays owned by the caller: disposing the client does not dispose it.
/// </summary>
internal sealed class ChatClient(CausalLanguageModel model) : IChatClient
{
    private readonly ChatTemplate _template = model.Tokenizer.ChatTemplate is { Length: > 0 } source ? ChatTemplate.Parse(source) : ChatTemplate.Default;
    private readonly ChatClientMetadata _metadata = new("MlNetLlm", null, Path.GetFileName(Path.TrimEndingDirectorySeparator(model.Directory)));

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = RenderPrompt(messages, cancellationToken);
        var ids = Encode(prompt);
        var generation = ToGenerationOptions(options);
        string responseId = Guid.NewGuid().ToString("N"), messageId = Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        GenerationResult? result = null;
        ChatResponseUpdate Update(IList<AIContent> contents) => new(ChatRole.Assistant, contents)
        {
            ResponseId = responseId, MessageId = messageId, ModelId = _metadata.DefaultModelId, CreatedAt = created,
        };

        await foreach (var piece in model.GenerateStreamingAsync(ids, generation, r => result = r, cancellationToken).ConfigureAwait(false))
            yield return Update([new TextContent(piece)]);

        var final = result!;
        var last = Update([new UsageContent(new UsageDetails
        {
            InputTokenCount = final.PromptTokens,
            OutputTokenCount = final.CompletionTokens,
            TotalTokenCount = final.PromptTokens + final.CompletionTokens,
        })]);
        last.FinishReason = final.FinishReason == FinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;
        yield return last;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : serviceType.IsInstanceOfType(model) ? model : null;
    }

    public void Dispose() { }

    /// <summary>The prompt for <paramref name="messages"/>: the template rendered with add_generation_prompt, bos_token and eos_token.</summary>
    internal string RenderPrompt(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _template.Render(new Dictionary<string, object?>
        {
            ["messages"] = messages.Select(m => new Dictionary<string, object?> { ["role"] = m.Role.Value, ["content"] = m.Text }).ToList(),
            ["add_generation_prompt"] = true,
            ["bos_token"] = model.Tokenizer.BosToken ?? "",
            ["eos_token"] = model.Tokenizer.EosToken ?? "",
        }, cancellationToken);
    }

    /// <summary>Token ids of a rendered prompt: a prompt that already starts with the BOS text is encoded without special tokens, so BOS is not doubled.</summary>
    internal int[] Encode(string prompt) =>
        model.Encode(prompt, addSpecialTokens: model.Tokenizer.BosToken is not { Length: > 0 } bos || !prompt.StartsWith(bos, StringComparison.Ordinal));

    /// <summary>
    /// Maps <see cref="ChatOptions"/>: MaxOutputTokens, TopP, TopK, Seed (must fit in an Int32) and StopSequences directly; Temperature 0 means
    /// greedy and a positive Temperature turns sampling on. Unset values default from generation_config.json.
    /// </summary>
    internal static GenerationOptions ToGenerationOptions(ChatOptions? options) => new()
    {
        MaxNewTokens = options?.MaxOutputTokens,
        DoSample = options?.Temperature is float t ? t > 0 : null,
        Temperature = options?.Temperature is > 0 ? options.Temperature : null,
        TopP = options?.TopP,
        TopK = options?.TopK,
        Seed = options?.Seed is long seed
            ? seed is >= int.MinValue and <= int.MaxValue ? (int)seed : throw new ArgumentOutOfRangeException(nameof(options), seed, "ChatOptions.Seed must fit in an Int32.")
            : null,
        StopSequences = options?.StopSequences?.ToArray(),
    };
}
