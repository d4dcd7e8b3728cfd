using System.Text;
using System.Text.Json;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Tests.Tokenization;

/// <summary>
/// Property test of <see cref="TokenizedText.Offsets"/> over every public reference case of the four tokenizer families:
/// each text token's span of the original text, normalized by that tokenizer, gives the token's own text (less the
/// <c>##</c> prefix, with <c>▁</c> as a space and byte-level / <c>&lt;0xXX&gt;</c> tokens as their bytes); spans stay inside
/// the text, never overlap and never go backwards. transformers.js has no offsets, so there is no reference to compare.
/// </summary>
public class OffsetsTests
{
    [Theory]
    [MemberData(nameof(ReferenceCasesTests.Folders), MemberType = typeof(ReferenceCasesTests))]
    public void Offsets_MapEveryTokenBackToItsText(string folder)
    {
        var dir = TestAssets.Model(folder.Split('/'));
        var tokenizer = PretrainedTokenizer.FromDirectory(dir);
        bool byteLevel = folder.EndsWith("gpt2", StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reference_tokenizer_cases.json")));
        var failures = new List<string>();
        int tokens = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var text = c.GetProperty("text").GetString() ?? "";
            var pair = c.TryGetProperty("text_pair", out var p) ? p.GetString() : null;
            var encoded = tokenizer.Encode(text, pair);
            Assert.Equal(encoded.Count, encoded.Offsets.Length);
            for (int i = 0; i < encoded.Count; i++)
                if (encoded.SequenceIds[i] < 0) Assert.Equal((0, 0), encoded.Offsets[i]);
            tokens += Check(tokenizer, encoded, 0, text, byteLevel, failures);
            if (!string.IsNullOrEmpty(pair)) tokens += Check(tokenizer, encoded, 1, pair, byteLevel, failures);
        }
        Assert.True(tokens > 1000, $"only {tokens} tokens checked");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void Offsets_PointIntoTheOriginalText_AndSpecialTokensAreEmpty()
    {
        var bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));
        const string text = "  Café  naïve";
        var encoded = bert.Encode(text, "Zürich");
        Assert.Equal(["[CLS]", "cafe", "naive", "[SEP]", "zurich", "[SEP]"], encoded.Tokens);
        Assert.Equal([(0, 0), (2, 4), (8, 5), (0, 0), (0, 6), (0, 0)], encoded.Offsets);
        Assert.Equal([-1, 0, 0, -1, 1, -1], encoded.SequenceIds);
    }

    // Walks the tokens of one text; a run of tokens is compared as a whole only while it ends inside a character.
    private static int Check(PretrainedTokenizer tokenizer, TokenizedText encoded, int sequence, string text, bool byteLevel, List<string> failures)
    {
        int previousEnd = 0, count = 0;
        var tokenBytes = new List<byte>();
        var spanBytes = new List<byte>();
        string label = JsonSerializer.Serialize(text.Length > 40 ? text[..40] : text);
        for (int i = 0; i < encoded.Count; i++)
        {
            if (encoded.SequenceIds[i] != sequence) continue;
            count++;
            var (start, length) = encoded.Offsets[i];
            if (start < previousEnd || start + length > text.Length)
            {
                failures.Add($"{label} token {i} '{encoded.Tokens[i]}' span ({start},{length}) after {previousEnd} / length {text.Length}");
                return count;
            }
            previousEnd = start + length;
            var span = text.Substring(start, length);
            if (encoded.Ids[i] == tokenizer.TokenToId(tokenizer.UnknownToken) || (tokenBytes.Count == 0 && span == encoded.Tokens[i]))
                continue; // unknown tokens stand for anything; added tokens match the raw text
            tokenBytes.AddRange(TokenBytes(encoded.Tokens[i], byteLevel));
            spanBytes.AddRange(Encoding.UTF8.GetBytes(tokenizer.NormalizeText(span).Replace('▁', ' ')));
            if (Trim(tokenBytes).SequenceEqual(Trim(spanBytes))) { tokenBytes.Clear(); spanBytes.Clear(); continue; }
            bool continues = EndsInsideCharacter(tokenBytes) || (i + 1 < encoded.Count && encoded.Offsets[i + 1].Length == 0);
            if (!continues)
            {
                failures.Add($"{label} token {i} '{encoded.Tokens[i]}' span {JsonSerializer.Serialize(span)}: "
                    + $"[{Convert.ToHexString(tokenBytes.ToArray())}] vs [{Convert.ToHexString(spanBytes.ToArray())}]");
                return count;
            }
        }
        if (tokenBytes.Count > 0) failures.Add($"{label}: unmatched tail [{Convert.ToHexString(tokenBytes.ToArray())}]");
        return count;
    }

    private static byte[] TokenBytes(string token, bool byteLevel)
    {
        if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token.EndsWith('>'))
            return [Convert.ToByte(token[3..5], 16)];
        if (byteLevel) return ByteLevelAlphabet.Decode(token);
        if (token.StartsWith("##", StringComparison.Ordinal)) token = token[2..];
        return Encoding.UTF8.GetBytes(token.Replace('▁', ' '));
    }

    private static IEnumerable<byte> Trim(List<byte> bytes) => bytes.SkipWhile(b => b == ' ').Reverse().SkipWhile(b => b == ' ').Reverse();

    private static bool EndsInsideCharacter(List<byte> bytes)
    {
        // Count the trailing continuation bytes and check the lead byte wants more.
        int k = bytes.Count - 1, continuation = 0;
        while (k >= 0 && (bytes[k] & 0xC0) == 0x80) { k--; continuation++; }
        if (k < 0) return continuation > 0;
        byte lead = bytes[k];
        int needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
        return continuation < needed;
    }
}
