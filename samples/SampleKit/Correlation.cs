namespace MlNetLlm.Samples;

/// <summary>Rank and linear correlation, for evaluating similarity scores against gold scores (e.g. STS-B).</summary>
public static class Correlation
{
    /// <summary>Spearman's rho: the Pearson correlation of the ranks, tied values getting their average rank.</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"The series differ in length ({x.Count} and {y.Count}).", nameof(y));
        if (x.Count < 2) throw new ArgumentException("At least two pairs are needed.", nameof(x));
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Pearson's r (NaN when a series is constant).</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>1-based ranks; a run of equal values shares the average of its ranks.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
