namespace MlNetLlm;

/// <summary>
/// One encoded text (or text pair): token ids, segment ids, attention mask and token strings, all the same length.
/// Produced by <see cref="PretrainedTokenizer.Encode(string?, string?, bool, int?)"/>; no padding is ever added here (batching pads dynamically).
/// </summary>
public sealed class TokenizedText
{
    internal TokenizedText(int[] ids, int[] typeIds, string[] tokens, int[] specialTokensMask, (int Start, int Length)[] offsets, int[] sequenceIds)
    {
        Ids = ids;
        Offsets = offsets;
        SequenceIds = sequenceIds;
        TypeIds = typeIds;
        Tokens = tokens;
        AttentionMask = new int[ids.Length];
        Array.Fill(AttentionMask, 1);
        SpecialTokensMask = specialTokensMask;
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

    /// <summary>
    /// For each token, the characters of the original text it came from, (start, length): of the first text, or of the
    /// second text of a pair for tokens whose <see cref="SequenceIds"/> entry is 1. Special tokens added by the post-processor
    /// get (0, 0). Spans never overlap and never go backwards within a text; a character split over several tokens (a
    /// byte-level or byte-fallback piece of one character) belongs to the first, the others get an empty span at its end.
    /// </summary>
    public (int Start, int Length)[] Offsets { get; }

    /// <summary>Which text each token came from: 0 the first, 1 the second of a pair, -1 a special token (Hugging Face <c>sequence_ids</c>).</summary>
    public int[] SequenceIds { get; }

    /// <summary>Number of tokens.</summary>
    public int Count => Ids.Length;
}
