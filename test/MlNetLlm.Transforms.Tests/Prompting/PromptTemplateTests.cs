namespace MlNetLlm.Tests.Prompting;

public sealed class PromptTemplateTests
{
    [Fact]
    public void Render_Examples_GivesInstructionExamplesThenQuery()
    {
        var template = new PromptTemplate("Story: {text}\nMood:", [new("Tom was sad.", "sad"), new("Lily smiled.", "happy")], "Tell the mood.");

        Assert.Equal("Tell the mood.\n\nStory: Tom was sad.\nMood: sad\n\nStory: Lily smiled.\nMood: happy\n\nStory: The sun shone.\nMood:",
            template.Render("The sun shone."));
    }

    [Fact]
    public void Render_ChainOfThoughtExamples_ShowReasoningAndTheQueryEndsAtReasoning()
    {
        var template = PromptTemplate.ChainOfThought([new("Is a dog an animal?", "yes", "A dog is a pet. Pets are animals.")], instruction: "Q&A.");

        Assert.Equal("Q&A.\n\nQuestion: Is a dog an animal?\nReasoning: A dog is a pet. Pets are animals.\nAnswer: yes\n\nQuestion: Is a ball an animal?\nReasoning:",
            template.Render("Is a ball an animal?"));
        Assert.True(template.ReasoningTokens > 0);
    }

    [Fact]
    public void Create_TemplateWithoutPlaceholder_IsRejected() =>
        Assert.Throws<ArgumentException>(() => new PromptTemplate("Review:"));
}
