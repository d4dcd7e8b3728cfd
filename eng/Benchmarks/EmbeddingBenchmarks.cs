using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// 2,000 SST-2 sentences through tiny-bert-embed (mean pooling): EmbedText in an IDataView pipeline versus (a) the
/// route available today, fixed 128-token columns + ApplyOnnxModel row by row, and (b) a plain ONNX Runtime loop with
/// batches of 32 padded to their longest sentence (ONNX Runtime defaults, and without thread spinning as EmbedText
/// runs; <see cref="RawEncoderLoop"/>). Times are per row (OperationsPerInvoke = rows).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class EmbeddingBenchmarks
{
    private const int Rows = 2_000, FixedLength = 128, BatchSize = 32, Dim = 64;

    private readonly MLContext _ml = new(seed: 0);
    private string[] _sentences = [];
    private PretrainedTokenizer _tokenizer = null!;
    private ITransformer _embedText = null!, _applyOnnx = null!;
    private InferenceSession _session = null!, _sessionNoSpinning = null!;
    private readonly SessionOptions _noSpinning = new();

    public sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    public sealed class FixedLengthIds
    {
        [VectorType(FixedLength)] public long[] input_ids { get; set; } = [];
        [VectorType(FixedLength)] public long[] attention_mask { get; set; } = [];
        [VectorType(FixedLength)] public long[] token_type_ids { get; set; } = [];
    }

    public sealed class HiddenStates
    {
        [VectorType(FixedLength * Dim)] public float[] last_hidden_state { get; set; } = [];
        [VectorType(FixedLength)] public long[] attention_mask { get; set; } = [];
    }

    private static string ModelDir => BenchmarkAssets.Model("tiny-bert-embed");
    private static string OnnxFile => Path.Combine(ModelDir, "onnx", "model.onnx");

    [GlobalSetup]
    public void Setup()
    {
        _sentences = BenchmarkAssets.Sst2Sentences(Rows);
        _tokenizer = PretrainedTokenizer.FromDirectory(ModelDir);
        _embedText = _ml.Transforms.Text.EmbedText(ModelDir, options: new TextEmbeddingOptions { BatchSize = BatchSize })
            .Fit(_ml.Data.LoadFromEnumerable(new[] { new Sentence() }));
        string[] inputs = ["input_ids", "attention_mask", "token_type_ids"];
        var shapes = inputs.ToDictionary(n => n, _ => new[] { 1, FixedLength });
        shapes["last_hidden_state"] = [1, FixedLength, Dim];
        _applyOnnx = _ml.Transforms.ApplyOnnxModel(["last_hidden_state"], inputs, OnnxFile, shapes, gpuDeviceId: null, fallbackToCpu: false, recursionLimit: 100)
            .Fit(_ml.Data.LoadFromEnumerable(new[] { Pad(_tokenizer.Encode("")) }));
        _session = new InferenceSession(OnnxFile);
        _noSpinning.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _sessionNoSpinning = new InferenceSession(OnnxFile, _noSpinning);
        // The three routes must compute the same embeddings (sum of first components over all rows).
        float expected = EmbedText();
        foreach (var (name, sum) in new[] { ("ApplyOnnxModel", ApplyOnnxModelFixed128()), ("raw loop", RawOnnxRuntimeLoop()) })
            if (Math.Abs(sum - expected) > 1e-2f)
                throw new InvalidOperationException($"{name} checksum {sum} differs from EmbedText {expected}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _sessionNoSpinning.Dispose();
        _noSpinning.Dispose();
        ((TextEmbeddingTransformer)_embedText).Model.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public float EmbedText() => EmbedTextChecksum(_ml, _embedText, _sentences);

    /// <summary>Streams <paramref name="sentences"/> through a fitted EmbedText; returns the sum of every embedding's first component.</summary>
    internal static float EmbedTextChecksum(MLContext ml, ITransformer embedText, string[] sentences)
    {
        var output = embedText.Transform(ml.Data.LoadFromEnumerable(sentences.Select(s => new Sentence { Text = s })));
        using var cursor = output.GetRowCursor([output.Schema["Embedding"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Embedding"]);
        var vector = default(VBuffer<float>);
        float sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            sum += vector.GetValues()[0];
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public float ApplyOnnxModelFixed128()
    {
        var ids = _ml.Data.LoadFromEnumerable(_sentences.Select(s => Pad(_tokenizer.Encode(s, maxLength: FixedLength))));
        float sum = 0;
        foreach (var row in _ml.Data.CreateEnumerable<HiddenStates>(_applyOnnx.Transform(ids), reuseRowObject: true))
            sum += RawEncoderLoop.MeanPoolNormalized(row.last_hidden_state, row.attention_mask)[0];
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public float RawOnnxRuntimeLoop() => RawLoop(_session);

    /// <summary>The same loop with the session setting EmbedText uses (idle ONNX threads do not spin).</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public float RawOnnxRuntimeLoopNoSpinning() => RawLoop(_sessionNoSpinning);

    private float RawLoop(InferenceSession session) => RawEncoderLoop.Run(session, _tokenizer, _sentences, BatchSize, FixedLength);

    private static FixedLengthIds Pad(TokenizedText e)
    {
        var row = new FixedLengthIds { input_ids = new long[FixedLength], attention_mask = new long[FixedLength], token_type_ids = new long[FixedLength] };
        for (int t = 0; t < e.Count; t++) (row.input_ids[t], row.attention_mask[t], row.token_type_ids[t]) = (e.Ids[t], 1, e.TypeIds[t]);
        return row;
    }
}
