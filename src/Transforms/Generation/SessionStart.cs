namespace MlNetLlm.Generation;

/// <summary>
/// Starts the model side of a <see cref="GenerationSession"/> for its inputs (one per row): the decoding steps and, per row,
/// the context its tokens continue, its token limit and the number of input tokens the model reads.
/// </summary>
internal delegate (IDecodingSteps Steps, (int[] Context, int MaxNewTokens, int PromptTokens)[] Rows) SessionStart(IReadOnlyList<int[]> inputs);
