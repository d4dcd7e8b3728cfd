using System.Numerics.Tensors;
using MlNetLlm.Numerics;

namespace MlNetLlm;

/// <summary>
/// Zero- or few-shot classification with a causal language model: each label is scored as the continuation of the
/// rendered prompt by its mean log-probability per token (so long labels are not penalized), and the scores are turned
/// into probabilities with a softmax over the labels.
/// </summary>
public sealed class PromptClassifier
{
    private readonly CausalLanguageModel _model;
    private readonly string[] _completions;

    /// <summary>Classifies into <paramref name="labels"/> with <paramref name="model"/> (not owned) and <paramref name="template"/>.</summary>
    public PromptClassifier(CausalLanguageModel model, IReadOnlyList<string> labels, PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(template);
        ValidateLabels(labels);
        _model = model;
        Labels = [.. labels];
        Template = template;
        _completions = labels.Select(l => " " + l).ToArray();
    }

    /// <summary>The labels, in score order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The prompt template.</summary>
    public PromptTemplate Template { get; }

    /// <summary>The full prompt the labels are scored after (with the model's reasoning when the template asks for it).</summary>
    public string Prompt(string text)
    {
        var prompt = Template.Render(text);
        if (Template.ReasoningTokens <= 0) return prompt;
        var reasoning = _model.Generate(prompt, new GenerationOptions { MaxNewTokens = Template.ReasoningTokens, DoSample = false, StopSequences = ["\n"] });
        return prompt + " " + reasoning.Trim() + Template.AnswerCue;
    }

    /// <summary>Probabilities of <see cref="Labels"/> for <paramref name="text"/> (softmax of the mean token log-probabilities).</summary>
    public float[] Score(string text)
    {
        var scores = _model.ScoreCompletionsWithCounts(Prompt(text), _completions).Select(s => (float)(s.Sum / s.Count)).ToArray();
        Softmax.Apply(scores, scores);
        return scores;
    }

    /// <summary>Throws unless there are at least two distinct, non-empty labels.</summary>
    internal static void ValidateLabels(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count < 2) throw new ArgumentException("At least two labels are required.", nameof(labels));
        if (labels.Any(string.IsNullOrWhiteSpace) || labels.Distinct().Count() != labels.Count)
            throw new ArgumentException("Labels must be distinct and not empty.", nameof(labels));
    }

    /// <summary>The most likely label for <paramref name="text"/>.</summary>
    public string Predict(string text) => Labels[TensorPrimitives.IndexOfMax(Score(text))];
}
