using MlNetLlm.Tests.Generation;

namespace MlNetLlm.Tests.Prompting;

public sealed class PromptClassifierTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private readonly CausalLanguageModel _model = fixture.Model;

    [Fact]
    public void Classify_Labels_ScoresAreASoftmaxOfMeanLabelLogProbabilities()
    {
        var template = new PromptTemplate("{text} She felt", [new("Lily got a new toy.", "happy")]);
        var classifier = new PromptClassifier(_model, ["happy", "sad"], template);
        var text = "Tom lost his ball and cried.";

        var scores = classifier.Score(text);

        Assert.Equal(1f, scores.Sum(), 4);
        var raw = _model.ScoreCompletions(classifier.Prompt(text), [" happy", " sad"]);
        var counts = new[] { " happy", " sad" }.Select(c =>
            _model.Tokenizer.Encode(classifier.Prompt(text) + c).Ids.Length - _model.Tokenizer.Encode(classifier.Prompt(text)).Ids.Length).ToArray();
        var means = raw.Select((s, i) => s / counts[i]).ToArray();
        var expected = Math.Exp(means[0]) / (Math.Exp(means[0]) + Math.Exp(means[1]));
        Assert.Equal(expected, scores[0], 4);
        Assert.Equal(scores[0] > scores[1] ? "happy" : "sad", classifier.Predict(text));
    }

    [Fact]
    public void Classify_ChainOfThought_PromptContainsTheModelsReasoning()
    {
        var template = PromptTemplate.ChainOfThought([new("Is the sun hot?", "yes", "The sun is fire. Fire is hot.")], reasoningTokens: 12);
        var classifier = new PromptClassifier(_model, ["yes", "no"], template);

        var prompt = classifier.Prompt("Is the ice cold?");

        Assert.StartsWith(template.Render("Is the ice cold?"), prompt);
        Assert.EndsWith("\nAnswer:", prompt);
        Assert.True(prompt.Length > template.Render("Is the ice cold?").Length + "\nAnswer:".Length);
        Assert.Equal(2, classifier.Score("Is the ice cold?").Length);
    }

    [Fact]
    public void Create_Labels_MustBeDistinctAndAtLeastTwo()
    {
        var template = new PromptTemplate("{text}:");
        Assert.Throws<ArgumentException>(() => new PromptClassifier(_model, ["only"], template));
        Assert.Throws<ArgumentException>(() => new PromptClassifier(_model, ["a", "a"], template));
    }
}
