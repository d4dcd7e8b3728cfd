using System.Text;

namespace MlNetLlm.Tests.Embeddings;

/// <summary>A temporary copy of a bundled model folder that tests may break on purpose; deleted on dispose.</summary>
internal sealed class ScratchModel : IDisposable
{
    public ScratchModel(string bundledModel)
    {
        Directory = Path.Combine(Path.GetTempPath(), "mlnetllm-" + Guid.NewGuid().ToString("N"));
        var source = TestAssets.Model(bundledModel);
        foreach (var file in System.IO.Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Directory, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Directory { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>
    /// Replaces <paramref name="relativePath"/> (default onnx/model.onnx) with a tiny graph over the int64 [batch, sequence] <paramref name="inputs"/>: float output
    /// <paramref name="output"/> = Cast(first input), shape [batch, sequence], or with <paramref name="hiddenAxis"/>
    /// Unsqueeze-d to [batch, sequence, 1] (a "hidden state" of width 1 whose value is the token id).
    /// </summary>
    public void WriteCastModel(string[] inputs, string output, bool hiddenAxis = false, string relativePath = "onnx/model.onnx")
    {
        static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)(number << 3 | 2)), .. Varint((ulong)payload.Length), .. payload];
        static byte[] Int(int number, long value) => [.. Varint((ulong)(number << 3)), .. Varint((ulong)value)];
        static byte[] Str(int number, string value) => Field(number, Encoding.UTF8.GetBytes(value));
        static byte[] Varint(ulong v)
        {
            var bytes = new List<byte>();
            for (; v >= 0x80; v >>= 7) bytes.Add((byte)(v | 0x80));
            bytes.Add((byte)v);
            return [.. bytes];
        }
        // NodeProto{input, output, op_type, attribute: AttributeProto{name, i | ints, type}}
        static byte[] Node(string input, string output, string op, byte[] attribute) =>
            [.. Str(1, input), .. Str(2, output), .. Str(4, op), .. Field(5, attribute)];
        // ValueInfoProto{name, type: TypeProto{tensor_type{elem_type, shape{dim{dim_param | dim_value}...}}}}
        static byte[] Value(string name, int elemType, bool hidden) => [.. Str(1, name), .. Field(2, Field(1,
            [.. Int(1, elemType), .. Field(2, [.. Field(1, Str(2, "batch")), .. Field(1, Str(2, "sequence")), .. (hidden ? Field(1, Int(1, 1)) : [])])]))];

        const int Float = 1, Int64 = 7, AttrInt = 2, AttrInts = 7;
        byte[] nodes = hiddenAxis
            ? [.. Field(1, Node(inputs[0], "cast", "Cast", [.. Str(1, "to"), .. Int(3, Float), .. Int(20, AttrInt)])),
               .. Field(1, Node("cast", output, "Unsqueeze", [.. Str(1, "axes"), .. Int(8, 2), .. Int(20, AttrInts)]))]
            : Field(1, Node(inputs[0], output, "Cast", [.. Str(1, "to"), .. Int(3, Float), .. Int(20, AttrInt)]));
        byte[] graph = [.. nodes, .. Str(2, "scratch"), .. inputs.SelectMany(i => Field(11, Value(i, Int64, false))), .. Field(12, Value(output, Float, hiddenAxis))];
        byte[] model = [.. Int(1, 7), .. Field(7, graph), .. Field(8, Int(2, 11))];
        File.WriteAllBytes(PathOf(relativePath), model);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
