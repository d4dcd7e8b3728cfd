using System.Numerics.Tensors;
using MlNetLlm.Generation;
using MlNetLlm.Numerics;

namespace MlNetLlm;

/// <summary>
/// Zero- or few-shot classification with a language model: each label is scored by its mean log-probability per token
/// (so long labels are not penalized) given the rendered prompt, and the scores are turned into probabilities with a
/// softmax over the labels. A <see cref="CausalLanguageModel"/> scores <c>" " + label</c> as the prompt's continuation; a
/// <see cref="Seq2SeqLanguageModel"/> scores the label as the target for the prompt as input (FLAN-style).
/// </summary>
public sealed class PromptClassifier
{
    private readonly IPipelineLanguageModel _model;
    private readonly string[] _completions;

    /// <summary>Classifies into <paramref name="labels"/> with <paramref name="model"/> (not owned) and <paramref name="template"/>.</summary>
    /// <param name="model">A <see cref="CausalLanguageModel"/> or a <see cref="Seq2SeqLanguageModel"/>.</param>
    /// <param name="labels">At least two distinct, non-empty labels.</param>
    /// <param name="template">How each text becomes a prompt.</param>
    /// <exception cref="ArgumentException">The labels are invalid, or <paramref name="model"/> is another implementation of <see cref="ILanguageModel"/>.</exception>
    public PromptClassifier(ILanguageModel model, IReadOnlyList<string> labels, PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(model);
        var scorer = LanguageModelLoader.RequirePipelineModel(model, nameof(model));
        ArgumentNullException.ThrowIfNull(template);
        ValidateLabels(labels);
        _model = scorer;
        Labels = [.. labels];
        Template = template;
        _completions = labels.Select(scorer.LabelCompletion).ToArray();
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
