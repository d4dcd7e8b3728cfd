namespace MlNetLlm.Tests.Tokenization;

/// <summary>
/// Truncation as Hugging Face <c>tokenizers</c> (Rust) does it; the expected lengths are the table of its own unit test
/// <c>truncate_encodings_longest_first</c> (max_length 7, sequences of 0, 2, 4 and 8 ids).
/// </summary>
public class TruncationTests
{
    private static readonly PretrainedTokenizer Bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));

    // Single letters are one WordPiece id each.
    private static string Words(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => (char)('a' + i)));

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, 2, 0, 2)]
    [InlineData(0, 8, 0, 7)]
    [InlineData(2, 8, 2, 5)]
    [InlineData(4, 4, 3, 4)]
    [InlineData(4, 8, 3, 4)]
    [InlineData(8, 2, 5, 2)]
    [InlineData(8, 4, 4, 3)]
    [InlineData(8, 8, 3, 4)]
    public void LongestFirst_CutsAsHuggingFaceTokenizers(int first, int second, int keptFirst, int keptSecond)
    {
        // Without special tokens max_length is what the texts share; with them, 3 ([CLS] A [SEP] B [SEP]) come off first.
        var plain = Bert.Encode(Words(first), second == 0 ? null : Words(second), addSpecialTokens: false, maxLength: 7);
        Assert.Equal(keptFirst + keptSecond, plain.Count);
        Assert.Equal(keptSecond, plain.TypeIds.Count(t => t == 1));

        var withSpecial = Bert.Encode(Words(first), second == 0 ? null : Words(second), maxLength: 10);
        Assert.Equal(keptFirst + keptSecond + (second == 0 ? 2 : 3), withSpecial.Count);
        Assert.Equal("[SEP]", withSpecial.Tokens[^1]);
    }

    [Fact]
    public void SingleText_KeepsItsFinalSeparator()
    {
        var encoded = Bert.Encode("one two three four five six", maxLength: 5);
        Assert.Equal(["[CLS]", "one", "two", "three", "[SEP]"], encoded.Tokens);
    }

    [Fact]
    public void OnlyFirst_And_OnlySecond_CutTheNamedText()
    {
        var onlySecond = Bert.Encode("a b", "c d e f g", true, 7, TruncationStrategy.OnlySecond);
        Assert.Equal(["[CLS]", "a", "b", "[SEP]", "c", "d", "[SEP]"], onlySecond.Tokens);
        var onlyFirst = Bert.Encode("a b c d e", "f g", true, 7, TruncationStrategy.OnlyFirst);
        Assert.Equal(["[CLS]", "a", "b", "[SEP]", "f", "g", "[SEP]"], onlyFirst.Tokens);
    }

    [Fact]
    public void OnlyFirst_WhenTheFirstTextIsTooShort_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bert.Encode("a b", "c d e f g", true, 7, TruncationStrategy.OnlyFirst));
        Assert.Equal("truncation", ex.ParamName);
        Assert.Contains("OnlyFirst", ex.Message);
        Assert.Contains("first text has only 2", ex.Message);
    }

    [Fact]
    public void OnlySecond_WithoutAPair_Throws_ButOnlyWhenACutIsNeeded()
    {
        var ex = Assert.Throws<ArgumentException>(() => Bert.Encode("a b c d e f", null, true, 5, TruncationStrategy.OnlySecond));
        Assert.Equal("truncation", ex.ParamName);
        Assert.Contains("OnlySecond needs a text pair", ex.Message);
        Assert.Equal(4, Bert.Encode("a b", null, true, 5, TruncationStrategy.OnlySecond).Count);
    }

    [Fact]
    public void MaxLength_SmallerThanTheSpecialTokens_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Bert.Encode("a", "b", maxLength: 2));
        Assert.Equal("maxLength", ex.ParamName);
        Assert.Contains("3 special tokens", ex.Message);
        Assert.Equal(["[CLS]", "[SEP]"], Bert.Encode("a b", maxLength: 2).Tokens);
    }

    [Fact]
    public void ByteLevelPair_IsTheFirstTextThenTheSecond()
    {
        var gpt2 = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "gpt2"));
        var pair = gpt2.Encode("Hello", " world");
        Assert.Equal([15496, 995], pair.Ids); // "Hello" and " world" in GPT-2's vocabulary
        Assert.Equal([0, 1], pair.TypeIds);
    }

    [Fact]
    public void EncodeBatch_Pairs_EqualsEncodeOneByOne_AndRejectsMismatchedLists()
    {
        string?[] first = ["a b c d e f g h", "x", null], second = ["a b", "y z", "w"];
        var batch = Bert.EncodeBatch(first, second, maxLength: 8, truncation: TruncationStrategy.OnlyFirst);
        for (int i = 0; i < first.Length; i++)
            Assert.Equal(Bert.Encode(first[i], second[i], true, 8, TruncationStrategy.OnlyFirst).Ids, batch[i].Ids);
        var ex = Assert.Throws<ArgumentException>(() => Bert.EncodeBatch(first, ["only one"]));
        Assert.Equal("textPairs", ex.ParamName);
    }
}
