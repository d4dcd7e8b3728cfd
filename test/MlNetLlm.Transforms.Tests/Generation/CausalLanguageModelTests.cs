using System.Text.Json;

namespace MlNetLlm.Tests.Generation;

public sealed class CausalLanguageModelTests(StoriesModelFixture fixture) : IClassFixture<StoriesModelFixture>
{
    private readonly CausalLanguageModel _model = fixture.Model;

    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 60, DoSample = false };

    [Fact]
    public void Generate_GreedyFromBos_MatchesLlama2cReference()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(StoriesModelFixture.Directory, "reference_greedy.json")));
        Assert.Equal([1], json.RootElement.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt32()));
        var expected = json.RootElement.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        var options = new GenerationOptions { MaxNewTokens = expected.Length };

        Assert.Equal(expected, _model.GenerateIds("", options));
        Assert.Equal(json.RootElement.GetProperty("text").GetString(), _model.Generate("", options));
    }

    [Fact]
    public void FromDirectory_ReadsConfiguration()
    {
        Assert.Equal(512, _model.ContextLength);
        Assert.Equal(1, _model.BosTokenId);
        Assert.Equal([1, 2], _model.EosTokenIds.Order());
        Assert.Equal("CPU", _model.Device);
    }

    [Fact]
    public void Generate_Prompt_IsEncodedWithBosAndContinued()
    {
        var prompt = "Once upon a time, there was a little girl";
        var ids = _model.GenerateIds(prompt, Greedy);
        var text = _model.Generate(prompt, Greedy);

        Assert.Equal(60, ids.Count);
        // The text continues the prompt: prompt + text is the decoded full sequence (the space before a word is kept).
        Assert.Equal(_model.Tokenizer.Decode([.. _model.Tokenizer.Encode(prompt).Ids, .. ids]), prompt + text);
        Assert.StartsWith(" ", text);
        // The prompt's own tokens, BOS first, continued by the ids: the same as generating from the full sequence.
        var promptIds = _model.Tokenizer.Encode(prompt).Ids;
        Assert.Equal(1, promptIds[0]);
        var next = _model.GenerateIds(prompt, new GenerationOptions { MaxNewTokens = 1 });
        Assert.Equal(ids[0], next[0]);
    }

    [Fact]
    public void GenerateBatch_PromptsOfDifferentLengths_MatchOneByOne()
    {
        string[] prompts = ["", "Once upon a time", "The little dog ran to the park and saw a big red ball", "Tom"];
        var options = new GenerationOptions { MaxNewTokens = 40 };

        var batched = _model.GenerateIds(prompts, options);

        for (int i = 0; i < prompts.Length; i++)
            Assert.Equal(_model.GenerateIds(prompts[i], options), batched[i]);
        Assert.Equal(prompts.Select(p => _model.Generate(p, options)), _model.Generate(prompts, options));
    }

    [Fact]
    public void Sampling_WithASeed_IsReproducibleAndSeedsDiffer()
    {
        GenerationOptions Sample(int seed) => new() { MaxNewTokens = 40, DoSample = true, Temperature = 1f, TopK = 40, TopP = 0.95f, Seed = seed };

        var a = _model.GenerateIds("Once upon a time", Sample(7));
        var b = _model.GenerateIds("Once upon a time", Sample(7));
        var c = _model.GenerateIds("Once upon a time", Sample(8));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(_model.GenerateIds("Once upon a time", Greedy), a);
    }

    [Fact]
    public void TopK_One_IsGreedy()
    {
        var sampled = _model.GenerateIds("Lily", new GenerationOptions { MaxNewTokens = 30, DoSample = true, TopK = 1, Seed = 3 });
        Assert.Equal(_model.GenerateIds("Lily", new GenerationOptions { MaxNewTokens = 30 }), sampled);
    }

    [Fact]
    public void StopSequences_Matched_EndGenerationAndAreTrimmed()
    {
        var full = _model.Generate("", new GenerationOptions { MaxNewTokens = 100 });
        var stop = " day";
        int at = full.IndexOf(stop, StringComparison.Ordinal);
        Assert.True(at > 0, full);

        var options = new GenerationOptions { MaxNewTokens = 100, StopSequences = [stop] };
        var text = _model.Generate("", options);
        var ids = _model.GenerateIds("", options);

        Assert.Equal(full[..at], text);
        Assert.EndsWith(stop, _model.Tokenizer.Decode([1, .. ids]));
        Assert.True(ids.Count < 100);
    }

    [Fact]
    public void RepetitionPenalty_Greedy_ChangesTheOutput()
    {
        var plain = _model.GenerateIds("", new GenerationOptions { MaxNewTokens = 80 });
        var penalized = _model.GenerateIds("", new GenerationOptions { MaxNewTokens = 80, RepetitionPenalty = 1.5f });
        Assert.NotEqual(plain, penalized);
    }

    public static TheoryData<int> StreamingCases => [0, 1, 2];

    [Theory]
    [MemberData(nameof(StreamingCases))]
    public async Task Streaming_pieces_concatenate_to_generate(int scenario)
    {
        var options = scenario switch
        {
            0 => Greedy,
            1 => new GenerationOptions { MaxNewTokens = 120, StopSequences = ["\n", " park"] },
            // Hot sampling emits byte-fallback tokens (<0xNN>) whose UTF-8 sequences span several tokens.
            _ => new GenerationOptions { MaxNewTokens = 150, DoSample = true, Temperature = 3f, TopK = 0, Seed = 11 },
        };
        var pieces = new List<string>();
        await foreach (var piece in _model.GenerateStreamingAsync("Once upon a time", options)) pieces.Add(piece);

        Assert.True(pieces.Count > 5);
        Assert.DoesNotContain(pieces.SkipLast(1), p => p.EndsWith('\uFFFD'));
        Assert.Equal(_model.Generate("Once upon a time", options), string.Concat(pieces));
        if (scenario == 2) Assert.Contains(_model.GenerateIds("Once upon a time", options), id => id is >= 3 and <= 258);
    }

    [Fact]
    public void Generate_ConcurrentCalls_GiveTheSameResults()
    {
        string[] prompts = ["Tom", "Lily", "The sun", "A big dog", "Once upon a time"];
        var sequential = prompts.Select(p => _model.GenerateIds(p, Greedy)).ToArray();
        var parallel = new IReadOnlyList<int>[prompts.Length];
        Parallel.For(0, prompts.Length, i => parallel[i] = _model.GenerateIds(prompts[i], Greedy));
        Assert.Equal(sequential, parallel);
    }

    [Fact]
    public async Task GenerateStreaming_Cancelled_StopsPromptly()
    {
        using var cts = new CancellationTokenSource();
        int pieces = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in _model.GenerateStreamingAsync("", new GenerationOptions { MaxNewTokens = 400 }, cts.Token))
                if (++pieces == 3) cts.Cancel();
        });
        Assert.Equal(3, pieces);
    }

    [Fact]
    public async Task GenerateStreaming_LeftEarlyOrBadOptions_StopsOrThrowsOnFirstRead()
    {
        var first = new List<string>();
        await foreach (var piece in _model.GenerateStreamingAsync("", new GenerationOptions { MaxNewTokens = 400 }))
        {
            first.Add(piece);
            if (first.Count == 2) break;
        }
        Assert.Equal(2, first.Count);
        Assert.StartsWith(string.Concat(first), _model.Generate("", Greedy));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in _model.GenerateStreamingAsync("", new GenerationOptions { MaxNewTokens = 0 })) { }
        });
    }

    [Fact]
    public void Generate_LongPrompt_KeepsBosAndTheLastTokensThatLeaveRoom()
    {
        var prompt = string.Concat(Enumerable.Repeat("The cat sat on the mat and looked at the sun. ", 60));
        var ids = _model.Tokenizer.Encode(prompt).Ids;
        Assert.True(ids.Length > _model.ContextLength);
        var options = new GenerationOptions { MaxNewTokens = 12 };

        var generated = _model.GenerateIds(prompt, options);

        int[] kept = [1, .. ids[^(_model.ContextLength - 12 - 1)..]];
        Assert.Equal(12, generated.Count);
        Assert.Equal(_model.GenerateIds([kept], options)[0], generated);
        Assert.Equal(512, kept.Length + 12);
    }

    [Fact]
    public void Perplexity_StoryVersusNoise_IsLowerForTheStory()
    {
        var story = _model.Perplexity("Once upon a time, there was a little girl named Lily. She loved to play outside.");
        var noise = _model.Perplexity("Zebra quantum fiscal myocardial xylophone 7312 jurisprudence.");

        Assert.InRange(story, 1.0, 20.0);
        Assert.True(noise > 2 * story, $"{noise} vs {story}");
    }

    [Fact]
    public void Perplexity_TextLongerThanTheContext_UsesASlidingWindow()
    {
        var text = string.Concat(Enumerable.Repeat("Lily and Tom went to the park. They played with a ball. ", 40));
        Assert.True(_model.Tokenizer.Encode(text).Ids.Length > _model.ContextLength);
        var ppl = _model.Perplexity(text);
        Assert.InRange(ppl, 1.0, 20.0);
    }

    [Fact]
    public void ScoreCompletions_Completion_SumsTokenLogProbabilities()
    {
        var prompt = "Once upon a time, there was a little";
        var scores = _model.ScoreCompletions(prompt, [" girl", " xylophone"]);

        Assert.All(scores, s => Assert.True(s < 0));
        Assert.True(scores[0] > scores[1]);
    }

    [Theory]
    [InlineData(0, null, null, null, null, "MaxNewTokens")]
    [InlineData(-3, null, null, null, null, "MaxNewTokens")]
    [InlineData(600, null, null, null, null, "MaxNewTokens")]
    [InlineData(10, 0f, null, null, null, "Temperature")]
    [InlineData(10, -1f, null, null, null, "Temperature")]
    [InlineData(10, null, 0f, null, null, "TopP")]
    [InlineData(10, null, 1.5f, null, null, "TopP")]
    [InlineData(10, null, null, -1, null, "TopK")]
    [InlineData(10, null, null, null, 0f, "RepetitionPenalty")]
    public void Invalid_options_name_the_option(int maxNew, float? temperature, float? topP, int? topK, float? penalty, string name)
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = maxNew, DoSample = true, Temperature = temperature, TopP = topP, TopK = topK, RepetitionPenalty = penalty,
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _model.GenerateIds("Hi", options));
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void FromDirectory_OnnxWithoutCacheInputs_IsRejectedNamingThem()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetllm-nocache").FullName;
        try
        {
            foreach (var file in System.IO.Directory.GetFiles(StoriesModelFixture.Directory, "*.json"))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            File.Copy(TestAssets.Model("tiny-bert-embed", "onnx", "model.onnx"), Path.Combine(dir, "model.onnx"));

            var ex = Assert.Throws<InvalidDataException>(() => CausalLanguageModel.FromDirectory(dir));
            Assert.Contains("past_key_values.0.key", ex.Message);
            Assert.Contains("past_key_values.0.value", ex.Message);
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FromPretrained_OnnxVariant_LoadsFromTheOnnxSubfolderAndALocalPath()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetllm-variant").FullName;
        try
        {
            foreach (var file in System.IO.Directory.GetFiles(StoriesModelFixture.Directory, "*.json"))
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            System.IO.Directory.CreateDirectory(Path.Combine(dir, "onnx"));
            File.Copy(Path.Combine(StoriesModelFixture.Directory, "model.onnx"), Path.Combine(dir, "onnx", "model_fp32.onnx"));

            Assert.Throws<FileNotFoundException>(() => CausalLanguageModel.FromDirectory(dir));
            using var model = CausalLanguageModel.FromPretrained(dir, new CausalLanguageModelOptions { OnnxVariant = "fp32" });
            Assert.Equal(_model.GenerateIds("Tom", Greedy), model.GenerateIds("Tom", Greedy));
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FromDirectory_MissingFolderOrOnnx_IsReported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => CausalLanguageModel.FromDirectory("/nonexistent/model"));
        var dir = Directory.CreateTempSubdirectory("mlnetllm-noonnx").FullName;
        try
        {
            File.Copy(Path.Combine(StoriesModelFixture.Directory, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
            var ex = Assert.Throws<FileNotFoundException>(() => CausalLanguageModel.FromDirectory(dir));
            Assert.Contains("decoder_model_merged.onnx", ex.Message);
        }
        finally
        {
            System.IO.Directory.Delete(dir, true);
        }
    }
}
