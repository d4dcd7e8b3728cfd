using Microsoft.ML;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

// Sentiment classification on SST-2 (train → dev, bundled under assets/data/sst2): the classic ML.NET baseline against
// transformer embeddings + a trained classification head; the best pipeline is saved as one file and reloaded.
// Usage: dotnet run --project samples/SentimentClassification [-- --model <encoder: bundled name, folder or hub id; default all-MiniLM-L6-v2>] [--train-rows N]
//        [--holdout SEED: evaluate on 800 whole train sentences held out with this seed instead of dev, train on the rest
//        minus their phrases (DataSets.Sst2SentenceHoldout): the train-only validation that chose (3)'s settings]
var encoder = EncoderChoice.Resolve(args);
var trainSet = DataSets.Sst2(SampleAssets.Data("sst2", "train.tsv"), SampleAssets.IntOption(args, "--train-rows"));
var devSet = DataSets.Sst2(SampleAssets.Data("sst2", "dev.tsv"));
var evaluation = "dev sentences";
if (SampleAssets.IntOption(args, "--holdout") is int seed)
{
    (trainSet, devSet) = DataSets.Sst2SentenceHoldout(trainSet, seed);
    evaluation = $"whole train sentences held out with seed {seed}, their phrases left out of train; dev not used";
}
AnsiConsole.MarkupLine($"SST-2: {trainSet.Count} train sentences, {devSet.Count} {evaluation} (evaluation).");

var ml = new MLContext(seed: 42);
var train = ml.Data.LoadFromEnumerable(trainSet);
var dev = ml.Data.LoadFromEnumerable(devSet);

// Each split is embedded once (cached), when pipeline (2) first reads it; (3) reuses the same embeddings.
var embedded = BinaryComparison.Embed(ml, encoder, train, dev);
var watch = System.Diagnostics.Stopwatch.StartNew();
// (3)'s head, chosen on SST-2 train only (never on dev): 800 random whole train sentences held out, every train row
// that is a phrase of them dropped from the rest, five such hold-outs. Balanced class weights and 2 epochs on all rows
// score 82.8 % on average there (5 epochs 82.8 %, balanced with early stopping 82.3 %, the trainer's defaults 82.1 %,
// 20 epochs 80.9 %); longer training likely fits train's many short phrases at the expense of whole sentences.
var results = BinaryComparison.Run(ml, embedded, BinaryComparison.StandardCandidates(ml, () => new ClassificationHeadOptions
{
    ClassWeights = ClassWeighting.Balanced,
    ValidationFraction = 0,
    MaxEpochs = 2,
}));
AnsiConsole.MarkupLine($"Trained and evaluated the three pipelines in {watch.Elapsed.TotalSeconds:F1} s (each split embedded once).");
var best = BinaryComparison.PrintTable(results, "positive");

BinaryComparison.SaveReloadAndClassify(best, train.Schema, Path.Combine(Path.GetTempPath(), "sentiment.mlnetllm"),
[
    "a gripping , beautifully acted film that stays with you",
    "dull , predictable and far too long",
    "not as bad as i feared , but not good either",
], positive: "positive", negative: "negative");
