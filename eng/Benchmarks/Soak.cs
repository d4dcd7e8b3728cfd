using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// The soak check of docs/reliability.md: streams 10,000 and 100,000 rows through EmbedText, each in a fresh process so
/// peak working sets compare, and checks rows in = rows out and that the peak at 100k is within 10 % of the peak at 10k.
/// The children run with a 16 MB gen0 budget (<c>DOTNET_GCgen0size=0x1000000</c>) unless the environment sets another.
/// Run: <c>dotnet run -c Release --project eng/Benchmarks -- soak</c> (or <c>-- soak 10000 100000</c>).
/// </summary>
public static class Soak
{
    private const string ResultPrefix = "SOAK ";

    public static int Run(IReadOnlyList<int> sizes)
    {
        var results = sizes.Select(RunChild).ToList();
        Console.WriteLine();
        Console.WriteLine("| rows in | rows out | peak working set |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (var (rowsIn, rowsOut, peak) in results)
            Console.WriteLine($"| {rowsIn:N0} | {rowsOut:N0} | {peak / 1048576.0:F0} MB |");
        bool rowsMatch = results.All(r => r.RowsIn == r.RowsOut);
        double growth = (double)results[^1].Peak / results[0].Peak - 1;
        Console.WriteLine($"rows in = rows out: {rowsMatch}; peak at {results[^1].RowsIn:N0} rows vs {results[0].RowsIn:N0}: {growth:+0.0%;-0.0%}" +
                          $" ({(Math.Abs(growth) <= 0.10 ? "within" : "NOT within")} 10 %)");
        return rowsMatch && Math.Abs(growth) <= 0.10 ? 0 : 1;
    }

    /// <summary>The child's side: streams <paramref name="rows"/> rows and prints one machine-readable result line.</summary>
    public static void RunOne(int rows)
    {
        var (rowsOut, peak) = StreamingMemory.Run(rows);
        Console.WriteLine(FormattableString.Invariant($"{ResultPrefix}{rows} {rowsOut} {peak}"));
    }

    private static (int RowsIn, int RowsOut, long Peak) RunChild(int rows)
    {
        // Under 'dotnet run' the process is the apphost; under 'dotnet MlNetLlm.Benchmarks.dll' it is dotnet itself.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        // A fixed 16 MB gen0 budget, unless the caller sets one: otherwise the GC lets short-lived garbage grow its budget
        // (to ~80 MB on the 2-core VM) during the first tens of thousands of rows, which a 10k-row run never reaches, and the
        // comparison would measure that budget instead of what the pipeline keeps. docs/reliability.md gives both figures.
        if (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is null) start.Environment["DOTNET_GCgen0size"] = "0x1000000";
        start.ArgumentList.Add("soak-run");
        start.ArgumentList.Add(rows.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        string? result = null;
        for (var line = process.StandardOutput.ReadLine(); line is not null; line = process.StandardOutput.ReadLine())
        {
            Console.WriteLine(line);
            if (line.StartsWith(ResultPrefix, StringComparison.Ordinal)) result = line;
        }
        process.WaitForExit();
        var parts = (result ?? throw new InvalidOperationException($"The soak run of {rows} rows exited with code {process.ExitCode} and no result.")).Split(' ');
        return (int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}
