namespace MlNetLlm.Generation;

/// <summary>
/// The model side of one batched generation (<see cref="GenerationSession"/>): each call feeds every row's newest token and
/// returns the logits for the next one. Decoder-only and encoder-decoder models keep their own caches behind it.
/// </summary>
internal interface IDecodingSteps : IDisposable
{
    /// <summary>Size of the logits' last dimension.</summary>
    int VocabularySize { get; }

    /// <summary>False when the model cannot take another token (its context is full).</summary>
    bool HasRoom { get; }

    /// <summary>
    /// Runs one forward pass. The first call feeds the rows' prompts (or decoder start tokens); later calls feed
    /// <paramref name="lastTokens"/>[r] for row r. Returns logits [batch, <paramref name="positions"/>, vocabulary], valid until
    /// the next call; row r's next-token logits are its last position.
    /// </summary>
    ReadOnlySpan<float> Step(ReadOnlySpan<int> lastTokens, out int positions);
}
