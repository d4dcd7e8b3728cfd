using System.Numerics.Tensors;
using Microsoft.ML;
using MlNetLlm.Pipeline;
using Microsoft.ML.Data;

namespace MlNetLlm;

/// <summary>One search result: the row (0-based, in the order the index was built) and its cosine similarity to the query.</summary>
/// <param name="Row">Index of the row in the data the index was built from.</param>
/// <param name="Score">Cosine similarity to the query, in [-1, 1] (0 for an all-zero row or query).</param>
public readonly record struct EmbeddingMatch(int Row, float Score);

/// <summary>
/// An exact, in-memory nearest-neighbour index over embeddings by cosine similarity. Rows are L2-normalized once when
/// the index is built and kept in one contiguous array; a search is one dot product per row (TensorPrimitives) and a
/// top-k selection. Immutable and thread-safe.
/// </summary>
public sealed class EmbeddingIndex
{
    private readonly float[] _rows;

    private EmbeddingIndex(float[] rows, int dimension)
    {
        _rows = rows;
        Dimension = dimension;
        Count = dimension == 0 ? 0 : rows.Length / dimension;
    }

    /// <summary>Number of rows indexed.</summary>
    public int Count { get; }

    /// <summary>Length of every vector.</summary>
    public int Dimension { get; }

    /// <summary>Indexes the vectors of <paramref name="embeddingColumn"/> (a known-size Single vector column, e.g. <c>EmbedText</c>'s output), reading <paramref name="data"/> once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or is not a known-size vector of Single.</exception>
    public static EmbeddingIndex Build(IDataView data, string embeddingColumn)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddingColumn);
        var column = SchemaCheck.Require(data.Schema, nameof(embeddingColumn), "Embedding", embeddingColumn, "EmbeddingIndex", SchemaCheck.SingleVector,
            SchemaCheck.IsSingleVector);
        int dimension = SchemaCheck.VectorSize(column.Type);
        var rows = new List<float>();
        using var cursor = data.GetRowCursor([column]);
        var get = cursor.GetGetter<VBuffer<float>>(column);
        var vector = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            get(ref vector);
            rows.AddRange(vector.DenseValues());
        }
        return Normalized(rows.ToArray(), dimension);
    }

    /// <summary>Indexes <paramref name="vectors"/> (e.g. <see cref="TextEmbeddingModel.Embed(IReadOnlyList{string})"/>'s result), which must all have the same length.</summary>
    public static EmbeddingIndex Build(IReadOnlyList<float[]> vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        int dimension = vectors.Count == 0 ? 0 : vectors[0].Length;
        if (vectors.Any(v => v.Length != dimension))
            throw new ArgumentException($"All vectors must have the same length ({dimension}, the first one's).", nameof(vectors));
        return Normalized(vectors.SelectMany(v => v).ToArray(), dimension);
    }

    /// <summary>The <paramref name="k"/> rows most similar to <paramref name="query"/>, best first (ties: lower row first).</summary>
    public IReadOnlyList<EmbeddingMatch> Search(ReadOnlySpan<float> query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (query.Length != Dimension)
            throw new ArgumentException($"The query has {query.Length} values; the index holds vectors of {Dimension}.", nameof(query));
        var unit = query.ToArray();
        Normalize(unit);
        // A min-heap of the best k so far: the worst of them is dequeued first.
        var best = new PriorityQueue<EmbeddingMatch, (float Score, int NegatedRow)>();
        for (int r = 0; r < Count; r++)
        {
            float score = TensorPrimitives.Dot(unit, _rows.AsSpan(r * Dimension, Dimension));
            if (best.Count < k) best.Enqueue(new(r, score), (score, -r));
            else if (best.TryPeek(out _, out var worst) && (score, -r).CompareTo(worst) > 0) best.EnqueueDequeue(new(r, score), (score, -r));
        }
        var result = new EmbeddingMatch[best.Count];
        for (int i = result.Length - 1; i >= 0; i--) result[i] = best.Dequeue();
        return result;
    }

    /// <summary>Embeds <paramref name="query"/> with <paramref name="model"/> (the model that embedded the rows) and searches for it.</summary>
    public IReadOnlyList<EmbeddingMatch> Search(TextEmbeddingModel model, string query, int k)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Search(model.Embed(query), k);
    }

    private static EmbeddingIndex Normalized(float[] rows, int dimension)
    {
        for (int start = 0; start < rows.Length; start += dimension) Normalize(rows.AsSpan(start, dimension));
        return new EmbeddingIndex(rows, dimension);
    }

    private static void Normalize(Span<float> vector)
    {
        if (TensorPrimitives.Norm(vector) is > 0 and var norm) TensorPrimitives.Divide(vector, norm, vector);
    }
}
