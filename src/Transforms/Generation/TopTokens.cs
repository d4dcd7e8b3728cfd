namespace MlNetLlm.Generation;

/// <summary>
/// Partial selection of the most probable tokens with a binary heap over token ids, so top-k and top-p never sort the whole
/// vocabulary. Order is by descending weight, ties broken by the smaller id, so results are deterministic.
/// </summary>
internal static class TopTokens
{
    /// <summary>Writes to <paramref name="order"/>[..k] the <paramref name="k"/> ids of largest weight, best first, in O(V log k).</summary>
    public static void Largest(ReadOnlySpan<float> weights, int k, Span<int> order)
    {
        // A min-heap (worst on top) of the best k seen so far.
        var heap = order[..k];
        for (int i = 0; i < k; i++) heap[i] = i;
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(weights, heap, i, k, worstOnTop: true);
        for (int id = k; id < weights.Length; id++)
            if (Before(weights, id, heap[0]))
            {
                heap[0] = id;
                SiftDown(weights, heap, 0, k, worstOnTop: true);
            }
        // Heap sort: moving the worst to the back leaves the best first.
        for (int n = k - 1; n > 0; n--)
        {
            (heap[0], heap[n]) = (heap[n], heap[0]);
            SiftDown(weights, heap, 0, n, worstOnTop: true);
        }
    }

    /// <summary>
    /// Writes to the front of <paramref name="order"/> (as long as the weights), best first, the fewest ids whose weights sum
    /// to at least <paramref name="mass"/> (at least one id), in O(V + n log V); returns n and their summed weight.
    /// </summary>
    public static (int Count, float Mass) Nucleus(ReadOnlySpan<float> weights, float mass, Span<int> order)
    {
        int size = weights.Length;
        for (int i = 0; i < size; i++) order[i] = i;
        for (int i = size / 2 - 1; i >= 0; i--) SiftDown(weights, order, i, size, worstOnTop: false);
        float kept = 0;
        // Each pop moves the best remaining id just past the shrinking heap, so the popped ids collect at the back, best last.
        while (size > 0 && (size == weights.Length || kept < mass))
        {
            kept += weights[order[0]];
            size--;
            (order[0], order[size]) = (order[size], order[0]);
            SiftDown(weights, order, 0, size, worstOnTop: false);
        }
        var popped = order[size..];
        popped.Reverse();
        popped.CopyTo(order);
        return (popped.Length, kept);
    }

    /// <summary>True when id <paramref name="a"/> ranks before id <paramref name="b"/>: larger weight, or the same weight and a smaller id.</summary>
    private static bool Before(ReadOnlySpan<float> weights, int a, int b) => weights[a] > weights[b] || (weights[a] == weights[b] && a < b);

    private static void SiftDown(ReadOnlySpan<float> weights, Span<int> heap, int i, int size, bool worstOnTop)
    {
        while (true)
        {
            int top = i, left = 2 * i + 1, right = left + 1;
            if (left < size && Above(weights, heap[left], heap[top], worstOnTop)) top = left;
            if (right < size && Above(weights, heap[right], heap[top], worstOnTop)) top = right;
            if (top == i) return;
            (heap[i], heap[top]) = (heap[top], heap[i]);
            i = top;
        }
    }

    /// <summary>Whether id <paramref name="a"/> belongs above id <paramref name="b"/> in a heap with the worst or the best on top.</summary>
    private static bool Above(ReadOnlySpan<float> weights, int a, int b, bool worstOnTop) => worstOnTop ? Before(weights, b, a) : Before(weights, a, b);
}
