using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MlNetLlm.Numerics;

namespace MlNetLlm.ClassificationHead;

/// <summary>
/// Mini-batch AdamW training of a linear or one-hidden-layer head with cross-entropy loss, early stopping on a held-back
/// split, and best-weight restore. Single-threaded and driven by one seeded <see cref="Random"/>, so it is deterministic.
/// </summary>
internal sealed class HeadTrainer
{
    private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;

    private readonly TrainingSet _set;
    private readonly ClassificationHeadOptions _options;
    private readonly bool _binary;
    private readonly Random _random;
    private readonly Parameter[] _parameters;
    private readonly ClassificationHeadLayer[] _layers;
    private readonly float[] _classWeights;

    // Per-example scratch: dropped-out input, hidden pre-activations/activations/gradient/dropout mask, logits.
    private readonly float[] _input, _pre, _hidden, _hiddenGradient, _hiddenMask, _logits;

    private HeadTrainer(TrainingSet set, ClassificationHeadOptions options, bool binary)
    {
        _set = set;
        _options = options;
        _binary = binary;
        _random = new Random(options.Seed);
        int inputs = set.Features.Dimension, outputs = binary ? 1 : set.ClassCount, hidden = options.HiddenSize;
        _layers = hidden > 0 ? [NewLayer(inputs, hidden), NewLayer(hidden, outputs)] : [NewLayer(inputs, outputs)];
        _parameters = _layers.SelectMany(l => new[] { new Parameter(l.Weights, decay: true), new Parameter(l.Biases, decay: false) }).ToArray();
        _input = new float[inputs];
        _pre = new float[hidden];
        _hidden = new float[hidden];
        _hiddenGradient = new float[hidden];
        _hiddenMask = new float[hidden];
        _logits = new float[outputs];
        _classWeights = new float[set.ClassCount];
    }

    public static ClassificationHeadModel Train(TrainingSet set, ClassificationHeadOptions options, bool binary) =>
        new HeadTrainer(set, options, binary).Run();

    private ClassificationHeadModel Run()
    {
        var order = Enumerable.Range(0, _set.Labels.Length).ToArray();
        Shuffle(order);
        int validationCount = (int)(order.Length * (double)_options.ValidationFraction);
        if (validationCount >= order.Length) validationCount = 0;
        var validation = order[..validationCount];
        var training = order[validationCount..];
        SetClassWeights(training);

        double bestLoss = double.PositiveInfinity;
        float[][]? best = null;
        int step = 0, sinceBest = 0;
        for (int epoch = 1; epoch <= _options.MaxEpochs; epoch++)
        {
            Shuffle(training);
            double lossSum = 0, weightSum = 0;
            for (int start = 0; start < training.Length; start += _options.BatchSize)
            {
                var batch = training.AsSpan(start, Math.Min(_options.BatchSize, training.Length - start));
                foreach (int i in batch)
                {
                    float weight = SampleWeight(i);
                    lossSum += weight * Backward(i, weight / batch.Length);
                    weightSum += weight;
                }
                AdamW(++step); // also clears the gradients for the next batch
            }

            var (validationLoss, accuracy) = validation.Length > 0 ? Evaluate(validation) : (double.NaN, double.NaN);
            bool isBest = validation.Length == 0 || validationLoss < bestLoss;
            if (isBest)
            {
                bestLoss = validationLoss;
                best = validation.Length > 0 ? _parameters.Select(p => (float[])p.Value.Clone()).ToArray() : null;
                sinceBest = 0;
            }
            else sinceBest++;
            _options.Progress?.Report(new ClassificationHeadProgress
            {
                Rows = _set.RowsRead,
                TotalRows = _set.TotalRows,
                ReadingTime = _set.ReadingTime,
                Epoch = epoch,
                TrainingLoss = lossSum / weightSum,
                ValidationLoss = validationLoss,
                ValidationAccuracy = accuracy,
                IsBest = isBest,
            });
            if (validation.Length > 0 && sinceBest >= _options.Patience) break;
        }
        if (best is not null)
            for (int p = 0; p < _parameters.Length; p++) best[p].CopyTo(_parameters[p].Value, 0);
        return new ClassificationHeadModel(_binary, _set.ClassCount, _set.ClassNames, _layers, _options);
    }

    private ClassificationHeadLayer NewLayer(int inputs, int outputs)
    {
        // PyTorch's nn.Linear default: weights uniform in ±1/sqrt(inputs); biases start at 0.
        float bound = 1f / MathF.Sqrt(inputs);
        var weights = new float[inputs * outputs];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(_random.NextDouble() * 2 - 1) * bound;
        return new ClassificationHeadLayer(inputs, outputs, weights, new float[outputs]);
    }

    private void Shuffle(int[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void SetClassWeights(int[] training)
    {
        Array.Fill(_classWeights, 1f);
        if (_options.ClassWeights != ClassWeighting.Balanced) return;
        var counts = new int[_set.ClassCount];
        foreach (int i in training) counts[_set.Labels[i]]++;
        for (int c = 0; c < counts.Length; c++)
            _classWeights[c] = counts[c] == 0 ? 0 : training.Length / (float)(_set.ClassCount * counts[c]);
    }

    private float SampleWeight(int i) => _set.Weights[i] * _classWeights[_set.Labels[i]];

    /// <summary>Forward pass (with dropout when training); leaves the logits in <see cref="_logits"/>; returns the loss.</summary>
    private double Forward(FeatureRow input, int label, bool training)
    {
        if (_layers.Length == 1) _layers[0].Apply(input, _logits);
        else
        {
            _layers[0].Apply(input, _pre);
            Activations.Forward(_options.Activation, _pre, _hidden);
            if (training && _options.Dropout > 0)
            {
                FillDropoutMask(_hiddenMask);
                TensorPrimitives.Multiply(_hidden, _hiddenMask, _hidden);
            }
            _layers[1].Apply(FeatureRow.Dense(_hidden), _logits);
        }
        if (_binary)
        {
            // Cross-entropy from the logit, stably: softplus(z) - y z.
            float z = _logits[0];
            return Math.Max(z, 0) - (label == 1 ? z : 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
        }
        // Cross-entropy as log Σ exp(z) - z[label]; _logits becomes softmax(z) for the gradient.
        float target = _logits[label];
        return Softmax.Apply(_logits, _logits) - target;
    }

    /// <summary>Adds the gradient of example <paramref name="i"/>'s loss, times <paramref name="scale"/>; returns the loss.</summary>
    private double Backward(int i, float scale)
    {
        var input = _set.Features[i];
        if (_options.Dropout > 0)
        {
            var dropped = _input.AsSpan(0, input.Values.Length);
            FillDropoutMask(dropped);
            TensorPrimitives.Multiply(input.Values, dropped, dropped);
            input = input.WithValues(dropped);
        }
        int label = _set.Labels[i];
        double loss = Forward(input, label, training: true);

        // d loss / d logits: sigmoid(z) - y (binary), softmax(z) - onehot(y) (multiclass).
        if (_binary) _logits[0] = 1 / (1 + MathF.Exp(-_logits[0])) - label;
        else _logits[label] -= 1;
        TensorPrimitives.Multiply(_logits, scale, _logits);

        var output = _layers[^1];
        var outputWeights = _parameters[^2].Gradient;
        var outputBiases = _parameters[^1].Gradient;
        var layerInput = _layers.Length == 1 ? input : FeatureRow.Dense(_hidden);
        if (_layers.Length == 2) Array.Clear(_hiddenGradient);
        for (int o = 0; o < _logits.Length; o++)
        {
            float g = _logits[o];
            layerInput.AddScaledTo(outputWeights.AsSpan(o * output.InputSize, output.InputSize), g);
            outputBiases[o] += g;
            if (_layers.Length == 2)
                TensorPrimitives.MultiplyAdd(output.Weights.AsSpan(o * output.InputSize, output.InputSize), g, _hiddenGradient, _hiddenGradient);
        }
        if (_layers.Length == 2)
        {
            if (_options.Dropout > 0) TensorPrimitives.Multiply(_hiddenGradient, _hiddenMask, _hiddenGradient);
            Activations.Backward(_options.Activation, _pre, _hiddenGradient);
            int d = _set.Features.Dimension;
            for (int h = 0; h < _hiddenGradient.Length; h++)
            {
                input.AddScaledTo(_parameters[0].Gradient.AsSpan(h * d, d), _hiddenGradient[h]);
                _parameters[1].Gradient[h] += _hiddenGradient[h];
            }
        }
        return loss;
    }

    /// <summary>Inverted dropout mask: each factor is 0 with probability p, else 1 / (1 - p).</summary>
    private void FillDropoutMask(Span<float> mask)
    {
        float p = _options.Dropout, keep = 1 / (1 - p);
        for (int i = 0; i < mask.Length; i++) mask[i] = _random.NextSingle() < p ? 0 : keep;
    }

    private (double Loss, double Accuracy) Evaluate(int[] examples)
    {
        double lossSum = 0, weightSum = 0;
        int correct = 0;
        foreach (int i in examples)
        {
            int label = _set.Labels[i];
            float weight = SampleWeight(i);
            lossSum += weight * Forward(_set.Features[i], label, training: false);
            weightSum += weight;
            int predicted = _binary ? (_logits[0] > 0 ? 1 : 0) : TensorPrimitives.IndexOfMax(_logits);
            if (predicted == label) correct++;
        }
        return (lossSum / weightSum, correct / (double)examples.Length);
    }

    /// <summary>
    /// One AdamW step on every parameter, then clears the gradients. Fused into a single <see cref="Vector{T}"/> pass per
    /// array: op-by-op TensorPrimitives calls made ~10 passes over memory and dominated training on wide sparse features.
    /// </summary>
    private void AdamW(int step)
    {
        float lr = _options.LearningRate;
        float correction2 = MathF.Sqrt(1 - MathF.Pow(Beta2, step));
        float stepSize = lr * correction2 / (1 - MathF.Pow(Beta1, step));
        float epsilon = Epsilon * correction2;
        foreach (var p in _parameters)
            AdamW(p.Value, p.Gradient, p.M, p.V, stepSize, epsilon, p.Decay ? 1 - lr * _options.WeightDecay : 1);
    }

    private static void AdamW(Span<float> w, Span<float> g, Span<float> m, Span<float> v, float stepSize, float epsilon, float keep)
    {
        int vectors = Vector.IsHardwareAccelerated ? w.Length / Vector<float>.Count : 0;
        var wv = MemoryMarshal.Cast<float, Vector<float>>(w);
        var gv = MemoryMarshal.Cast<float, Vector<float>>(g);
        var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
        var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
        for (int i = 0; i < vectors; i++)
        {
            var gi = gv[i];
            var mi = mv[i] * Beta1 + gi * (1 - Beta1);
            var vi = vv[i] * Beta2 + gi * gi * (1 - Beta2);
            mv[i] = mi;
            vv[i] = vi;
            wv[i] = wv[i] * keep - stepSize * mi / (Vector.SquareRoot(vi) + new Vector<float>(epsilon));
            gv[i] = Vector<float>.Zero;
        }
        for (int i = vectors * Vector<float>.Count; i < w.Length; i++)
        {
            float gi = g[i];
            m[i] = m[i] * Beta1 + gi * (1 - Beta1);
            v[i] = v[i] * Beta2 + gi * gi * (1 - Beta2);
            w[i] = w[i] * keep - stepSize * m[i] / (MathF.Sqrt(v[i]) + epsilon);
            g[i] = 0;
        }
    }

    /// <summary>One weight or bias array with its gradient and AdamW moments.</summary>
    private sealed class Parameter(float[] value, bool decay)
    {
        public float[] Value { get; } = value;
        public float[] Gradient { get; } = new float[value.Length];
        public float[] M { get; } = new float[value.Length];
        public float[] V { get; } = new float[value.Length];
        public bool Decay { get; } = decay;
    }
}
