namespace MlNetLlm.Tests.Prompting;

public sealed class PromptTemplateTests
{
    [Fact]
    public void Renders_instruction_examples_then_query()
    {
        var template = new PromptTemplate("Story: {text}\nMood:", [new("Tom was sad.", "sad"), new("Lily smiled.", "happy")], "Tell the mood.");

        Assert.Equal("Tell the mood.\n\nStory: Tom was sad.\nMood: sad\n\nStory: Lily smiled.\nMood: happy\n\nStory: The sun shone.\nMood:",
            template.Render("The sun shone."));
    }

    [Fact]
    public void Chain_of_thought_examples_show_reasoning_and_the_query_ends_at_reasoning()
    {
        var template = PromptTemplate.ChainOfThought([new("Is a dog an animal?", "yes", "A dog is a pet. Pets are animals.")], instruction: "Q&A.");

        Assert.Equal("Q&A.\n\nQuestion: Is a dog an animal?\nReasoning: A dog is a pet. Pets are animals.\nAnswer: yes\n\nQuestion: Is a ball an animal?\nReasoning:",
            template.Render("Is a ball an animal?"));
        Assert.True(template.ReasoningTokens > 0);
    }

    [Fact]
    public void Template_without_placeholder_is_rejected() =>
        Assert.Throws<ArgumentException>(() => new PromptTemplate("Review:"));
}
