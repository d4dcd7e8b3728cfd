using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// Streams generated rows (SST-2 sentences, cycled) through EmbedText and prints throughput, managed heap and working
/// set along the way, then the process's peak working set. Run: <c>dotnet run -c Release --project eng/Benchmarks -- stream-memory 100000</c>.
/// </summary>
public static class StreamingMemory
{
    private sealed class Sentence
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Streams <paramref name="rows"/> rows; returns the rows that came out and the process's peak working set in bytes.</summary>
    public static (int RowsOut, long PeakWorkingSet) Run(int rows)
    {
        var sentences = BenchmarkAssets.Sst2Sentences(5_000);
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Sentence { Text = sentences[i % sentences.Length] }));
        var transformer = ml.Transforms.Text.EmbedText(BenchmarkAssets.Model("tiny-bert-embed")).Fit(data);
        var output = transformer.Transform(data);
        var process = Process.GetCurrentProcess();
        Report(process, "model loaded", 0, null);

        var clock = Stopwatch.StartNew();
        using var cursor = output.GetRowCursor([output.Schema["Embedding"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Embedding"]);
        var vector = default(VBuffer<float>);
        int row = 0;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            if (++row % Math.Max(1, rows / 10) == 0) Report(process, "streaming", row, clock.Elapsed);
        }
        process.Refresh();
        Console.WriteLine($"{row:N0} rows in {clock.Elapsed.TotalSeconds:F1} s = {row / clock.Elapsed.TotalSeconds:N0} rows/s; " +
                          $"peak working set {process.PeakWorkingSet64 / 1048576.0:F0} MB");
        transformer.Model.Dispose();
        return (row, process.PeakWorkingSet64);
    }

    private static void Report(Process process, string what, int row, TimeSpan? elapsed)
    {
        process.Refresh();
        Console.WriteLine($"{what,-12} rows {row,8:N0}  managed {GC.GetTotalMemory(false) / 1048576.0,6:F1} MB  " +
                          $"working set {process.WorkingSet64 / 1048576.0,6:F0} MB  {(elapsed is { } e ? $"{row / e.TotalSeconds:N0} rows/s" : "")}");
    }
}
