using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Samples;

/// <summary>The STS Benchmark: how well cosine similarity of sentence embeddings ranks sentence pairs like human judges.</summary>
public static class StsBenchmark
{
    private sealed class ScoredPair
    {
        public float Score { get; set; }
        public float Cosine { get; set; }
    }

    /// <summary>
    /// Spearman correlation of cosine(EmbedText(sentence1), EmbedText(sentence2)) with the gold scores (0–5) of an STS-B
    /// file (<c>sts-dev.csv</c>, <c>sts-test.csv</c>: tab-separated, no header), and the number of pairs.
    /// </summary>
    public static (double Spearman, int Pairs) Evaluate(string encoderDirectory, string stsFile)
    {
        var ml = new MLContext();
        // One loaded encoder shared by both columns' transforms (they do not dispose a model they were given).
        using var encoder = TextEmbeddingModel.FromDirectory(encoderDirectory);
        var pipeline = ml.Transforms.Text.EmbedText(encoder, "Embedding1", "Sentence1")
            .Append(ml.Transforms.Text.EmbedText(encoder, "Embedding2", "Sentence2"))
            .Append(ml.Transforms.CosineSimilarity("Cosine", "Embedding1", "Embedding2"));
        return Spearman(ml, pipeline, stsFile);
    }

    /// <summary>
    /// Spearman correlation of a cross-encoder's score of (sentence1, sentence2) — <c>ScoreTextPairs</c> with the model in
    /// <paramref name="crossEncoderDirectory"/> — with the gold scores of an STS-B file, and the number of pairs.
    /// </summary>
    public static (double Spearman, int Pairs) EvaluateCrossEncoder(string crossEncoderDirectory, string stsFile)
    {
        var ml = new MLContext();
        return Spearman(ml, ml.Transforms.Text.ScoreTextPairs("Cosine", "Sentence1", "Sentence2", crossEncoderDirectory), stsFile);
    }

    // pipeline: reads Sentence1 and Sentence2 and writes the similarity to the Single column "Cosine".
    private static (double Spearman, int Pairs) Spearman(MLContext ml, IEstimator<ITransformer> pipeline, string stsFile)
    {
        // Quoting off (sentences have unbalanced quotes); fields after the 7th (some sources' attribution) are ignored.
        var data = ml.Data.LoadFromTextFile(stsFile,
        [
            new TextLoader.Column("Score", DataKind.Single, 4),
            new TextLoader.Column("Sentence1", DataKind.String, 5),
            new TextLoader.Column("Sentence2", DataKind.String, 6),
        ], separatorChar: '\t', hasHeader: false, allowQuoting: false);
        var rows = ml.Data.CreateEnumerable<ScoredPair>(pipeline.Fit(data).Transform(data), reuseRowObject: false).ToList();
        return (Correlation.Spearman(rows.Select(r => (double)r.Score).ToList(), rows.Select(r => (double)r.Cosine).ToList()), rows.Count);
    }
}
