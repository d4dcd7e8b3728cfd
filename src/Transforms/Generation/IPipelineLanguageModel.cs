namespace MlNetLlm.Generation;

/// <summary>What the pipeline transforms need from a language model beyond its public surface.</summary>
internal interface IPipelineLanguageModel : ILanguageModel
{
    /// <summary>The files of <see cref="ILanguageModel.Directory"/> the model uses (relative paths; some may not exist), for saving pipelines.</summary>
    IEnumerable<string> FileNames { get; }

    /// <summary>Throws the <see cref="ArgumentOutOfRangeException"/> generation would throw for invalid <paramref name="options"/>.</summary>
    void Validate(GenerationOptions? options);

    /// <summary>Summed log-probabilities of <paramref name="completions"/> given <paramref name="input"/>, with the number of tokens scored.</summary>
    IReadOnlyList<(double Sum, int Count)> ScoreCompletionsWithCounts(string input, IReadOnlyList<string> completions);

    /// <summary>How a label is written as a completion: after a space for a prompt to continue, as it is for a seq2seq target.</summary>
    string LabelCompletion(string label);
}
