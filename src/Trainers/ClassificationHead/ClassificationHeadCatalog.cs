using MlNetLlm;

namespace Microsoft.ML;

/// <summary>Classification-head trainers on ML.NET's binary and multiclass catalogs.</summary>
public static class ClassificationHeadCatalog
{
    /// <summary>A binary classification head (Boolean label) trained on a feature vector column.</summary>
    public static ClassificationHeadEstimator ClassificationHead(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        ClassificationHeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ClassificationHeadEstimator(options, binary: true);
    }

    /// <summary>A binary classification head (Boolean label) trained on a feature vector column.</summary>
    /// <param name="catalog">The binary trainers catalog.</param>
    /// <param name="labelColumnName">Boolean label column.</param>
    /// <param name="featureColumnName">Known-size Single vector column.</param>
    /// <param name="hiddenSize">0 for a linear head, else the hidden layer's size.</param>
    /// <param name="learningRate">AdamW learning rate.</param>
    /// <param name="maxEpochs">Maximum passes over the data.</param>
    /// <param name="batchSize">Examples per gradient step.</param>
    public static ClassificationHeadEstimator ClassificationHead(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = ColumnNames.Label, string featureColumnName = ColumnNames.Features, int hiddenSize = 0,
        float learningRate = 0.02f, int maxEpochs = 20, int batchSize = 64) =>
        catalog.ClassificationHead(Options(labelColumnName, featureColumnName, hiddenSize, learningRate, maxEpochs, batchSize));

    /// <summary>A multiclass classification head (key-typed label) trained on a feature vector column.</summary>
    public static ClassificationHeadEstimator ClassificationHead(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        ClassificationHeadOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ClassificationHeadEstimator(options, binary: false);
    }

    /// <summary>A multiclass classification head (key-typed label) trained on a feature vector column.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">Key-typed label column.</param>
    /// <param name="featureColumnName">Known-size Single vector column.</param>
    /// <param name="hiddenSize">0 for a linear head, else the hidden layer's size.</param>
    /// <param name="learningRate">AdamW learning rate.</param>
    /// <param name="maxEpochs">Maximum passes over the data.</param>
    /// <param name="batchSize">Examples per gradient step.</param>
    public static ClassificationHeadEstimator ClassificationHead(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = ColumnNames.Label, string featureColumnName = ColumnNames.Features, int hiddenSize = 0,
        float learningRate = 0.02f, int maxEpochs = 20, int batchSize = 64) =>
        catalog.ClassificationHead(Options(labelColumnName, featureColumnName, hiddenSize, learningRate, maxEpochs, batchSize));

    private static ClassificationHeadOptions Options(string label, string features, int hiddenSize, float learningRate, int maxEpochs, int batchSize) =>
        new()
        {
            LabelColumnName = label,
            FeatureColumnName = features,
            HiddenSize = hiddenSize,
            LearningRate = learningRate,
            MaxEpochs = maxEpochs,
            BatchSize = batchSize,
        };
}
