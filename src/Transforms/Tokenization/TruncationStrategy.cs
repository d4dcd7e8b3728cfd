namespace MlNetLlm;

/// <summary>
/// Which text of a pair gives up tokens when an encoding is longer than its maximum length (Hugging Face
/// <c>truncation="longest_first" | "only_first" | "only_second"</c>). Special tokens are never cut: the texts are cut to
/// the maximum length minus the special tokens the post-processor adds, then the special tokens are added.
/// </summary>
public enum TruncationStrategy
{
    /// <summary>
    /// Cut the longer text first, down to the length of the shorter; if both must still be cut, each keeps half of what is
    /// left (the text that was longer keeps one more when the count is odd, the second text on a tie) — Hugging Face's
    /// <c>longest_first</c>, the default. A single text keeps its first tokens.
    /// </summary>
    LongestFirst,

    /// <summary>Cut only the first text; an error when it cannot absorb the excess on its own.</summary>
    OnlyFirst,

    /// <summary>Cut only the second text of a pair; an error when there is no pair or it cannot absorb the excess.</summary>
    OnlySecond,
}
