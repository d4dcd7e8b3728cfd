namespace MlNetLlm.Samples;

/// <summary>Ranking quality with binary relevance: nDCG@k and reciprocal rank @k (averaged over queries: MRR@k).</summary>
public static class RankingMetrics
{
    /// <summary>
    /// DCG of the first <paramref name="k"/> results (1 / log2(rank + 1) per relevant one) divided by the DCG of an ideal
    /// ranking, which puts min(k, <paramref name="relevantInCollection"/>) relevant results first.
    /// </summary>
    public static double NdcgAt(IReadOnlyList<bool> relevant, int k, int relevantInCollection)
    {
        double dcg = 0, ideal = 0;
        for (int i = 0; i < Math.Min(k, relevant.Count); i++) if (relevant[i]) dcg += 1 / Math.Log2(i + 2);
        for (int i = 0; i < Math.Min(k, relevantInCollection); i++) ideal += 1 / Math.Log2(i + 2);
        return ideal == 0 ? 0 : dcg / ideal;
    }

    /// <summary>1 / rank of the first relevant result among the first <paramref name="k"/>, or 0 when there is none.</summary>
    public static double ReciprocalRankAt(IReadOnlyList<bool> relevant, int k)
    {
        for (int i = 0; i < Math.Min(k, relevant.Count); i++) if (relevant[i]) return 1.0 / (i + 1);
        return 0;
    }
}
