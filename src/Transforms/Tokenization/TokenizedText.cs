namespace MlNetLlm;

/// <summary>
/// One encoded text (or text pair): token ids, segment ids, attention mask and token strings, all the same length.
/// Produced by <see cref="PretrainedTokenizer.Encode(string?, string?, bool, int?)"/>; no padding is ever added here (batching pads dynamically).
/// </summary>
public sealed class TokenizedText
{
    internal TokenizedText(int[] ids, int[] typeIds, string[] tokens, int[]? specialTokensMask = null)
    {
        Ids = ids;
        TypeIds = typeIds;
        Tokens = tokens;
        AttentionMask = new int[ids.Length];
        Array.Fill(AttentionMask, 1);
        SpecialTokensMask = specialTokensMask ?? new int[ids.Length];
    }

    /// <summary>Vocabulary ids, special tokens included when requested.</summary>
    public int[] Ids { get; }

    /// <summary>Segment ids (token type ids): 0 for the first text, usually 1 for the second of a pair.</summary>
    public int[] TypeIds { get; }

    /// <summary>1 for every token (an encoding is never padded); padding in batches adds zeros.</summary>
    public int[] AttentionMask { get; }

    /// <summary>The vocabulary string of each id.</summary>
    public string[] Tokens { get; }

    /// <summary>1 where the post-processor added a special token ([CLS], &lt;s&gt;, …), else 0.</summary>
    public int[] SpecialTokensMask { get; }

    /// <summary>Number of tokens.</summary>
    public int Count => Ids.Length;
}
