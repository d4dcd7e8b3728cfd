using Microsoft.ML;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

// Spam detection on the SMS Spam Collection: the classic ML.NET baseline against transformer embeddings + a trained
// classification head, side by side; the best pipeline is saved as one file, reloaded and used on new messages.
// Usage: dotnet run --project samples/SpamDetection [-- --model <encoder: bundled name, folder or hub id; default all-MiniLM-L6-v2>]
var encoder = EncoderChoice.Resolve(args);
var (trainRows, testRows) = DataSets.SmsSpam(SampleAssets.Data("sms_spam", "SMSSpamCollection"));
AnsiConsole.MarkupLine($"SMS Spam Collection: {trainRows.Count} train / {testRows.Count} test messages " +
                       $"({testRows.Count(r => r.Label)} spam in test), duplicates dropped, stratified 80/20 split.");

var ml = new MLContext(seed: 42);
var train = ml.Data.LoadFromEnumerable(trainRows);
var test = ml.Data.LoadFromEnumerable(testRows);

// Each split is embedded once (cached), when pipeline (2) first reads it; (3) reuses the same embeddings.
var embedded = BinaryComparison.Embed(ml, encoder, train, test);
var watch = System.Diagnostics.Stopwatch.StartNew();
// (3)'s head, chosen by 5-fold cross-validation on the training split (never on test): balanced class weights and all
// 20 epochs on all rows (no early-stopping hold-out) score 99.30 % (the trainer's defaults 99.01 %, balanced with
// early stopping 99.18 %, 5 epochs 99.25 %).
var results = BinaryComparison.Run(ml, embedded, BinaryComparison.StandardCandidates(ml, () => new ClassificationHeadOptions
{
    ClassWeights = ClassWeighting.Balanced,
    ValidationFraction = 0,
    MaxEpochs = 20,
}));
AnsiConsole.MarkupLine($"Trained and evaluated the three pipelines in {watch.Elapsed.TotalSeconds:F1} s (each split embedded once).");
var best = BinaryComparison.PrintTable(results, "spam");

BinaryComparison.SaveReloadAndClassify(best, train.Schema, Path.Combine(Path.GetTempPath(), "spam-detection.mlnetllm"),
[
    "WINNER!! You have been selected for a £1000 prize. Call 09061701461 now to claim.",
    "Are we still meeting for lunch at 12? I'll bring the notes.",
    "Free entry: text WIN to 80086 for a chance to win a new phone!",
    "Sorry I missed your call, I'll ring you back after work.",
], positive: "spam", negative: "ham");
