using System.Text;
using System.Text.Json;
using MlNetLlm.Generation;

namespace MlNetLlm.Tests.Generation;

/// <summary>
/// <see cref="IncrementalDetokenizer"/> against the tokenizer's own <c>Decode</c> on every tokenizer family: the pieces of
/// ids fed one at a time concatenate to exactly <c>Decode(ids)</c> (or, after a context, to what the ids add to it), while
/// the decoded window stays a few ids long.
/// </summary>
public class IncrementalDetokenizerTests
{
    public static TheoryData<string> Folders => new()
    {
        "tokenizers/all-MiniLM-L6-v2", "tokenizers/gpt2", "tokenizers/t5-small", "stories260k", "tiny-gpt2", "tiny-qwen2", "tiny-t5",
    };

    /// <summary>Every public reference case text of the four families, plus non-ASCII and clean-up cases.</summary>
    private static readonly string[] Texts = [.. new[] { "tokenizers/all-MiniLM-L6-v2", "tokenizers/gpt2", "tokenizers/t5-small", "stories260k" }.SelectMany(CaseTexts),
        "Zürich ☕ 日本語のテキスト 🦙🦙 naïve café", "He said , \"it 's fine\" . Don 't ! Isn 't it ? I 'm here ' quoted ' .", "a  b   c \n\n d\t e"];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Pieces_ConcatenateToDecode_OfEveryCase(string folder)
    {
        var tokenizer = PretrainedTokenizer.FromDirectory(TestAssets.Model(folder.Split('/')));
        var failures = new List<string>();
        foreach (var text in Texts)
        {
            var ids = tokenizer.Encode(text).Ids;
            var streamed = Stream(tokenizer, [], ids, out _);
            var expected = tokenizer.Decode(ids);
            if (streamed != expected) failures.Add($"{JsonSerializer.Serialize(expected)} streamed as {JsonSerializer.Serialize(streamed)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count}/{Texts.Length} differ:\n" + string.Join("\n", failures.Take(5)));
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void LongText_AfterAPrompt_IsExact_AndTheWindowStaysSmall(string folder)
    {
        var tokenizer = PretrainedTokenizer.FromDirectory(TestAssets.Model(folder.Split('/')));
        var ids = tokenizer.Encode(string.Join(" ", Texts)).Ids;
        Assert.True(ids.Length > 2000, $"only {ids.Length} ids");
        var context = ids[..10];
        var streamed = Stream(tokenizer, context, ids[10..], out int widest);
        string all = tokenizer.Decode(ids), prompt = tokenizer.Decode(context);
        Assert.StartsWith(prompt, all, StringComparison.Ordinal);
        Assert.Equal(all[prompt.Length..], streamed);
        Assert.True(widest <= 40, $"the window grew to {widest} ids over {ids.Length}");
    }

    [Fact]
    public void IncompleteUtf8_IsHeldBack_UntilTheCharacterIsComplete()
    {
        // stories260k spells "☕" with byte-fallback tokens <0xE2> <0x98> <0x95>.
        var tokenizer = PretrainedTokenizer.FromDirectory(TestAssets.Model("stories260k"));
        var ids = tokenizer.Encode("☕", addSpecialTokens: false).Ids;
        var detokenizer = new IncrementalDetokenizer(tokenizer, []);
        var pieces = ids.Select(detokenizer.Append).ToList();
        Assert.True(pieces.Count >= 3, $"expected byte tokens, got {pieces.Count} ids");
        Assert.All(pieces.SkipLast(1), p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Equal("☕", string.Concat(pieces).TrimStart() + detokenizer.Flush());
    }

    private static string Stream(PretrainedTokenizer tokenizer, int[] context, int[] ids, out int widest)
    {
        var detokenizer = new IncrementalDetokenizer(tokenizer, context);
        var text = new StringBuilder();
        widest = 0;
        foreach (var id in ids)
        {
            text.Append(detokenizer.Append(id));
            widest = Math.Max(widest, detokenizer.WindowLength);
        }
        return text.Append(detokenizer.Flush()).ToString();
    }

    private static IEnumerable<string> CaseTexts(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestAssets.Model([.. folder.Split('/'), "reference_tokenizer_cases.json"])));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("text").GetString() ?? "").ToArray();
    }
}
