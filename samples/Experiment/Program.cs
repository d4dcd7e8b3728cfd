using System.Diagnostics;
using Microsoft.ML;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

// An AutoML-style experiment without Microsoft.ML.AutoML (not on this registry): classic FeaturizeText baselines first,
// then a shuffled grid over pooling × features × head × learning rate, each scored by k-fold cross-validation on the
// training split until the time budget is spent, on a live leaderboard. The best is refitted on the whole training
// split, evaluated once on the held-out test split, saved as one file and reloaded. README.md here shows how the same
// estimators plug into AutoML's sweepable pipelines.
// Usage: dotnet run --project samples/Experiment [-- --dataset sms|sst2] [--train-rows N (sst2, default 5000)]
//        [--folds 5] [--time-budget-seconds 120] [--model <encoder: bundled name, folder or hub id; default all-MiniLM-L6-v2>]
var encoder = EncoderChoice.Resolve(args);
int folds = SampleAssets.IntOption(args, "--folds") ?? 5;
var budget = TimeSpan.FromSeconds(SampleAssets.IntOption(args, "--time-budget-seconds") ?? 120);
var task = (SampleAssets.Option(args, "--dataset") ?? "sms") switch
{
    "sms" => SmsSpam(),
    "sst2" => Sst2(SampleAssets.IntOption(args, "--train-rows") ?? 5000),
    var other => throw new ArgumentException($"Unknown --dataset '{other}': use sms or sst2."),
};
AnsiConsole.MarkupLine(Markup.Escape($"{task.Description}: {task.Train.Count} train / {task.Test.Count} held-out test rows."));

var ml = new MLContext(seed: 42);
var train = ml.Data.LoadFromEnumerable(task.Train);
var test = ml.Data.LoadFromEnumerable(task.Test);

// Embedding is the expensive step: embed the training split once per pooling into an in-memory cache that every trial
// and fold reuses; only the heads are swept. The fitted embedders go in front of the winning head at the end.
EmbeddingPooling[] poolings = [EmbeddingPooling.Mean, EmbeddingPooling.Cls, EmbeddingPooling.Max];
var embedders = poolings.ToDictionary(p => p, p => (ITransformer)ml.Transforms.Text
    .EmbedText(encoder, EmbeddingColumn(p), "Text", new TextEmbeddingOptions { Pooling = p }).Fit(train));
var features = ml.Data.Cache(embedders.Values.Aggregate(train, (view, embedder) => embedder.Transform(view)));
var watch = Stopwatch.StartNew();
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
    .Start(ctx =>
    {
        string what = $"Embedding the training texts ({string.Join("/", poolings)} pooling)";
        var bar = ctx.AddTask(Markup.Escape(what), maxValue: task.Train.Count);
        using var cursor = features.GetRowCursor(features.Schema);
        for (long rows = 1; cursor.MoveNext(); rows++)
        {
            if (rows % 64 != 0 && rows != task.Train.Count) continue;
            bar.Value = rows;
            bar.Description = Markup.Escape($"{what}: {rows:N0}/{task.Train.Count:N0}, {rows / watch.Elapsed.TotalSeconds:N0} rows/s");
        }
    });
AnsiConsole.MarkupLine($"Embedded the training split once per pooling in {watch.Elapsed.TotalSeconds:F1} s (not part of the budget).");

// The search space: baselines first, then the grid in a fixed shuffled order.
// The MLP head only sees embeddings: on FeaturizeText's ~10k n-gram features it is ~30x slower (150 s per CV on SMS spam)
// for no clear gain, so the concatenation gets linear heads.
var grid = (from words in new[] { false, true }
            from pooling in poolings
            from hidden in words ? new[] { 0 } : [0, 64]
            from learningRate in new[] { 0.005f, 0.02f, 0.05f }
            select HeadTrial(words, pooling, hidden, learningRate)).ToArray();
new Random(42).Shuffle(grid);
Trial[] trials =
[
    Baseline("LbfgsLogisticRegression", ml.BinaryClassification.Trainers.LbfgsLogisticRegression()),
    Baseline("SdcaLogisticRegression", ml.BinaryClassification.Trainers.SdcaLogisticRegression()),
    Baseline("SgdCalibrated", ml.BinaryClassification.Trainers.SgdCalibrated()),
    Baseline("AveragedPerceptron + Platt", ml.BinaryClassification.Trainers.AveragedPerceptron()
        .Append(ml.BinaryClassification.Calibrators.Platt())),
    .. grid,
];
var best = Leaderboard.Run(ml, features, trials, folds, budget)[0];

watch.Restart();
var head = AnsiConsole.Status().Start(Markup.Escape($"Refitting {best.Trial.Pipeline.Name} on all {task.Train.Count} training rows…"), status =>
    best.Trial.Pipeline.Build(new ImmediateProgress<ClassificationHeadProgress>(p =>
    {
        if (p.Stage == ClassificationHeadStage.Training) status.Status($"Refitting: epoch {p.Epoch}");
    })).Fit(features));
watch.Stop();
AnsiConsole.MarkupLine($"Best by cross-validation, refitted on the whole training split and evaluated once on the {task.Test.Count} held-out rows:");
var model = best.Trial.Pooling is { } bestPooling ? embedders[bestPooling].Append(head) : head;
var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
var final = new CandidateResult(best.Trial.Pipeline.Name, metrics.Accuracy, metrics.F1Score, metrics.AreaUnderRocCurve, watch.Elapsed, model);
BinaryComparison.PrintTable([final], task.Positive);
BinaryComparison.SaveReloadAndClassify(final, train.Schema, Path.Combine(Path.GetTempPath(), "experiment-best.mlnetllm"),
    task.Examples, task.Positive, task.Negative);

Trial Baseline(string trainer, IEstimator<ITransformer> estimator) =>
    new(new Candidate($"FeaturizeText + {trainer}", _ => ml.Transforms.Text.FeaturizeText("Features", "Text").Append(estimator)), null);

Trial HeadTrial(bool words, EmbeddingPooling pooling, int hiddenSize, float learningRate)
{
    string name = $"{(words ? "FeaturizeText ++ " : "")}EmbedText({pooling}) + Head(" +
                  $"{(hiddenSize == 0 ? "linear" : $"MLP {hiddenSize}")}, lr {learningRate})";
    return new(new Candidate(name, progress =>
    {
        var head = ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions
        {
            FeatureColumnName = words ? "Features" : EmbeddingColumn(pooling),
            HiddenSize = hiddenSize,
            LearningRate = learningRate,
            Progress = progress,
        });
        return words
            ? ml.Transforms.Text.FeaturizeText("Words", "Text")
                .Append(ml.Transforms.Concatenate("Features", "Words", EmbeddingColumn(pooling))).Append(head)
            : head;
    }), pooling);
}

static string EmbeddingColumn(EmbeddingPooling pooling) => $"{pooling}Embedding";

static ExperimentTask SmsSpam()
{
    var (train, test) = DataSets.SmsSpam(SampleAssets.Data("sms_spam", "SMSSpamCollection"));
    return new("SMS Spam Collection (stratified 80/20 split)", train, test, "spam", "ham",
    [
        "WINNER!! You have been selected for a £1000 prize. Call 09061701461 now to claim.",
        "Are we still meeting for lunch at 12? I'll bring the notes.",
    ]);
}

static ExperimentTask Sst2(int trainRows) =>
    new($"SST-2 (first {trainRows} train sentences; the dev set is the held-out test)",
        DataSets.Sst2(SampleAssets.Data("sst2", "train.tsv"), trainRows), DataSets.Sst2(SampleAssets.Data("sst2", "dev.tsv")),
        "positive", "negative", ["a gripping , beautifully acted film that stays with you", "dull , predictable and far too long"]);

/// <summary>A binary text classification task: the training split (cross-validated), the held-out test split, class names and demo texts.</summary>
sealed record ExperimentTask(string Description, List<LabeledText> Train, List<LabeledText> Test, string Positive, string Negative, string[] Examples);
