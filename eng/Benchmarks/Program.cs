using BenchmarkDotNet.Running;
using MlNetLlm.Benchmarks;

// Run all: dotnet run -c Release --project eng/Benchmarks -- --filter '*'
// Memory while streaming through EmbedText: dotnet run -c Release --project eng/Benchmarks -- stream-memory 100000
// Greedy tiny-t5 tokens/s vs a raw ONNX Runtime loop: dotnet run -c Release --project eng/Benchmarks -- seq2seq [rounds] [sentences]
// Soak (rows in = rows out, peak working set at 10k vs 100k rows, each in its own process): dotnet run -c Release --project eng/Benchmarks -- soak
// Long inputs through the stories260k BPE tokenizer: dotnet run -c Release --project eng/Benchmarks -- tokenize-long
// STS-B Spearman of cosine similarity: dotnet run -c Release --project eng/Benchmarks -- sts-b [encoder folder or bundled
// model name; default all-MiniLM-L6-v2]
// Greedy generation against onnxruntime-genai: dotnet run -c Release --project eng/Benchmarks -- genai-compare [decoder folder] [new tokens] [repetitions]
// Per-step time of GenerationSession vs the raw ONNX Runtime loop vs onnxruntime-genai, interleaved step by step: dotnet run -c Release --project eng/Benchmarks -- step-compare <decoder folder> [steps] [threads] [rounds] [prompt tokens]
// The export's Concat(past, new) KV copy per decode step at ~10 vs ~1,000 cached tokens (ONNX Runtime profiler): dotnet run -c Release --project eng/Benchmarks -- kv-copy-cost <decoder folder> [long prompt tokens] [threads]
// Time to first token and per-token latency on a long prompt: dotnet run -c Release --project eng/Benchmarks -- long-context <decoder folder> [prompt tokens] [threads]
// Peak RSS while generating: dotnet run -c Release --project eng/Benchmarks -- long-generate <decoder folder> [new tokens] [threads]
// STS-B Spearman of a cross-encoder's pair scores: dotnet run -c Release --project eng/Benchmarks -- sts-b-cross [cross-encoder folder]
// Text layer cost per token at token 100 vs 2,000 (streaming with a stop sequence): dotnet run -c Release --project eng/Benchmarks -- stream-text-cost [tokenizer folder]
// EmbedText vs the raw ONNX Runtime loop, rows/s, alternating: dotnet run -c Release --project eng/Benchmarks -- embed-compare [encoder folder or bundled name; default all-MiniLM-L6-v2] [rows] [repetitions]
// A cross-encoder against a reference_outputs.json-format file: dotnet run -c Release --project eng/Benchmarks -- cross-parity <file> [folder]
if (args is ["sts-b", ..])
{
    var encoder = args.Length > 1 ? args[1] : "all-MiniLM-L6-v2";
    if (!Directory.Exists(encoder)) encoder = BenchmarkAssets.Model(encoder);
    foreach (var split in new[] { "dev", "test" })
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (spearman, pairs) = MlNetLlm.Samples.StsBenchmark.Evaluate(encoder, BenchmarkAssets.Data("stsb", $"sts-{split}.csv"));
        Console.WriteLine($"STS-B {split}: Spearman(cosine, gold) = {spearman:F4} over {pairs} pairs ({Path.GetFileName(encoder)}, {watch.Elapsed.TotalSeconds:F1} s)");
    }
}
else if (args is ["embed-compare", ..])
    EmbedCompare.Run(args.Length > 1 ? args[1] : "all-MiniLM-L6-v2", args.Length > 2 ? Number(args[2]) : 2000, args.Length > 3 ? Number(args[3]) : 5);
else if (args is ["genai-compare", ..])
    GenAiCompare.Run(args.Length > 1 ? args[1] : BenchmarkAssets.Model("tiny-qwen2"), args.Length > 2 ? Number(args[2]) : 200, args.Length > 3 ? Number(args[3]) : 9);
else if (args is ["step-compare", var stepFolder, ..])
    StepCompare.Run(stepFolder, args.Length > 2 ? Number(args[2]) : 32, args.Length > 3 ? Number(args[3]) : 2, args.Length > 4 ? Number(args[4]) : 3, args.Length > 5 ? Number(args[5]) : 0);
else if (args is ["kv-copy-cost", var kvFolder, ..])
    KvCopyCost.Run(kvFolder, args.Length > 2 ? Number(args[2]) : 1000, args.Length > 3 ? Number(args[3]) : 2);
else if (args is ["long-context", var longFolder, ..])
    LongContext.Latency(longFolder, args.Length > 2 ? Number(args[2]) : 1000, args.Length > 3 ? Number(args[3]) : 2);
else if (args is ["long-generate", var generateFolder, ..])
    LongContext.Generate(generateFolder, args.Length > 2 ? Number(args[2]) : 1000, args.Length > 3 ? Number(args[3]) : 2);
else if (args is ["seq2seq", ..])
    Seq2SeqSpeed.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 32);
else if (args is ["tokenize-long"]) LongTextTokenization.Run();
else if (args is ["stream-text-cost", ..]) StreamingTextCost.Run(args.Length > 1 ? args[1] : BenchmarkAssets.Model("stories260k"));
else if (args is ["sts-b-cross", ..])
{
    var crossEncoder = args.Length > 1 ? args[1] : BenchmarkAssets.Model("tiny-cross-encoder");
    foreach (var split in new[] { "dev", "test" })
    {
        var (spearman, pairs) = MlNetLlm.Samples.StsBenchmark.EvaluateCrossEncoder(crossEncoder, BenchmarkAssets.Data("stsb", $"sts-{split}.csv"));
        Console.WriteLine($"STS-B {split}: Spearman(cross-encoder score, gold) = {spearman:F4} over {pairs} pairs ({Path.GetFileName(crossEncoder)})");
    }
}
else if (args is ["cross-parity", var referenceFile, ..])
    Environment.ExitCode = CrossEncoderParity.Run(referenceFile, args.Length > 2 ? args[2] : BenchmarkAssets.Model("tiny-cross-encoder")) == 0 ? 0 : 1;
else if (args is ["stream-memory", var rows]) StreamingMemory.Run(int.Parse(rows, System.Globalization.CultureInfo.InvariantCulture));
else if (args is ["soak", .. var sizes])
    return Soak.Run(sizes.Length > 0 ? [.. sizes.Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))] : [10_000, 100_000]);
else if (args is ["soak-run", var soakRows]) Soak.RunOne(int.Parse(soakRows, System.Globalization.CultureInfo.InvariantCulture));
else BenchmarkSwitcher.FromAssembly(typeof(BenchmarkAssets).Assembly).Run(args);
return 0;

static int Number(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
