using System.Text;
using MlNetLlm.Generation;

namespace MlNetLlm.Tests.Generation;

/// <summary><see cref="StopSequenceMatcher"/> fed a text in pieces finds what <see cref="string.IndexOf(string, StringComparison)"/> finds in the whole text.</summary>
public class StopSequenceMatcherTests
{
    [Theory]
    [InlineData("The end. Then more.", 3)]
    [InlineData("abcababcd", 1)]
    [InlineData("no stop here at all", 2)]
    [InlineData("xx\n\nUser: hi", 1)]
    public void FindsTheFirstStop_AcrossPieceBoundaries(string text, int pieceLength)
    {
        string[] stops = ["end.", "abcd", "\n\nUser:", "bab"];
        var expected = stops.Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        var matcher = new StopSequenceMatcher(stops);
        var seen = new StringBuilder();
        int found = -1;
        for (int i = 0; i < text.Length && found < 0; i += pieceLength)
        {
            int from = seen.Length;
            seen.Append(text.AsSpan(i, Math.Min(pieceLength, text.Length - i)));
            found = matcher.Find(seen, from, "");
        }
        Assert.Equal(expected, found);
    }

    [Fact]
    public void PossibleStart_IsTheLongestEndingThatBeginsAStop()
    {
        var matcher = new StopSequenceMatcher(["</answer>", "##"]);
        Assert.Equal(3, matcher.PossibleStart(new StringBuilder("the </a")));
        Assert.Equal(1, matcher.PossibleStart(new StringBuilder("x #")));
        Assert.Equal(0, matcher.PossibleStart(new StringBuilder("done")));
    }
}
