using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Generation;

/// <summary>
/// The past keys and values of one generation, in buffers the cache owns. Each past/present pair has two pinned buffers:
/// a step reads the past from one while ONNX Runtime writes the present (past plus the new tokens) into the other, then
/// they swap. Optimum exports build the present with a Concat inside the graph, so that copy of the past stays; what goes
/// is ONNX Runtime allocating and freeing every present and the logits on every step. Buffers grow by half when full.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly int _heads;
    private readonly int _headSize;
    private readonly int _tokenElements;
    private float[][] _past;
    private float[][] _present;
    private int _capacity;
    private float[] _logits = [];
    private int _logitsLength;

    /// <param name="batch">Rows.</param>
    /// <param name="count">Past tensors (two per layer).</param>
    /// <param name="heads">Key/value heads.</param>
    /// <param name="headSize">Floats per head and token.</param>
    public KvCache(int batch, int count, int heads, int headSize)
    {
        Batch = batch;
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
    /// The ONNX values of a step of <paramref name="sequenceLength"/> new tokens: the pasts to read and the outputs
    /// (logits, then the presents) ONNX Runtime fills. Dispose them after the run, then call <see cref="Advance"/>.
    /// </summary>
    public StepValues Prepare(int sequenceLength, int vocabularySize)
    {
        int total = Length + sequenceLength;
        if (total > _capacity) Grow(total + Math.Max(total / 2, 16));
        long logits = (long)Batch * sequenceLength * vocabularySize;
        if (logits > Array.MaxLength)
            throw new InvalidOperationException($"The logits of {Batch} rows × {sequenceLength} tokens × {vocabularySize} vocabulary entries do not fit in one array; pass fewer or shorter prompts.");
        // Reallocated when too small, or when far too large (after a long prefill), so decode steps keep only one row of logits per prompt.
        if (logits > _logits.Length || logits * 4 < _logits.Length) _logits = GC.AllocateUninitializedArray<float>((int)logits, pinned: true);
        _logitsLength = (int)logits;

        var info = OrtMemoryInfo.DefaultInstance;
        var past = new OrtValue[Count];
        var outputs = new OrtValue[Count + 1];
        try
        {
            outputs[0] = OrtValue.CreateTensorValueFromMemory(info, _logits.AsMemory(0, _logitsLength), [Batch, sequenceLength, vocabularySize]);
            for (int i = 0; i < Count; i++)
            {
                past[i] = OrtValue.CreateTensorValueFromMemory(info, _past[i].AsMemory(0, Batch * Length * _tokenElements), Shape(Length));
                outputs[i + 1] = OrtValue.CreateTensorValueFromMemory(info, _present[i].AsMemory(0, Batch * total * _tokenElements), Shape(total));
            }
        }
        catch
        {
            new StepValues(past, outputs).Dispose();
            throw;
        }
        return new StepValues(past, outputs);
    }

    /// <summary>Makes the presents of the step just run the next pasts; returns its logits, valid until the cache changes again.</summary>
    public ReadOnlySpan<float> Advance(int sequenceLength)
    {
        (_past, _present) = (_present, _past);
        Length += sequenceLength;
        return _logits.AsSpan(0, _logitsLength);
    }

    public void Dispose()
    {
        Array.Fill(_past, []);
        Array.Fill(_present, []);
        _logits = [];
        _capacity = 0;
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

    /// <summary>The ONNX values of one step; disposing them releases the pins, not the cache's buffers.</summary>
    public readonly record struct StepValues(OrtValue[] Past, OrtValue[] Outputs) : IDisposable
    {
        public void Dispose()
        {
            foreach (var value in Past) value?.Dispose();
            foreach (var value in Outputs) value?.Dispose();
        }
    }
}
