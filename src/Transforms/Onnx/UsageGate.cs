namespace MlNetLlm.Onnx;

/// <summary>
/// Guards a native resource shared by concurrent runs: each run holds a <see cref="Lease"/> from <see cref="Enter"/>;
/// <see cref="Close"/> refuses new runs, waits for the runs in flight, and only then lets the owner free the resource.
/// After that, <see cref="Enter"/> throws <see cref="ObjectDisposedException"/> naming the model. Reusable by any
/// ONNX-backed model (encoders, decoders, future seq2seq or cross-encoder models).
/// </summary>
internal sealed class UsageGate(string modelPath)
{
    private readonly object _lock = new();
    private int _active;
    private bool _closed;

    /// <summary>Starts a run; dispose the lease when the run no longer touches the resource.</summary>
    /// <exception cref="ObjectDisposedException">The owner has been (or is being) disposed.</exception>
    public Lease Enter()
    {
        lock (_lock)
        {
            ThrowIfClosed();
            _active++;
        }
        return new Lease(this);
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once disposal has begun; long runs call it between steps to stop early.</summary>
    public void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed))
            throw new ObjectDisposedException(modelPath, $"The model loaded from '{modelPath}' has been disposed; load it again to use it.");
    }

    /// <summary>
    /// Refuses new runs and blocks until the runs in flight have left. Returns true for the one caller that should now free
    /// the resource, false when it was already closed. Must not be called from inside a run (it would wait for itself).
    /// </summary>
    public bool Close()
    {
        lock (_lock)
        {
            if (_closed) return false;
            Volatile.Write(ref _closed, true);
            while (_active > 0) Monitor.Wait(_lock);
            return true;
        }
    }

    private void Exit()
    {
        lock (_lock)
        {
            if (--_active == 0) Monitor.PulseAll(_lock);
        }
    }

    /// <summary>One run's hold on the resource.</summary>
    public readonly struct Lease(UsageGate gate) : IDisposable
    {
        /// <summary>Ends the run.</summary>
        public void Dispose() => gate.Exit();
    }
}
