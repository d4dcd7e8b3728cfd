using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetLlm.Tests.Tokenization;

public class PretrainedTokenizerTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("mlnetllm-tok-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string CopyFiles(string folder, params string[] files)
    {
        var dir = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in files) File.Copy(Path.Combine(TestAssets.Model(folder.Split('/')), f), Path.Combine(dir, f));
        File.Copy(Path.Combine(TestAssets.Model(folder.Split('/')), "reference_tokenizer_cases.json"), Path.Combine(dir, "reference_tokenizer_cases.json"));
        return dir;
    }

    [Fact]
    public void FromDirectory_VocabTxtOnly_MatchesTheReferenceCases()
    {
        var dir = CopyFiles("tokenizers/all-MiniLM-L6-v2", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json");
        var failures = ReferenceCasesTests.CheckCases(PretrainedTokenizer.FromDirectory(dir), Path.Combine(dir, "reference_tokenizer_cases.json"), out int count);
        Assert.True(failures.Count == 0, $"{failures.Count}/{count}:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void FromDirectory_VocabJsonAndMerges_MatchesTheReferenceCases()
    {
        var dir = CopyFiles("tokenizers/gpt2", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json");
        var failures = ReferenceCasesTests.CheckCases(PretrainedTokenizer.FromDirectory(dir), Path.Combine(dir, "reference_tokenizer_cases.json"), out int count);
        Assert.True(failures.Count == 0, $"{failures.Count}/{count}:\n" + string.Join("\n", failures.Take(5)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Encode_NullOrEmpty_GivesOnlyTheSpecialTokens(string? text)
    {
        var bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));
        var encoded = bert.Encode(text);
        Assert.Equal(["[CLS]", "[SEP]"], encoded.Tokens);
        Assert.Equal([1, 1], encoded.SpecialTokensMask);
        Assert.Equal("", bert.Decode(encoded.Ids));
        Assert.Empty(bert.Encode(text, addSpecialTokens: false).Ids);
    }

    [Fact]
    public void FromDirectory_MissingFolder_NamesThePath()
    {
        var missing = Path.Combine(_temp, "no-such-model");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => PretrainedTokenizer.FromDirectory(missing));
        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void FromDirectory_NoTokenizerFiles_ListsTheFilesLookedFor()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => PretrainedTokenizer.FromDirectory(_temp));
        Assert.Contains(_temp, ex.Message);
        Assert.Contains("tokenizer.json", ex.Message);
        Assert.Contains("vocab.txt", ex.Message);
        Assert.Contains("merges.txt", ex.Message);
    }

    [Theory]
    [InlineData("normalizer", "{\"type\":\"Nmt\"}", "Nmt")]
    [InlineData("pre_tokenizer", "{\"type\":\"UnicodeScripts\"}", "UnicodeScripts")]
    [InlineData("decoder", "{\"type\":\"CTC\"}", "CTC")]
    [InlineData("post_processor", "{\"type\":\"Fancy\"}", "Fancy")]
    [InlineData("model", "{\"type\":\"WordLevel\",\"vocab\":{}}", "WordLevel")]
    public void FromDirectory_UnsupportedComponent_ThrowsNotSupportedNamingIt(string component, string json, string type)
    {
        var dir = CopyFiles("stories260k", "tokenizer.json", "tokenizer_config.json");
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer.json")))!;
        doc[component] = JsonNode.Parse(json);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), doc.ToJsonString());
        var ex = Assert.Throws<NotSupportedException>(() => PretrainedTokenizer.FromDirectory(dir));
        Assert.Contains(component, ex.Message);
        Assert.Contains($"'{type}'", ex.Message);
    }

    [Fact]
    public void FromDirectory_InvalidJson_NamesTheFile()
    {
        File.WriteAllText(Path.Combine(_temp, "tokenizer.json"), "{ not json");
        var ex = Assert.Throws<InvalidDataException>(() => PretrainedTokenizer.FromDirectory(_temp));
        Assert.Contains("tokenizer.json", ex.Message);
    }

    [Fact]
    public void Encode_MaxLength_IsCappedByTheModelLimit_AndRejectsNonPositive()
    {
        var bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tiny-bert-embed"));
        Assert.Equal(128, bert.ModelMaxLength);
        var text = string.Join(' ', Enumerable.Repeat("word", 500));
        Assert.Equal(128, bert.Encode(text, maxLength: 10_000).Count);
        Assert.Equal(502, bert.Encode(text).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => bert.Encode(text, maxLength: 0));
    }

    [Fact]
    public void EncodeBatch_EqualsEncodeOneByOne()
    {
        var t5 = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "t5-small"));
        var texts = Enumerable.Range(0, 300).Select(i => i % 7 == 0 ? null : $"Sentence {i}: ünïcode and 中文 {new string('z', i % 13)}").ToArray();
        var batch = t5.EncodeBatch(texts);
        for (int i = 0; i < texts.Length; i++) Assert.Equal(t5.Encode(texts[i]).Ids, batch[i].Ids);
    }

    [Theory]
    [MemberData(nameof(ReferenceCasesTests.Folders), MemberType = typeof(ReferenceCasesTests))]
    public void AsMlNetTokenizer_GivesTheReferenceIds_CountsAndDecodes(string folder)
    {
        var dir = TestAssets.Model(folder.Split('/'));
        var pretrained = PretrainedTokenizer.FromDirectory(dir);
        Microsoft.ML.Tokenizers.Tokenizer tokenizer = pretrained;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reference_tokenizer_cases.json")));
        int checkedCases = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            // The Tokenizer members encode one text with the special tokens, untruncated.
            if (c.TryGetProperty("text_pair", out _) || c.TryGetProperty("max_length", out _)
                || (c.TryGetProperty("add_special_tokens", out var add) && !add.GetBoolean())) continue;
            var text = c.GetProperty("text").GetString()!;
            var expected = c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(expected, tokenizer.EncodeToIds(text));
            Assert.Equal(expected.Length, tokenizer.CountTokens(text));
            Assert.Equal(expected, tokenizer.EncodeToTokens(text, out _).Select(t => t.Id));
            Assert.Equal(c.GetProperty("decoded").GetString(), tokenizer.Decode(expected));
            checkedCases++;
        }
        Assert.True(checkedCases >= 40, $"only {checkedCases} cases checked");
#pragma warning disable CS0618 // the obsolete forwarding member must keep working
        Assert.Same(pretrained, pretrained.UnderlyingTokenizer);
#pragma warning restore CS0618
    }

    [Fact]
    public void GetIndexByTokenCount_CutsBetweenTokens_KeepingTheSpecialTokens()
    {
        Microsoft.ML.Tokenizers.Tokenizer bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));
        const string text = "one two three four";
        // [CLS] one two [SEP] = 4 ids: the cut is after "two".
        Assert.Equal(7, bert.GetIndexByTokenCount(text, 4, out var normalized, out int count));
        Assert.Null(normalized);
        Assert.Equal(4, count);
        Assert.Equal(8, bert.GetIndexByTokenCountFromEnd(text, 4, out _, out count));
        Assert.Equal(4, count);
        Assert.Equal(text.Length, bert.GetIndexByTokenCount(text, 100, out _, out count));
        Assert.Equal(6, count);
        var ids = bert.EncodeToIds(text, 4, out _, out int consumed);
        Assert.Equal(7, consumed);
        Assert.Equal([101, 2028, 2048, 102], ids);
    }

    [Fact]
    public void DecodeIntoSpan_WritesTheLongestPrefixThatFits()
    {
        Microsoft.ML.Tokenizers.Tokenizer bert = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));
        int[] ids = [101, 7592, 2088, 102]; // [CLS] hello world [SEP]
        var buffer = new char[8];
        Assert.Equal(System.Buffers.OperationStatus.DestinationTooSmall, bert.Decode(ids, buffer, out int consumed, out int written));
        Assert.Equal(2, consumed);
        Assert.Equal("hello", new string(buffer, 0, written));
        buffer = new char[11];
        Assert.Equal(System.Buffers.OperationStatus.Done, bert.Decode(ids, buffer, out consumed, out written));
        Assert.Equal((4, "hello world"), (consumed, new string(buffer, 0, written)));
    }

    [Fact]
    public void Decode_SkipsOrKeepsSpecialTokens()
    {
        var stories = PretrainedTokenizer.FromDirectory(TestAssets.Model("stories260k"));
        var ids = stories.Encode("Once upon a time").Ids;
        Assert.Equal(1, ids[0]);
        Assert.Equal("Once upon a time", stories.Decode(ids));
        Assert.StartsWith("<s>", stories.Decode(ids, skipSpecialTokens: false));
        Assert.True(stories.IsSpecialToken(1));
        Assert.Equal(2, stories.TokenToId(stories.EosToken));
    }
}

public class PretrainedTokenizerHubTests
{
    [Fact]
    public async Task FromPretrained_HubId_DownloadsOnlyTokenizerFiles_AndMatchesTheLocalFolder()
    {
        await using var hub = new Hub.FakeHub();
        var local = TestAssets.Model("tokenizers", "gpt2");
        foreach (var f in new[] { "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json" })
            hub.Add(f, File.ReadAllBytes(Path.Combine(local, f)), lfs: f == "merges.txt");
        hub.Add("model.safetensors", new byte[1024], lfs: true);
        var cache = Directory.CreateTempSubdirectory("mlnetllm-hubtok-").FullName;
        try
        {
            var options = new HubOptions { Endpoint = hub.Endpoint, CacheDirectory = cache };
            var fromHub = await Task.Run(() => PretrainedTokenizer.FromPretrained(Hub.FakeHub.RepoId, options));
            var fromFolder = PretrainedTokenizer.FromDirectory(local);
            const string text = "Hello world, this is a test.";
            Assert.Equal([15496, 995, 11, 428, 318, 257, 1332, 13], fromHub.Encode(text).Ids);
            Assert.Equal(fromFolder.Encode(text).Ids, fromHub.Encode(text).Ids);
            Assert.DoesNotContain(hub.Requests, r => r.Path.Contains("model.safetensors"));
            Assert.Contains("models--org--model", fromHub.Directory);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
