using System.Collections;

namespace MlNetLlm.ChatTemplates;

/// <summary>
/// The lazy result of <c>range(start, stop, step)</c>: its length is computed, not materialized, so
/// <c>range(1000000000) | length</c> allocates nothing; every item produced counts against the render's loop budget.
/// </summary>
internal sealed class RangeValue(long start, long step, int count) : IReadOnlyList<object?>
{
    public int Count => count;

    public object? this[int index] => (uint)index < (uint)count ? start + index * step : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<object?> GetEnumerator()
    {
        for (int i = 0; i < count; i++)
        {
            RenderBudget.Step();
            yield return start + i * step;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static RangeValue Create(long start, long stop, long step)
    {
        if (step == 0) throw new InvalidOperationException("range() step cannot be zero.");
        var span = step > 0 ? (Int128)stop - start : (Int128)start - stop;
        var abs = step > 0 ? (Int128)step : -(Int128)step;
        var count = span <= 0 ? 0 : (span + abs - 1) / abs;
        if (count > int.MaxValue)
            throw new ChatTemplateLimitException(nameof(ChatTemplateLimits.MaxListLength), $"range() of {count} items is too long for a chat template (ChatTemplateLimits.MaxListLength is {ChatTemplateLimits.MaxListLength}).");
        return new RangeValue(start, step, (int)count);
    }
}
