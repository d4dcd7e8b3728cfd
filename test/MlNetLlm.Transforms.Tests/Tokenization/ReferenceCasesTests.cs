using System.Text.Json;

namespace MlNetLlm.Tests.Tokenization;

/// <summary>
/// Every case of the reference files (each text tokenized by transformers.js; truncation and pairs as Hugging Face
/// tokenizers in Python does them, see assets/models/TOKENIZER_CASES.md): ids, type ids and decoded text must match exactly.
/// </summary>
public class ReferenceCasesTests
{
    public static TheoryData<string> Folders => new()
    {
        "tokenizers/all-MiniLM-L6-v2", "tokenizers/gpt2", "tokenizers/t5-small", "stories260k",
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void Encode_MatchesEveryReferenceCase(string folder)
    {
        var dir = TestAssets.Model(folder.Split('/'));
        var failures = CheckCases(PretrainedTokenizer.FromDirectory(dir), Path.Combine(dir, "reference_tokenizer_cases.json"), out int count);
        Assert.True(count >= 50, $"expected the full reference file, read {count} cases");
        Assert.True(failures.Count == 0, $"{failures.Count}/{count} cases differ:\n" + string.Join("\n", failures.Take(10)));
    }

    /// <summary>Checks each case; returns one line per mismatch.</summary>
    internal static List<string> CheckCases(PretrainedTokenizer tokenizer, string casesFile, out int count)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(casesFile));
        var failures = new List<string>();
        count = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            count++;
            var text = c.GetProperty("text").GetString();
            var pair = c.TryGetProperty("text_pair", out var p) ? p.GetString() : null;
            int? maxLength = c.TryGetProperty("max_length", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt32() : null;
            bool add = !c.TryGetProperty("add_special_tokens", out var a) || a.GetBoolean();
            var expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

            var encoded = tokenizer.Encode(text, pair, add, maxLength);
            string label = JsonSerializer.Serialize(text)[..Math.Min(60, JsonSerializer.Serialize(text).Length)];
            if (!encoded.Ids.SequenceEqual(expected))
                failures.Add($"ids {label}: got [{string.Join(",", encoded.Ids)}] expected [{string.Join(",", expected)}]");
            if (c.TryGetProperty("token_type_ids", out var tt)
                && !encoded.TypeIds.SequenceEqual(tt.EnumerateArray().Select(e => e.GetInt32())))
                failures.Add($"type ids {label}: got [{string.Join(",", encoded.TypeIds)}]");
            var decoded = tokenizer.Decode(expected, skipSpecialTokens: true);
            var expectedDecoded = c.GetProperty("decoded").GetString();
            if (decoded != expectedDecoded)
                failures.Add($"decode {label}: got {JsonSerializer.Serialize(decoded)} expected {JsonSerializer.Serialize(expectedDecoded)}");
        }
        return failures;
    }
}
