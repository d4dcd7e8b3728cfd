using System.Text;

namespace MlNetLlm.Tests.Generation;

/// <summary>
/// Writes the older non-merged decoder pair (<c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c>) from an
/// Optimum merged decoder, the way Optimum built the merged one in reverse: each branch of the <c>If</c> node on
/// <c>use_cache_branch</c> becomes a graph of its own over the parent's initializers. The with-past model loses
/// <c>encoder_hidden_states</c> and the <c>present.*.encoder.*</c> outputs, as Optimum exports it. Raw protobuf, no ONNX library.
/// </summary>
internal static class SplitDecoder
{
    private const int GraphField = 7, NodeField = 1, InputField = 11, OutputField = 12, AttributeField = 5, AttributeGraph = 6, NameField = 1;

    public static void Write(string mergedPath, string decoderPath, string withPastPath)
    {
        var model = Fields(File.ReadAllBytes(mergedPath));
        var graph = Fields(model.Single(f => f.Number == GraphField).Payload);
        var ifNode = Fields(graph.Single(f => f.Number == NodeField).Payload);
        byte[] Branch(string name) => ifNode.Where(f => f.Number == AttributeField).Select(f => Fields(f.Payload))
            .Single(a => Name(a) == name).Single(f => f.Number == AttributeGraph).Payload;

        File.WriteAllBytes(decoderPath, Rebuild(model, graph, Branch("else_branch"),
            input => !input.StartsWith("past_key_values.", StringComparison.Ordinal) && input != "use_cache_branch", _ => true));
        File.WriteAllBytes(withPastPath, Rebuild(model, graph, Branch("then_branch"),
            input => input != "encoder_hidden_states" && input != "use_cache_branch", output => !output.Contains(".encoder.", StringComparison.Ordinal)));
    }

    private static byte[] Rebuild(List<Field> model, List<Field> graph, byte[] branch, Func<string, bool> keepInput, Func<string, bool> keepOutput)
    {
        var nodes = Fields(branch).Where(f => f.Number == NodeField);
        var body = graph.Where(f => f.Number != NodeField
                                    && (f.Number != InputField || keepInput(Name(Fields(f.Payload))))
                                    && (f.Number != OutputField || keepOutput(Name(Fields(f.Payload)))));
        var newGraph = Concat(nodes.Concat(body));
        return Concat(model.Select(f => f.Number == GraphField ? f with { Payload = newGraph } : f));
    }

    private static string Name(List<Field> message) => Encoding.UTF8.GetString(message.First(f => f.Number == NameField).Payload);

    private sealed record Field(int Number, int WireType, byte[] Payload, ulong Value);

    private static List<Field> Fields(byte[] bytes)
    {
        var fields = new List<Field>();
        int i = 0;
        while (i < bytes.Length)
        {
            ulong tag = Varint(bytes, ref i);
            int number = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case 0: fields.Add(new(number, wire, [], Varint(bytes, ref i))); break;
                case 1: fields.Add(new(number, wire, bytes[i..(i + 8)], 0)); i += 8; break;
                case 5: fields.Add(new(number, wire, bytes[i..(i + 4)], 0)); i += 4; break;
                case 2:
                    int length = (int)Varint(bytes, ref i);
                    fields.Add(new(number, wire, bytes[i..(i + length)], 0));
                    i += length;
                    break;
                default: throw new InvalidDataException($"Unexpected protobuf wire type {wire}.");
            }
        }
        return fields;
    }

    private static byte[] Concat(IEnumerable<Field> fields)
    {
        using var output = new MemoryStream();
        foreach (var f in fields)
        {
            WriteVarint(output, (ulong)(f.Number << 3 | f.WireType));
            if (f.WireType == 0) WriteVarint(output, f.Value);
            else
            {
                if (f.WireType == 2) WriteVarint(output, (ulong)f.Payload.Length);
                output.Write(f.Payload);
            }
        }
        return output.ToArray();
    }

    private static ulong Varint(byte[] bytes, ref int i)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        for (; value >= 0x80; value >>= 7) output.WriteByte((byte)(value | 0x80));
        output.WriteByte((byte)value);
    }
}
