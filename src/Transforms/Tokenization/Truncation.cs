namespace MlNetLlm.Tokenization;

/// <summary>Hugging Face <c>tokenizers</c>' <c>truncate_encodings</c>: cuts one text or a pair to a number of ids.</summary>
internal static class Truncation
{
    /// <summary>Cuts <paramref name="first"/> (and <paramref name="second"/>) so that together they hold at most <paramref name="max"/> ids.</summary>
    public static void Apply<T>(List<T> first, List<T>? second, int max, TruncationStrategy strategy)
    {
        int total = first.Count + (second?.Count ?? 0);
        if (total <= max) return;
        if (max == 0)
        {
            first.Clear();
            second?.Clear();
            return;
        }
        int excess = total - max;
        switch (strategy)
        {
            case TruncationStrategy.LongestFirst when second is null:
                Cut(first, max);
                break;
            case TruncationStrategy.LongestFirst:
                // With n1 <= n2: only the longer is cut while it can absorb the excess; otherwise each keeps half of max,
                // the longer one (the second on a tie) keeping the odd one.
                bool swap = first.Count > second.Count;
                int n1 = Math.Min(first.Count, second.Count), n2 = Math.Max(first.Count, second.Count);
                n2 = n1 > max ? n1 : Math.Max(n1, max - n1);
                if (n1 + n2 > max)
                {
                    n1 = max / 2;
                    n2 = n1 + max % 2;
                }
                Cut(first, swap ? n2 : n1);
                Cut(second, swap ? n1 : n2);
                break;
            default:
                bool isFirst = strategy == TruncationStrategy.OnlyFirst;
                var target = isFirst ? first : second ?? throw new ArgumentException(
                    $"TruncationStrategy.OnlySecond needs a text pair: the single text has {total} ids, more than the {max} allowed.", "truncation");
                if (target.Count <= excess)
                    throw new ArgumentException(
                        $"TruncationStrategy.{strategy} cannot fit the pair into {max} ids (special tokens excluded): {excess} ids must go, but the " +
                        $"{(isFirst ? "first" : "second")} text has only {target.Count} (the other has {total - target.Count}).", "truncation");
                Cut(target, target.Count - excess);
                break;
        }
    }

    private static void Cut<T>(List<T> list, int count)
    {
        if (list.Count > count) list.RemoveRange(count, list.Count - count);
    }
}
