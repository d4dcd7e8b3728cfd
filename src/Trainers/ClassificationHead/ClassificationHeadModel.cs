using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using MlNetLlm.ClassificationHead;
using MlNetLlm.Numerics;

namespace MlNetLlm;

/// <summary>One fully connected layer of a trained head: output = Weights · input + Biases.</summary>
public sealed class ClassificationHeadLayer
{
    internal ClassificationHeadLayer(int inputSize, int outputSize, float[] weights, float[] biases)
    {
        if (weights.Length != inputSize * outputSize || biases.Length != outputSize)
            throw new ArgumentException($"A {inputSize} → {outputSize} layer needs {inputSize * outputSize} weights and {outputSize} biases.");
        InputSize = inputSize;
        OutputSize = outputSize;
        Weights = weights;
        Biases = biases;
    }

    /// <summary>Number of inputs.</summary>
    public int InputSize { get; }

    /// <summary>Number of outputs.</summary>
    public int OutputSize { get; }

    /// <summary>Row-major weights, <see cref="OutputSize"/> rows of <see cref="InputSize"/> (read them; do not modify).</summary>
    public float[] Weights { get; }

    /// <summary>One bias per output (read them; do not modify).</summary>
    public float[] Biases { get; }

    internal void Apply(FeatureRow input, Span<float> output)
    {
        for (int o = 0; o < OutputSize; o++)
            output[o] = input.Dot(Weights.AsSpan(o * InputSize, InputSize)) + Biases[o];
    }
}

/// <summary>
/// The trained weights of a classification head. Binary heads have one output (the logit of the positive class);
/// multiclass heads have one logit per class, turned into probabilities with softmax.
/// </summary>
public sealed class ClassificationHeadModel
{
    private const int FormatVersion = 1;
    private readonly ClassificationHeadOptions _options;

    internal ClassificationHeadModel(bool isBinary, int classCount, string[]? classNames, ClassificationHeadLayer[] layers, ClassificationHeadOptions options)
    {
        IsBinary = isBinary;
        ClassCount = classCount;
        ClassNames = classNames;
        Layers = layers;
        _options = options.Clone();
        _options.Progress = null;
    }

    /// <summary>True for a binary head (one logit), false for multiclass (softmax over <see cref="ClassCount"/> logits).</summary>
    public bool IsBinary { get; }

    /// <summary>Number of classes (2 for binary).</summary>
    public int ClassCount { get; }

    /// <summary>Multiclass: the label's key values (class names) when they were text; otherwise null.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Length of the feature vector.</summary>
    public int InputSize => Layers[0].InputSize;

    /// <summary>Units of the hidden layer; 0 for a linear head.</summary>
    public int HiddenSize => Layers.Count == 2 ? Layers[0].OutputSize : 0;

    /// <summary>The layers, input to output: one for a linear head, two (hidden, output) for an MLP head.</summary>
    public IReadOnlyList<ClassificationHeadLayer> Layers { get; }

    /// <summary>A copy of the options the head was trained with (without <see cref="ClassificationHeadOptions.Progress"/>).</summary>
    public ClassificationHeadOptions Options => _options.Clone();

    internal HeadActivation Activation => _options.Activation;

    internal string FeatureColumnName => _options.FeatureColumnName;

    /// <summary>Writes the logits of <paramref name="input"/> to <paramref name="output"/> (softmax probabilities when multiclass).</summary>
    internal void Score(FeatureRow input, Span<float> hidden, Span<float> output)
    {
        if (Layers.Count == 1) Layers[0].Apply(input, output);
        else
        {
            Layers[0].Apply(input, hidden);
            Activations.Forward(Activation, hidden, hidden);
            Layers[1].Apply(FeatureRow.Dense(hidden), output);
        }
        if (!IsBinary) Softmax.Apply(output, output);
    }

    internal void WriteTo(BinaryWriter writer)
    {
        writer.Write(FormatVersion);
        writer.Write(IsBinary);
        writer.Write(ClassCount);
        writer.Write(ClassNames?.Count ?? -1);
        foreach (var name in ClassNames ?? []) writer.Write(name);
        var o = _options;
        writer.Write(o.LabelColumnName);
        writer.Write(o.FeatureColumnName);
        writer.Write(o.ExampleWeightColumnName is not null);
        if (o.ExampleWeightColumnName is not null) writer.Write(o.ExampleWeightColumnName);
        writer.Write(o.HiddenSize);
        writer.Write((int)o.Activation);
        writer.Write(o.Dropout);
        writer.Write(o.LearningRate);
        writer.Write(o.WeightDecay);
        writer.Write(o.BatchSize);
        writer.Write(o.MaxEpochs);
        writer.Write(o.ValidationFraction);
        writer.Write(o.Patience);
        writer.Write((int)o.ClassWeights);
        writer.Write(o.Seed);
        writer.Write(Layers.Count);
        foreach (var layer in Layers)
        {
            writer.Write(layer.InputSize);
            writer.Write(layer.OutputSize);
            writer.Write(MemoryMarshal.AsBytes(layer.Weights.AsSpan()));
            writer.Write(MemoryMarshal.AsBytes(layer.Biases.AsSpan()));
        }
    }

    internal static ClassificationHeadModel ReadFrom(BinaryReader reader)
    {
        int version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"Unsupported classification head format version {version}.");
        bool isBinary = reader.ReadBoolean();
        int classCount = reader.ReadInt32();
        int nameCount = reader.ReadInt32();
        string[]? names = nameCount < 0 ? null : Enumerable.Range(0, nameCount).Select(_ => reader.ReadString()).ToArray();
        var options = new ClassificationHeadOptions
        {
            LabelColumnName = reader.ReadString(),
            FeatureColumnName = reader.ReadString(),
            ExampleWeightColumnName = reader.ReadBoolean() ? reader.ReadString() : null,
            HiddenSize = reader.ReadInt32(),
            Activation = (HeadActivation)reader.ReadInt32(),
            Dropout = reader.ReadSingle(),
            LearningRate = reader.ReadSingle(),
            WeightDecay = reader.ReadSingle(),
            BatchSize = reader.ReadInt32(),
            MaxEpochs = reader.ReadInt32(),
            ValidationFraction = reader.ReadSingle(),
            Patience = reader.ReadInt32(),
            ClassWeights = (ClassWeighting)reader.ReadInt32(),
            Seed = reader.ReadInt32(),
        };
        var layers = new ClassificationHeadLayer[reader.ReadInt32()];
        for (int i = 0; i < layers.Length; i++)
        {
            int inputs = reader.ReadInt32(), outputs = reader.ReadInt32();
            layers[i] = new ClassificationHeadLayer(inputs, outputs, ReadFloats(reader, inputs * outputs), ReadFloats(reader, outputs));
        }
        return new ClassificationHeadModel(isBinary, classCount, names, layers, options);
    }

    private static float[] ReadFloats(BinaryReader reader, int count)
    {
        var bytes = reader.ReadBytes(count * sizeof(float));
        if (bytes.Length != count * sizeof(float)) throw new EndOfStreamException("Truncated classification head weights.");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}

/// <summary>Hidden-layer activation functions and their derivatives.</summary>
internal static class Activations
{
    private const float GeluC = 0.7978845608f; // sqrt(2 / pi)
    private const float GeluA = 0.044715f;

    public static void Forward(HeadActivation activation, ReadOnlySpan<float> x, Span<float> y)
    {
        if (activation == HeadActivation.Relu)
        {
            TensorPrimitives.Max(x, 0f, y);
            return;
        }
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            y[i] = 0.5f * v * (1 + MathF.Tanh(GeluC * (v + GeluA * v * v * v)));
        }
    }

    /// <summary>gradient[i] *= f'(x[i]).</summary>
    public static void Backward(HeadActivation activation, ReadOnlySpan<float> x, Span<float> gradient)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = x[i];
            if (activation == HeadActivation.Relu)
            {
                if (v <= 0) gradient[i] = 0;
                continue;
            }
            float t = MathF.Tanh(GeluC * (v + GeluA * v * v * v));
            gradient[i] *= 0.5f * (1 + t) + 0.5f * v * (1 - t * t) * GeluC * (1 + 3 * GeluA * v * v);
        }
    }
}
