namespace MlNetLlm;

/// <summary>How the training loss weights the examples of each class.</summary>
public enum ClassWeighting
{
    /// <summary>Every class counts by its frequency (each example has weight 1, times its example weight if any).</summary>
    None,

    /// <summary>Class c gets weight n / (k · n_c), so that every class contributes equally to the loss.</summary>
    Balanced,
}

/// <summary>The activation function of the hidden layer (used when <see cref="ClassificationHeadOptions.HiddenSize"/> &gt; 0).</summary>
public enum HeadActivation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>GELU, tanh approximation (as in BERT-style heads).</summary>
    Gelu,
}

/// <summary>Options of the classification-head trainer (binary and multiclass).</summary>
public sealed class ClassificationHeadOptions
{
    /// <summary>Label column: Boolean for binary classification, a key type for multiclass. Default "Label".</summary>
    public string LabelColumnName { get; set; } = ColumnNames.Label;

    /// <summary>Feature column: a known-size vector of Single (e.g. text embeddings). Default "Features".</summary>
    public string FeatureColumnName { get; set; } = ColumnNames.Features;

    /// <summary>Optional Single column weighting each example's loss. Default null (all examples weigh 1).</summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>0 (default) trains a linear logistic/softmax head; &gt; 0 adds one hidden layer of this many units.</summary>
    public int HiddenSize { get; set; }

    /// <summary>Activation of the hidden layer. Default <see cref="HeadActivation.Relu"/>.</summary>
    public HeadActivation Activation { get; set; } = HeadActivation.Relu;

    /// <summary>Dropout probability applied to each layer's input during training, in [0, 1). Default 0.</summary>
    public float Dropout { get; set; }

    /// <summary>AdamW learning rate. Default 0.02.</summary>
    public float LearningRate { get; set; } = 0.02f;

    /// <summary>AdamW decoupled weight decay (applied to weights, not biases). Default 0.0001.</summary>
    public float WeightDecay { get; set; } = 1e-4f;

    /// <summary>Examples per gradient step. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Maximum passes over the training examples. Default 20.</summary>
    public int MaxEpochs { get; set; } = 20;

    /// <summary>
    /// Fraction of the examples held back to pick the best epoch and stop early, in [0, 1). 0 trains all
    /// <see cref="MaxEpochs"/> on all examples. Default 0.1.
    /// </summary>
    public float ValidationFraction { get; set; } = 0.1f;

    /// <summary>Epochs without a lower validation loss before training stops (best weights are restored). Default 3.</summary>
    public int Patience { get; set; } = 3;

    /// <summary>Class weighting of the loss. Default <see cref="ClassWeighting.None"/>.</summary>
    public ClassWeighting ClassWeights { get; set; } = ClassWeighting.None;

    /// <summary>Seed of initialization, validation split, shuffling and dropout: the same seed gives a bit-identical model. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// Receives reports while the training rows are read (<see cref="ClassificationHeadStage.ReadingRows"/>: at the
    /// start, about twice a second, and at the end; this is where upstream transforms such as an encoder run) and one
    /// per epoch (<see cref="ClassificationHeadStage.Training"/>). Default null.
    /// </summary>
    public IProgress<ClassificationHeadProgress>? Progress { get; set; }

    internal ClassificationHeadOptions Clone() => (ClassificationHeadOptions)MemberwiseClone();
}

/// <summary>What a <see cref="ClassificationHeadProgress"/> report is about.</summary>
public enum ClassificationHeadStage
{
    /// <summary>
    /// Reading the training rows through the input's cursor, which runs every transform upstream of the head (an
    /// encoder embeds the rows here unless they were cached): <see cref="ClassificationHeadProgress.Rows"/> so far.
    /// </summary>
    ReadingRows,

    /// <summary>An epoch has finished: <see cref="ClassificationHeadProgress.Epoch"/>, losses and validation accuracy.</summary>
    Training,
}

/// <summary>
/// Progress of classification-head training: the rows read so far (the featurization pass), then one report per epoch.
/// </summary>
public sealed class ClassificationHeadProgress
{
    /// <summary>Reading rows or training; <see cref="ClassificationHeadStage.Training"/> unless set.</summary>
    public ClassificationHeadStage Stage { get; init; } = ClassificationHeadStage.Training;

    /// <summary>Rows read from the input so far (reading), or all rows read (training).</summary>
    public long Rows { get; init; }

    /// <summary>The input's row count when it knows it (<c>IDataView.GetRowCount</c>), else null.</summary>
    public long? TotalRows { get; init; }

    /// <summary>Time spent reading rows so far (reading), or in all of reading (training).</summary>
    public TimeSpan ReadingTime { get; init; }

    /// <summary>Rows read per second so far; 0 before the first row.</summary>
    public double RowsPerSecond => ReadingTime > TimeSpan.Zero ? Rows / ReadingTime.TotalSeconds : 0;

    /// <summary>Estimated time until all rows are read at the rate so far; null when the total or the rate is unknown.</summary>
    public TimeSpan? RemainingReadingTime => TotalRows is long total && RowsPerSecond > 0
        ? TimeSpan.FromSeconds(Math.Max(0, total - Rows) / RowsPerSecond)
        : null;

    /// <summary>The epoch just finished, from 1; 0 while reading rows.</summary>
    public required int Epoch { get; init; }

    /// <summary>Mean (weighted) cross-entropy over the epoch's training batches; NaN while reading rows.</summary>
    public required double TrainingLoss { get; init; }

    /// <summary>Mean (weighted) cross-entropy on the held-back examples; NaN when there is no validation set or while reading rows.</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>Accuracy on the held-back examples; NaN when there is no validation set or while reading rows.</summary>
    public required double ValidationAccuracy { get; init; }

    /// <summary>True when this epoch's weights are the best so far (the ones kept).</summary>
    public required bool IsBest { get; init; }
}
