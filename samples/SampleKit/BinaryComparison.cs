using System.Diagnostics;
using Microsoft.ML;
using Spectre.Console;

namespace MlNetLlm.Samples;

/// <summary>
/// A pipeline to compare: a name, how to build its estimator (reporting head training progress), and whether it reads
/// the shared <c>Embedding</c> column (then the fitted embedder goes in front of it in the saved model).
/// </summary>
public sealed record Candidate(string Name, Func<IProgress<ClassificationHeadProgress>, IEstimator<ITransformer>> Build, bool UsesEmbedding = false);

/// <summary>A trained, evaluated candidate.</summary>
public sealed record CandidateResult(string Name, double Accuracy, double F1, double Auc, TimeSpan TrainingTime, ITransformer Model);

/// <summary>
/// Train and test views with an <c>Embedding</c> column computed once and cached (<c>mlContext.Data.Cache</c>), so every
/// candidate reads the same embeddings; <see cref="Embedder"/> is the fitted <c>EmbedText</c> transformer.
/// </summary>
public sealed record EmbeddedSplits(ITransformer Embedder, IDataView Train, IDataView Test);

/// <summary>Trains binary classification pipelines side by side, evaluates them on a test set and prints a table.</summary>
public static class BinaryComparison
{
    /// <summary>
    /// Adds the <c>Embedding</c> column (sentence embeddings from <paramref name="encoder"/>) to both splits as cached
    /// views. Nothing is embedded yet: the first pipeline that reads the column fills the cache (its progress shows it),
    /// the next ones reuse it.
    /// </summary>
    public static EmbeddedSplits Embed(MLContext ml, string encoder, IDataView train, IDataView test)
    {
        var embedder = ml.Transforms.Text.EmbedText(encoder, "Embedding", "Text").Fit(train);
        return new EmbeddedSplits(embedder, ml.Data.Cache(embedder.Transform(train)), ml.Data.Cache(embedder.Transform(test)));
    }

    /// <summary>
    /// The three pipelines the samples compare, over <see cref="EmbeddedSplits"/>: (1) the classic ML.NET baseline,
    /// <c>FeaturizeText</c> + <c>LbfgsLogisticRegression</c>; (2) the sentence embeddings + a classification head with
    /// the trainer's defaults; (3) <c>FeaturizeText</c> features concatenated with the embeddings + a classification
    /// head with the options <paramref name="combinedHead"/> returns (each sample chooses them on its training split).
    /// </summary>
    public static Candidate[] StandardCandidates(MLContext ml, Func<ClassificationHeadOptions> combinedHead) =>
    [
        new("(1) FeaturizeText + LbfgsLogisticRegression", _ =>
            ml.Transforms.Text.FeaturizeText("Features", "Text")
                .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression())),
        new("(2) EmbedText + ClassificationHead", progress =>
            ml.BinaryClassification.Trainers.ClassificationHead(new ClassificationHeadOptions { FeatureColumnName = "Embedding", Progress = progress }),
            UsesEmbedding: true),
        new("(3) FeaturizeText ++ EmbedText + ClassificationHead", progress =>
        {
            var options = combinedHead();
            options.Progress = progress;
            return ml.Transforms.Text.FeaturizeText("Words", "Text")
                .Append(ml.Transforms.Concatenate(options.FeatureColumnName, "Words", "Embedding"))
                .Append(ml.BinaryClassification.Trainers.ClassificationHead(options));
        }, UsesEmbedding: true),
    ];

    /// <summary>
    /// Fits each candidate on the embedded training split (with a live progress bar: rows read through the encoder,
    /// rows/s and time left, then epochs) and evaluates it on the embedded test split.
    /// </summary>
    public static List<CandidateResult> Run(MLContext ml, EmbeddedSplits data, IReadOnlyList<Candidate> candidates)
    {
        var results = new List<CandidateResult>();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                foreach (var candidate in candidates)
                {
                    var task = ctx.AddTask(Markup.Escape(candidate.Name), maxValue: 1);
                    task.IsIndeterminate = true;
                    var progress = new ImmediateProgress<ClassificationHeadProgress>(p => Show(task, candidate.Name, p));
                    var watch = Stopwatch.StartNew();
                    var model = candidate.Build(progress).Fit(data.Train);
                    watch.Stop();
                    task.IsIndeterminate = true;
                    task.Description = Markup.Escape($"{candidate.Name} — evaluating");
                    var metrics = ml.BinaryClassification.Evaluate(model.Transform(data.Test));
                    var full = candidate.UsesEmbedding ? data.Embedder.Append(model) : model;
                    results.Add(new CandidateResult(candidate.Name, metrics.Accuracy, metrics.F1Score, metrics.AreaUnderRocCurve, watch.Elapsed, full));
                    task.Description = Markup.Escape(candidate.Name);
                    task.IsIndeterminate = false;
                    task.MaxValue = 1;
                    task.Value = 1;
                }
            });
        return results;
    }

    /// <summary>One line of progress: rows read (a bar with rows/s and time left) or the last epoch.</summary>
    private static void Show(ProgressTask task, string name, ClassificationHeadProgress p)
    {
        if (p.Stage == ClassificationHeadStage.ReadingRows)
        {
            task.IsIndeterminate = p.TotalRows is null;
            if (p.TotalRows is long total)
            {
                task.MaxValue = Math.Max(1, total);
                task.Value = p.Rows;
            }
            string eta = p.RemainingReadingTime is { } left ? $", {(int)left.TotalMinutes}:{left.Seconds:00} left" : "";
            task.Description = Markup.Escape($"{name} — reading rows {p.Rows:N0}/{p.TotalRows?.ToString("N0") ?? "?"}, {p.RowsPerSecond:N0} rows/s{eta}");
            return;
        }
        task.IsIndeterminate = true;
        task.Description = Markup.Escape(double.IsNaN(p.ValidationAccuracy)
            ? $"{name} — epoch {p.Epoch}, training loss {p.TrainingLoss:F4}"
            : $"{name} — epoch {p.Epoch}, validation accuracy {p.ValidationAccuracy:P1}");
    }

    /// <summary>Prints accuracy, F1 of the positive class, AUC and training time, marking the best accuracy.</summary>
    public static CandidateResult PrintTable(IReadOnlyList<CandidateResult> results, string positiveClass)
    {
        var best = results.OrderByDescending(r => r.Accuracy).ThenByDescending(r => r.Auc).First();
        var table = new Table().AddColumns("Pipeline", "Accuracy", $"F1 ({positiveClass})", "AUC", "Training time");
        foreach (var r in results)
        {
            string mark = r == best ? "[green]*[/] " : "";
            table.AddRow(mark + Markup.Escape(r.Name), $"{r.Accuracy:P2}", $"{r.F1:F4}", $"{r.Auc:F4}", $"{r.TrainingTime.TotalSeconds:F1} s");
        }
        AnsiConsole.Write(table);
        return best;
    }

    /// <summary>Saves <paramref name="best"/> as one file, reloads it in a fresh context and classifies <paramref name="texts"/>.</summary>
    public static void SaveReloadAndClassify(CandidateResult best, DataViewSchema inputSchema, string path, IEnumerable<string> texts, string positive, string negative)
    {
        new MLContext().Model.SavePipeline(best.Model, inputSchema, path);
        AnsiConsole.MarkupLine($"Saved [bold]{Markup.Escape(best.Name)}[/] to {Markup.Escape(path)} ({new FileInfo(path).Length / 1024.0 / 1024.0:F1} MB).");

        var fresh = new MLContext();
        var loaded = fresh.Model.LoadPipeline(path, out _);
        var engine = fresh.Model.CreatePredictionEngine<LabeledText, Prediction>(loaded);
        var table = new Table().AddColumns("Text (reloaded model)", "Prediction", "Probability");
        foreach (var text in texts)
        {
            var p = engine.Predict(new LabeledText { Text = text });
            table.AddRow(Markup.Escape(text), p.PredictedLabel ? positive : negative, $"{p.Probability:P1}");
        }
        AnsiConsole.Write(table);
    }

    /// <summary>Scores of a binary classifier.</summary>
    public sealed class Prediction
    {
        /// <summary>The predicted class.</summary>
        public bool PredictedLabel { get; set; }

        /// <summary>Probability of the positive class.</summary>
        public float Probability { get; set; }
    }
}
