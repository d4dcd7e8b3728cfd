namespace MlNetLlm;

/// <summary>
/// A pretrained text-generation model, decoder-only (<see cref="CausalLanguageModel"/>) or encoder-decoder
/// (<see cref="Seq2SeqLanguageModel"/>): what <c>GenerateText</c>, <c>ClassifyWithPrompt</c> and <see cref="PromptClassifier"/>
/// need. Implementations are thread-safe and own their ONNX sessions.
/// </summary>
public interface ILanguageModel : IDisposable
{
    /// <summary>The model folder.</summary>
    string Directory { get; }

    /// <summary>The options the model was loaded with.</summary>
    LanguageModelOptions Options { get; }

    /// <summary>The model's tokenizer.</summary>
    PretrainedTokenizer Tokenizer { get; }

    /// <summary>Where the ONNX sessions run ("CPU" or "CUDA:n").</summary>
    string Device { get; }

    /// <summary>Generates token ids for <paramref name="input"/> (a prompt to continue, or a source to transform); only new ids, without eos.</summary>
    IReadOnlyList<int> GenerateIds(string input, GenerationOptions? options = null);

    /// <summary>Generates token ids for several inputs in one batch; each row equals generating its input alone.</summary>
    IReadOnlyList<IReadOnlyList<int>> GenerateIds(IReadOnlyList<string> inputs, GenerationOptions? options = null);

    /// <summary>Generates text for <paramref name="input"/>, cut before any stop sequence.</summary>
    string Generate(string input, GenerationOptions? options = null);

    /// <summary>Generates text for several inputs in one batch; each row equals generating its input alone.</summary>
    IReadOnlyList<string> Generate(IReadOnlyList<string> inputs, GenerationOptions? options = null);

    /// <summary>Generates for <paramref name="input"/> like <see cref="Generate(string, GenerationOptions?)"/>, with the ids, finish reason and token counts.</summary>
    GenerationResult GenerateWithDetails(string input, GenerationOptions? options = null);

    /// <summary>Generates for several inputs in one batch, with each row's ids, finish reason and token counts.</summary>
    IReadOnlyList<GenerationResult> GenerateWithDetails(IReadOnlyList<string> inputs, GenerationOptions? options = null);

    /// <summary>A step-level session over ids: <see cref="GenerationSession.AppendTokens"/> the input's ids, then <see cref="GenerationSession.GenerateNextToken"/> until <see cref="GenerationSession.IsDone"/>.</summary>
    GenerationSession CreateSession(GenerationOptions? options = null);

    /// <summary>Streams the text generated for <paramref name="input"/>; the pieces concatenate to what <see cref="Generate(string, GenerationOptions?)"/> returns.</summary>
    IAsyncEnumerable<string> GenerateStreamingAsync(string input, GenerationOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The summed log-probability of each of <paramref name="completions"/> given <paramref name="input"/>.</summary>
    IReadOnlyList<double> ScoreCompletions(string input, IReadOnlyList<string> completions);
}
