using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using MlNetLlm.Onnx;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// <c>embed-compare [encoder folder or bundled name] [rows] [repetitions]</c>: the first SST-2 train sentences through
/// <c>EmbedText</c> in an IDataView pipeline and through the plain ONNX Runtime loop (<see cref="RawEncoderLoop"/>, a
/// session with ONNX Runtime's defaults, batches of 32 in input order), alternating; checks both give the same
/// embeddings (checksum) and prints rows/s of each and the ratio. A Stopwatch command, so a model as large as
/// all-MiniLM-L6-v2 fits in a short run.
/// </summary>
internal static class EmbedCompare
{
    public static void Run(string model, int rows, int repetitions)
    {
        var folder = Directory.Exists(model) ? model : BenchmarkAssets.Model(model);
        var sentences = BenchmarkAssets.Sst2Sentences(rows);
        var ml = new MLContext(seed: 0);
        using var encoder = TextEmbeddingModel.FromDirectory(folder, new TextEmbeddingOptions { BatchSize = 32 });
        var transformer = ml.Transforms.Text.EmbedText(encoder).Fit(ml.Data.LoadFromEnumerable(new[] { new EmbeddingBenchmarks.Sentence() }));
        using var session = new InferenceSession(ModelFamily.Encoder.FindGraph(folder, 0, null)[0]);
        var tokenizer = PretrainedTokenizer.FromDirectory(folder);

        float Ours() => EmbeddingBenchmarks.EmbedTextChecksum(ml, transformer, sentences);
        float Raw() => RawEncoderLoop.Run(session, tokenizer, sentences, 32, encoder.MaxLength);

        float ours = Ours(), raw = Raw(); // warm-up, and the same embeddings from both
        if (Math.Abs(ours - raw) > 1e-5f * rows)
            throw new InvalidOperationException($"EmbedText checksum {ours} differs from the raw loop's {raw}.");
        var times = new List<double>[] { [], [] };
        for (int i = 0; i < repetitions; i++)
            for (int k = 0; k < 2; k++)
            {
                int which = (i + k) % 2;
                var watch = Stopwatch.StartNew();
                _ = which == 0 ? Ours() : Raw();
                times[which].Add(watch.Elapsed.TotalSeconds);
            }
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}, {rows} SST-2 sentences, {repetitions} alternating repetitions, same embeddings"));
        Console.WriteLine(string.Create(c, $"  EmbedText:     best {rows / times[0].Min():F0} rows/s, median {rows / GenAiCompare.Median([.. times[0]]):F0}"));
        Console.WriteLine(string.Create(c, $"  raw ORT loop:  best {rows / times[1].Min():F0} rows/s, median {rows / GenAiCompare.Median([.. times[1]]):F0}"));
        Console.WriteLine(string.Create(c, $"EmbedText vs raw ONNX Runtime loop: {times[1].Min() / times[0].Min():F2}x (best), {GenAiCompare.Median([.. times[1]]) / GenAiCompare.Median([.. times[0]]):F2}x (median)"));
    }
}
