using System.Diagnostics;
using Microsoft.ML;
using MlNetLlm;
using MlNetLlm.Samples;
using Spectre.Console;

/// <summary>A point of the search space: a pipeline over the precomputed features, and the pooling whose embedder it needs.</summary>
sealed record Trial(Candidate Pipeline, EmbeddingPooling? Pooling);

/// <summary>Cross-validation scores of a trial: mean accuracy (± sample std over folds), AUC and F1, and the CV wall time.</summary>
sealed record TrialResult(Trial Trial, double Accuracy, double AccuracyStd, double Auc, double F1, TimeSpan Time);

/// <summary>Scores trials by k-fold cross-validation in order until the time budget is spent, showing a live leaderboard.</summary>
static class Leaderboard
{
    /// <summary>Runs <paramref name="trials"/> in order; no trial starts once <paramref name="budget"/> has elapsed. Best first.</summary>
    public static List<TrialResult> Run(MLContext ml, IDataView data, IReadOnlyList<Trial> trials, int folds, TimeSpan budget)
    {
        var results = new List<TrialResult>();
        var table = new Table().AddColumns("#", "Pipeline", "CV accuracy", "AUC", "F1", "CV time");
        foreach (var column in table.Columns.Skip(2)) column.RightAligned();
        // A live table redraws in place; redirected output (logs, CI) would get a cropped copy per refresh, so there the
        // trials are logged one line each and the table is written once at the end.
        bool live = AnsiConsole.Profile.Capabilities.Interactive;
        var clock = Stopwatch.StartNew();
        // Best rows and the status (the title) are on top: a table taller than the terminal loses its worst rows.
        if (live) AnsiConsole.Live(table).Cropping(VerticalOverflowCropping.Bottom).Start(ctx => Sweep(ctx.Refresh));
        else
        {
            Sweep(null);
            AnsiConsole.Write(table);
        }
        return results;

        void Sweep(Action? refresh)
        {
            foreach (var (trial, index) in trials.Select((t, i) => (t, i)))
            {
                if (clock.Elapsed >= budget) break;
                string running = $"{clock.Elapsed.TotalSeconds:F0}/{budget.TotalSeconds:F0} s — trial {index + 1}/{trials.Count}: {trial.Pipeline.Name}";
                int fold = 0;
                var progress = new ImmediateProgress<ClassificationHeadProgress>(p =>
                {
                    if (p.Stage != ClassificationHeadStage.Training) return; // the features are cached: reading is quick
                    if (p.Epoch == 1) fold++;
                    if (live) Show($"{running}, fold {fold}/{folds}, epoch {p.Epoch}");
                });
                Show(running);

                var watch = Stopwatch.StartNew();
                // Folds come from a hash of the text (seeded), so every trial sees the same folds and duplicates stay together.
                var cv = ml.BinaryClassification.CrossValidate(data, trial.Pipeline.Build(progress), folds, samplingKeyColumnName: "Text", seed: 42);
                watch.Stop();
                var accuracy = cv.Select(f => f.Metrics.Accuracy).ToArray();
                double mean = accuracy.Average();
                results.Add(new TrialResult(trial, mean, Math.Sqrt(accuracy.Sum(a => (a - mean) * (a - mean)) / (accuracy.Length - 1)),
                    cv.Average(f => f.Metrics.AreaUnderRocCurve), cv.Average(f => f.Metrics.F1Score), watch.Elapsed));
                results.Sort((a, b) => (b.Accuracy, b.Auc).CompareTo((a.Accuracy, a.Auc)));

                table.Rows.Clear();
                foreach (var (r, rank) in results.Select((r, i) => (r, i + 1)))
                {
                    string name = Markup.Escape(r.Trial.Pipeline.Name);
                    table.AddRow($"{rank}", rank == 1 ? $"[green]{name}[/]" : name, $"{r.Accuracy:P2} ± {r.AccuracyStd:P2}",
                        $"{r.Auc:F4}", $"{r.F1:F4}", $"{r.Time.TotalSeconds:F1} s");
                }
            }
            int skipped = trials.Count - results.Count;
            table.Title(Markup.Escape($"{results.Count} of {trials.Count} trials in {clock.Elapsed.TotalSeconds:F0} s " +
                $"({folds}-fold CV, budget {budget.TotalSeconds:F0} s" + (skipped > 0 ? $"; {skipped} not started: budget spent)" : ")")));
            refresh?.Invoke();

            void Show(string status)
            {
                table.Title(Markup.Escape(status));
                if (refresh is null) AnsiConsole.MarkupLine(Markup.Escape(status));
                else refresh();
            }
        }
    }
}
