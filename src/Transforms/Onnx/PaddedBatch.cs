using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Onnx;

/// <summary>
/// Reusable int64 input buffers (ids, attention mask, token type ids), right-padded to the longest encoding of the batch
/// and grown to the largest batch seen (sized by the data, not by the options). One instance serves one caller at a time.
/// </summary>
internal sealed class PaddedBatch
{
    private long[] _ids = [], _mask = [], _types = [];

    /// <summary>Rows in the current batch.</summary>
    public int Rows { get; private set; }

    /// <summary>Padded sequence length of the current batch (at least 1).</summary>
    public int Length { get; private set; }

    /// <summary>Indices of <paramref name="encodings"/> sorted by token count, so neighbouring rows need little padding.</summary>
    public static int[] OrderByLength(IReadOnlyList<TokenizedText> encodings)
    {
        var order = new int[encodings.Count];
        var lengths = new int[order.Length];
        for (int i = 0; i < order.Length; i++) (order[i], lengths[i]) = (i, encodings[i].Count);
        Array.Sort(lengths, order);
        return order;
    }

    /// <summary>Fills the buffers with <paramref name="encodings"/>[<paramref name="rows"/>[i]] as row i, padding with <paramref name="padId"/>.</summary>
    public void Fill(IReadOnlyList<TokenizedText> encodings, ReadOnlySpan<int> rows, long padId)
    {
        int length = 1;
        foreach (var r in rows) length = Math.Max(length, encodings[r].Count);
        if (rows.Length * length > _ids.Length) (_ids, _mask, _types) = (new long[rows.Length * length], new long[rows.Length * length], new long[rows.Length * length]);
        (Rows, Length) = (rows.Length, length);
        for (int i = 0; i < rows.Length; i++)
        {
            var e = encodings[rows[i]];
            var ids = _ids.AsSpan(i * length, length);
            var mask = _mask.AsSpan(i * length, length);
            var types = _types.AsSpan(i * length, length);
            for (int t = 0; t < e.Count; t++) (ids[t], mask[t], types[t]) = (e.Ids[t], 1, e.TypeIds[t]);
            ids[e.Count..].Fill(padId);
            mask[e.Count..].Clear();
            types[e.Count..].Clear();
        }
    }

    /// <summary>Tensor views [Rows, Length] over the buffers (no copy); dispose them after the run.</summary>
    public OrtValue InputIds() => View(_ids);

    /// <inheritdoc cref="InputIds"/>
    public OrtValue AttentionMask() => View(_mask);

    /// <inheritdoc cref="InputIds"/>
    public OrtValue TokenTypeIds() => View(_types);

    private OrtValue View(long[] buffer) =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, Rows * Length), [Rows, Length]);
}
