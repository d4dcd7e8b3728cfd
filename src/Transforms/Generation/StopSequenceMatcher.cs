using System.Text;

namespace MlNetLlm.Generation;

/// <summary>
/// Finds stop sequences in a text that grows at its end. Each search looks only at the new text, the longest stop
/// sequence's length less one before it, and the text still pending, so matching costs O(total length).
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private readonly int _longest = stops.Count == 0 ? 0 : stops.Max(s => s.Length);

    /// <summary>True when there is no stop sequence to look for.</summary>
    public bool IsEmpty => stops.Count == 0;

    /// <summary>
    /// Where the first stop sequence starts in <paramref name="text"/> followed by <paramref name="pending"/>, among those
    /// that end at or after <paramref name="newFrom"/> (earlier ones were looked for before); -1 if none.
    /// </summary>
    public int Find(StringBuilder text, int newFrom, ReadOnlySpan<char> pending)
    {
        if (IsEmpty) return -1;
        int start = Math.Max(0, newFrom - (_longest - 1));
        var region = string.Concat(text.ToString(start, text.Length - start), pending);
        int first = -1;
        foreach (var stop in stops)
        {
            int i = region.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        return first < 0 ? -1 : start + first;
    }

    /// <summary>The length of the longest end of <paramref name="text"/> that could begin a stop sequence (held back while streaming).</summary>
    public int PossibleStart(StringBuilder text)
    {
        if (IsEmpty || text.Length == 0) return 0;
        int tailLength = Math.Min(_longest - 1, text.Length);
        var tail = text.ToString(text.Length - tailLength, tailLength);
        int longest = 0;
        foreach (var stop in stops)
            for (int n = Math.Min(stop.Length - 1, tailLength); n > longest; n--)
                if (tail.AsSpan().EndsWith(stop.AsSpan(0, n)))
                {
                    longest = n;
                    break;
                }
        return longest;
    }
}
