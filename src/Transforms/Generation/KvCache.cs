using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Generation;

/// <summary>
/// The past keys and values of one generation, in buffers the cache owns. Each past/present pair has two pinned buffers:
/// a step reads the past from one while ONNX Runtime writes the present (past plus the new tokens) into the other, then
/// they swap. Optimum exports build the present with a Concat inside the graph, so that copy of the past stays; what goes
/// is ONNX Runtime allocating and freeing every present on every step. Buffers grow by half when full. The logits stay
/// where ONNX Runtime put them (its arena): a buffer of ours would cost the export's final Reshape a copy of them, 608 MB
/// after a 1,000-token prompt over a 151,936-token vocabulary; the cache holds them until the next step.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly int _heads;
    private readonly int _headSize;
    private readonly int _tokenElements;
    private float[][] _past;
    private float[][] _present;
    private int _capacity;
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;

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
    /// The ONNX values of a step of <paramref name="sequenceLength"/> new tokens: the pasts to read and the presents ONNX
    /// Runtime fills. Dispose them after the run, then call <see cref="Advance"/>.
    /// </summary>
    public StepValues Prepare(int sequenceLength)
    {
        int total = Length + sequenceLength;
        if (total > _capacity) Grow(total + Math.Max(total / 2, 16));
        var info = OrtMemoryInfo.DefaultInstance;
        var past = new OrtValue[Count];
        var presents = new OrtValue[Count];
        try
        {
            for (int i = 0; i < Count; i++)
            {
                past[i] = OrtValue.CreateTensorValueFromMemory(info, _past[i].AsMemory(0, Batch * Length * _tokenElements), Shape(Length));
                presents[i] = OrtValue.CreateTensorValueFromMemory(info, _present[i].AsMemory(0, Batch * total * _tokenElements), Shape(total));
            }
        }
        catch
        {
            new StepValues(past, presents).Dispose();
            throw;
        }
        return new StepValues(past, presents);
    }

    /// <summary>
    /// Makes the presents of the step just run the next pasts and keeps the step's <paramref name="outputs"/> (logits first);
    /// returns the logits, valid until the cache changes again.
    /// </summary>
    public ReadOnlySpan<float> Advance(int sequenceLength, IDisposableReadOnlyCollection<OrtValue> outputs)
    {
        _outputs?.Dispose();
        _outputs = outputs;
        (_past, _present) = (_present, _past);
        Length += sequenceLength;
        return outputs.First().GetTensorDataAsSpan<float>();
    }

    public void Dispose()
    {
        _outputs?.Dispose();
        _outputs = null;
        Array.Fill(_past, []);
        Array.Fill(_present, []);
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
    public readonly record struct StepValues(OrtValue[] Past, OrtValue[] Presents) : IDisposable
    {
        public void Dispose()
        {
            foreach (var value in Past) value?.Dispose();
            foreach (var value in Presents) value?.Dispose();
        }
    }
}
