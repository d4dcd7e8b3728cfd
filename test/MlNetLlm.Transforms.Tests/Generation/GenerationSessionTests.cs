using System.Text;
using System.Text.Json;

namespace MlNetLlm.Tests.Generation;

/// <summary><see cref="GenerationSession"/> and <see cref="GenerationResult"/> against the stories260k (llama2.c) and tiny-t5 references.</summary>
public sealed class GenerationSessionTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private readonly CausalLanguageModel _model = fixture.Model;

    private static readonly JsonElement Reference =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(StoriesModelFixture.Directory, "reference_greedy.json"))).RootElement;

    private static int[] ReferenceIds => Reference.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static string ReferenceText => Reference.GetProperty("text").GetString()!;

    [Fact]
    public void Session_StepByStep_GivesTheReferenceIdsAndText()
    {
        using var session = _model.CreateSession(new GenerationOptions { MaxNewTokens = ReferenceIds.Length, StopSequences = ["never appears"] });
        session.AppendTokens([1]);
        var text = new StringBuilder();
        while (!session.IsDone)
        {
            session.GenerateNextToken();
            text.Append(session.TakeNewText());
        }
        Assert.Equal(ReferenceIds, session.NewTokens);
        Assert.Equal([1, .. ReferenceIds], session.GetSequence(0));
        Assert.Equal(ReferenceText, text.ToString());
        Assert.Equal(FinishReason.Length, session.FinishReason);
        var result = session.GetResult();
        Assert.Equal((ReferenceText, 1, ReferenceIds.Length), (result.Text, result.PromptTokens, result.CompletionTokens));
    }

    [Fact]
    public void Session_RefusesAppendAfterStart_AndStepsAfterTheEnd()
    {
        using var session = _model.CreateSession(new GenerationOptions { MaxNewTokens = 1 });
        session.GenerateNextToken();
        Assert.True(session.IsDone);
        Assert.Equal(ReferenceIds[..1], session.NewTokens);
        var append = Assert.Throws<InvalidOperationException>(() => session.AppendTokens([5]));
        Assert.Contains("AppendTokens", append.Message);
        var next = Assert.Throws<InvalidOperationException>(session.GenerateNextToken);
        Assert.Contains("Length", next.Message);
    }

    [Fact]
    public void Session_RejectsIdsOutsideTheVocabulary()
    {
        using var session = _model.CreateSession();
        session.AppendTokens([1, 512]);
        var error = Assert.Throws<ArgumentOutOfRangeException>(session.GenerateNextToken);
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("512", error.Message);
        Assert.Equal("tokens", Assert.Throws<ArgumentOutOfRangeException>(() => session.AppendTokens([-1])).ParamName);
    }

    [Fact]
    public void GenerateWithDetails_CutsAtAStopSequence_AndReportsIt()
    {
        var result = _model.GenerateWithDetails("", new GenerationOptions { MaxNewTokens = ReferenceIds.Length, StopSequences = ["ball", "park"] });
        Assert.Equal(ReferenceText[..ReferenceText.IndexOf("park", StringComparison.Ordinal)], result.Text);
        Assert.Equal(FinishReason.StopSequence, result.FinishReason);
        Assert.Equal(ReferenceIds[..result.Ids.Count], result.Ids);
        Assert.Equal(result.Ids.Count, result.CompletionTokens);
        Assert.Contains("park", _model.Tokenizer.Decode([1, .. result.Ids]));
        Assert.DoesNotContain("park", _model.Tokenizer.Decode([1, .. result.Ids.SkipLast(1)]));
    }

    [Fact]
    public async Task Streaming_WithAStopSequence_ConcatenatesToTheCutText()
    {
        var options = new GenerationOptions { MaxNewTokens = ReferenceIds.Length, StopSequences = ["big, red"] };
        var pieces = new List<string>();
        await foreach (var piece in _model.GenerateStreamingAsync("", options)) pieces.Add(piece);
        Assert.Equal(ReferenceText[..ReferenceText.IndexOf("big, red", StringComparison.Ordinal)], string.Concat(pieces));
        Assert.True(pieces.Count > 10, $"{pieces.Count} pieces");
    }

    [Fact]
    public void Seq2SeqSession_GivesTheReferenceIds()
    {
        using var t5 = Seq2SeqLanguageModel.FromDirectory(TinyT5Fixture.Directory);
        var c = TinyT5Fixture.Reference.GetProperty("cases")[0];
        using var session = t5.CreateSession(TinyT5Fixture.Greedy);
        session.AppendTokens(TinyT5Fixture.Ints(c.GetProperty("input_ids")));
        while (!session.IsDone) session.GenerateNextToken();
        // The reference ends with eos (stopped_by "eos"); the session's ids leave it out and report it as the finish reason.
        Assert.Equal("eos", c.GetProperty("stopped_by").GetString());
        Assert.Equal(TinyT5Fixture.Ints(c.GetProperty("generated_ids"))[..^1], session.NewTokens);
        Assert.Equal(FinishReason.Stop, session.FinishReason);
        Assert.Equal(TinyT5Fixture.Ints(c.GetProperty("input_ids")).Length, session.GetResult().PromptTokens);
    }
}
