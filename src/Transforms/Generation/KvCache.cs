using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Generation;

/// <summary>
/// The past keys and values of one generation, in buffers the cache owns. Each past/present pair has two pinned buffers:
/// a step reads the past from one while ONNX Runtime writes the present (past plus the new tokens) into the other, then
/// they swap. Optimum exports build the present with a Concat inside the graph, so that copy of the past stays; what goes
/// is ONNX Runtime allocating and freeing every present on every step. A step's presents become the next step's pasts as
/// they are (the same ONNX values), so a decode step creates only the presents' views. Buffers are sized for the whole
/// generation when its length is known (up to 1,024 tokens ahead) and grow by half when full. A prompt's logits (one row
/// per position) stay where ONNX Runtime put them (its arena): a buffer of ours would cost the export's final Reshape a
/// copy of them, 608 MB after a 1,000-token prompt over a 151,936-token vocabulary; the cache holds them until the next
/// step. A one-token step's logits go into one small buffer the cache owns (<see cref="StepLogits"/>).
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly int _heads;
    private readonly int _headSize;
    private readonly int _tokenElements;
    private readonly int _expectedLength;
    private float[][] _past;
    private float[][] _present;
    private int _capacity;
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;
    private OrtValue[]? _pastValues;
    private OrtValue[]? _presentValues;
    private OrtValue? _stepLogits;
    private float[] _stepLogitsBuffer = [];

    /// <param name="batch">Rows.</param>
    /// <param name="count">Past tensors (two per layer).</param>
    /// <param name="heads">Key/value heads.</param>
    /// <param name="headSize">Floats per head and token.</param>
    /// <param name="expectedLength">The most tokens per row the generation can reach (0: unknown), so buffers are sized once instead of grown.</param>
    public KvCache(int batch, int count, int heads, int headSize, int expectedLength = 0)
    {
        Batch = batch;
        _expectedLength = expectedLength;
        _heads = heads;
        _headSize = headSize;
        _tokenElements = heads * headSize;
        _past = new float[count][];
        _present = new float[count][];
        Array.Fill(_past, []);
        Array.Fill(_present, []);
    }

    public int Batch { get; }

    /// <summary>Number of tokens (padding included) the cache holds per row.</summary>
    public int Length { get; private set; }

    /// <summary>Number of past tensors (two per layer).</summary>
    public int Count => _past.Length;

    /// <summary>
    /// The ONNX values of a step of <paramref name="sequenceLength"/> new tokens: the pasts to read and the presents ONNX
    /// Runtime fills, both owned by the cache. Run the step, then call <see cref="Advance"/>: the presents become the next
    /// step's pasts as they are (same buffers, same shape), so a decode step creates only the presents' values.
    /// </summary>
    public (OrtValue[] Past, OrtValue[] Presents) Prepare(int sequenceLength)
    {
        int total = Length + sequenceLength;
        if (total > _capacity)
        {
            // Grown by half; sized for the whole generation up front when known, but by at most 1,024 tokens more than
            // needed (a long MaxNewTokens that stops early should not hold a context-sized cache).
            int grown = total + Math.Max(total / 2, 16);
            Grow(_expectedLength >= total ? Math.Min(_expectedLength, Math.Max(grown, total + 1024)) : grown);
            Release(ref _pastValues);
        }
        Release(ref _presentValues); // left by a step that failed
        _pastValues ??= Views(_past, Length);
        _presentValues = Views(_present, total);
        return (_pastValues, _presentValues);
    }

    /// <summary>
    /// Makes the presents of the step just run the next pasts and keeps the step's <paramref name="outputs"/> (logits first);
    /// returns the logits, valid until the cache changes again.
    /// </summary>
    public ReadOnlySpan<float> Advance(int sequenceLength, IDisposableReadOnlyCollection<OrtValue> outputs)
    {
        _outputs?.Dispose();
        _outputs = outputs;
        Shift(sequenceLength);
        return outputs.First().GetTensorDataAsSpan<float>();
    }

    /// <summary>
    /// The buffer a one-token step writes its logits into ([batch, 1, <paramref name="vocabulary"/>]), created once; a
    /// prompt's logits, one row per position, stay in ONNX Runtime's memory instead (see the class summary).
    /// </summary>
    public OrtValue StepLogits(int vocabulary)
    {
        if (_stepLogits is null)
        {
            _stepLogitsBuffer = GC.AllocateUninitializedArray<float>(Batch * vocabulary, pinned: true);
            _stepLogits = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _stepLogitsBuffer.AsMemory(), [Batch, 1, vocabulary]);
        }
        return _stepLogits;
    }

    /// <summary>After a one-token step that wrote into <see cref="StepLogits"/>: advances like <see cref="Advance(int, IDisposableReadOnlyCollection{OrtValue})"/> and returns those logits.</summary>
    public ReadOnlySpan<float> AdvanceOneToken()
    {
        _outputs?.Dispose();
        _outputs = null;
        Shift(1);
        return _stepLogitsBuffer;
    }

    private void Shift(int sequenceLength)
    {
        (_past, _present) = (_present, _past);
        Release(ref _pastValues);
        (_pastValues, _presentValues) = (_presentValues, null);
        Length += sequenceLength;
    }

    public void Dispose()
    {
        _outputs?.Dispose();
        _outputs = null;
        _stepLogits?.Dispose();
        _stepLogits = null;
        Release(ref _pastValues);
        Release(ref _presentValues);
        Array.Fill(_past, []);
        Array.Fill(_present, []);
        _capacity = 0;
    }

    /// <summary>ONNX views of the first <paramref name="length"/> tokens of each of <paramref name="buffers"/>.</summary>
    private OrtValue[] Views(float[][] buffers, int length)
    {
        var values = new OrtValue[buffers.Length];
        try
        {
            for (int i = 0; i < buffers.Length; i++)
                values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffers[i].AsMemory(0, Batch * length * _tokenElements), Shape(length));
        }
        catch
        {
            Release(ref values!);
            throw;
        }
        return values;
    }

    private static void Release(ref OrtValue[]? values)
    {
        if (values is null) return;
        foreach (var value in values) value?.Dispose();
        values = null;
    }

    /// <summary>[batch, key/value heads, length, head size].</summary>
    private long[] Shape(int length) => [Batch, _heads, length, _headSize];

    private void Grow(int capacity)
    {
        for (int i = 0; i < Count; i++)
        {
            var past = GC.AllocateUninitializedArray<float>(Batch * capacity * _tokenElements, pinned: true);
            _past[i].AsSpan(0, Batch * Length * _tokenElements).CopyTo(past);
            _past[i] = past;
            _present[i] = GC.AllocateUninitializedArray<float>(Batch * capacity * _tokenElements, pinned: true);
        }
        _capacity = capacity;
    }
}
