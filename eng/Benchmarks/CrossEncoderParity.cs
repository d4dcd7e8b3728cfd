using System.Text.Json;

namespace MlNetLlm.Benchmarks;

/// <summary>
/// Compares a cross-encoder with a reference file in the <c>reference_outputs.json</c> format of tiny-cross-encoder
/// (e.g. a held-out file kept outside the repository): token ids exactly, logits and scores within 1e-4, all pairs
/// scored in one call (batched, length-sorted) and one by one.
/// </summary>
public static class CrossEncoderParity
{
    private const float Tolerance = 1e-4f;

    /// <summary>Prints one line per mismatching pair and a summary; returns the number of mismatching pairs.</summary>
    public static int Run(string referencePath, string modelDirectory)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(referencePath));
        var cases = doc.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        using var model = CrossEncoderModel.FromDirectory(modelDirectory);
        var pairs = cases.Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("text_pair").GetString()!)).ToArray();
        var batched = model.Classify(pairs);
        int failures = 0;
        double maxLogitDiff = 0, maxScoreDiff = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            var ids = cases[i].GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var types = cases[i].GetProperty("token_type_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var logits = cases[i].GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            float score = cases[i].GetProperty("score").GetSingle();
            var encoded = model.Runner.Tokenizer.Encode(pairs[i].Item1, pairs[i].Item2, addSpecialTokens: true, maxLength: model.MaxLength);
            var alone = model.Classify([pairs[i]])[0];
            double logitDiff = Math.Max(Math.Abs(batched[i].Logits[0] - logits[0]), Math.Abs(alone.Logits[0] - logits[0]));
            double scoreDiff = Math.Max(Math.Abs(batched[i].Probabilities[0] - score), Math.Abs(alone.Probabilities[0] - score));
            (maxLogitDiff, maxScoreDiff) = (Math.Max(maxLogitDiff, logitDiff), Math.Max(maxScoreDiff, scoreDiff));
            bool idsEqual = encoded.Ids.SequenceEqual(ids) && encoded.TypeIds.SequenceEqual(types);
            if (idsEqual && logitDiff <= Tolerance && scoreDiff <= Tolerance) continue;
            failures++;
            Console.WriteLine($"case {i}: ids {(idsEqual ? "equal" : $"differ ({encoded.Count} vs {ids.Length} tokens)")}, logit diff {logitDiff:G3}, score diff {scoreDiff:G3}");
        }
        Console.WriteLine($"{cases.Length - failures} of {cases.Length} pairs match (max logit diff {maxLogitDiff:G3}, max score diff {maxScoreDiff:G3}; tolerance {Tolerance}).");
        return failures;
    }
}
