namespace MlNetLlm;

/// <summary>A finished generation: its text, its ids, why it ended and how many tokens it used.</summary>
/// <param name="Text">The generated text, cut before any stop sequence.</param>
/// <param name="Ids">The generated token ids, without eos (they include the tokens of a stop sequence).</param>
/// <param name="FinishReason">Why generation ended.</param>
/// <param name="PromptTokens">Tokens of the input the model read (a causal prompt after fitting the context, or an encoder input).</param>
/// <param name="CompletionTokens">Tokens generated (<c>Ids.Count</c>).</param>
public sealed record GenerationResult(string Text, IReadOnlyList<int> Ids, FinishReason FinishReason, int PromptTokens, int CompletionTokens);
