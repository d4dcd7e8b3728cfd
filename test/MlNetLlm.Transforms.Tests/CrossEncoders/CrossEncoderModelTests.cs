using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.CrossEncoders;

/// <summary>CrossEncoderModel against transformers.js reference outputs for tiny-cross-encoder, and its input checks.</summary>
public class CrossEncoderModelTests
{
    private static readonly CrossEncoderCase[] Cases = CrossEncoderCase.Load();

    // All 34 pairs scored once in batches of 7 (length-sorted, so batches mix pairs of similar length), shared by the theories.
    private static readonly Lazy<(float[] Scores, float[][] Logits)> Batched = new(() =>
    {
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir, new CrossEncoderOptions { BatchSize = 7 });
        var pairs = Cases.Select(c => (c.Text, c.TextPair)).ToArray();
        return (model.Score(pairs), model.ComputeLogits(pairs));
    });

    [Fact]
    public void Folder_IsReadAsOneLogitSigmoidModel()
    {
        Assert.Equal(34, Cases.Length);
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir);
        Assert.Equal(["LABEL_0"], model.Labels);
        Assert.Equal(CrossEncoderActivation.Sigmoid, model.Activation);
        Assert.Equal(128, model.MaxLength);
    }

    [Theory]
    [MemberData(nameof(CrossEncoderCase.Indices), MemberType = typeof(CrossEncoderCase))]
    public void Encode_Pair_GivesReferenceIdsAndTokenTypes(int index)
    {
        var c = Cases[index];
        var tokenizer = PretrainedTokenizer.FromDirectory(CrossEncoderCase.ModelDir);
        var encoded = tokenizer.Encode(c.Text, c.TextPair, addSpecialTokens: true, maxLength: 128);
        Assert.Equal(c.InputIds, encoded.Ids);
        Assert.Equal(c.TokenTypeIds, encoded.TypeIds);
    }

    [Theory]
    [MemberData(nameof(CrossEncoderCase.Indices), MemberType = typeof(CrossEncoderCase))]
    public void Score_MatchesReference_InBatchesAndOneByOne(int index)
    {
        var c = Cases[index];
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir);
        var (scores, logits) = Batched.Value;
        Assert.True(Math.Abs(scores[index] - c.Score) <= CrossEncoderCase.Tolerance, $"batched score {scores[index]} vs {c.Score}");
        Assert.True(Math.Abs(logits[index][0] - c.Logits[0]) <= CrossEncoderCase.Tolerance, $"batched logit {logits[index][0]} vs {c.Logits[0]}");
        float alone = model.Score(c.Text, c.TextPair);
        Assert.True(Math.Abs(alone - c.Score) <= CrossEncoderCase.Tolerance, $"one by one: {alone} vs {c.Score}");
        var result = model.Classify([(c.Text, c.TextPair)])[0];
        Assert.True(Math.Abs(result.Logits[0] - c.Logits[0]) <= CrossEncoderCase.Tolerance, $"one by one logit {result.Logits[0]} vs {c.Logits[0]}");
    }

    [Fact]
    public void Rerank_OrdersLikeSortingScore_AndTopKKeepsTheBest()
    {
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir, new CrossEncoderOptions { BatchSize = 5 });
        const string query = "A man is playing a guitar.";
        var documents = Cases.Select(c => c.TextPair).ToArray();
        var scores = documents.Select(d => model.Score(query, d)).ToArray();
        var expected = Enumerable.Range(0, documents.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();

        var ranked = model.Rerank(query, documents);
        Assert.Equal(expected, ranked.Select(r => r.Index));
        foreach (var (i, s) in ranked) Assert.True(Math.Abs(s - scores[i]) <= 1e-6f, $"document {i}: {s} vs {scores[i]}");
        Assert.Equal(expected.Take(5), model.Rerank(query, documents, topK: 5).Select(r => r.Index));
        Assert.Equal(expected, model.Rerank(query, documents, topK: 1000).Select(r => r.Index));
        Assert.Empty(model.Rerank(query, []));
        Assert.Throws<ArgumentOutOfRangeException>("topK", () => model.Rerank(query, documents, topK: 0));
    }

    [Fact]
    public void EmptyAndNullSides_AreScoredAsEmptyText()
    {
        using var model = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir);
        var empty = Cases.Single(c => c.TextPair.Length == 0); // reference: [CLS] a [SEP] [SEP], the second [SEP] of type 1
        var scores = model.Score([(empty.Text, ""), (empty.Text, null!)]);
        Assert.True(Math.Abs(scores[0] - empty.Score) <= CrossEncoderCase.Tolerance, $"{scores[0]} vs {empty.Score}");
        Assert.Equal(scores[0], scores[1]);
        Assert.Equal(model.Score("", empty.Text), model.Score(null!, empty.Text));
        var tokenizer = PretrainedTokenizer.FromDirectory(CrossEncoderCase.ModelDir);
        Assert.Equal([101, 102, 102], tokenizer.Encode("", "").Ids);
        Assert.Equal([101, 102], tokenizer.Encode("", null).Ids);
    }

    [Fact]
    public void IdentityActivationInConfig_GivesRawLogits()
    {
        using var scratch = new ScratchModel("tiny-cross-encoder");
        EditConfig(scratch, c => c["sentence_transformers"]!["activation_fn"] = "torch.nn.modules.linear.Identity");
        using var model = CrossEncoderModel.FromDirectory(scratch.Directory);
        Assert.Equal(CrossEncoderActivation.Identity, model.Activation);
        var c = Cases[0];
        Assert.True(Math.Abs(model.Score(c.Text, c.TextPair) - c.Logits[0]) <= CrossEncoderCase.Tolerance);
    }

    [Fact]
    public void NoActivationInConfig_DefaultsToSigmoidForOneLogit_AndOptionOverridesConfig()
    {
        using var scratch = new ScratchModel("tiny-cross-encoder");
        EditConfig(scratch, c => c.Remove("sentence_transformers"));
        using var model = CrossEncoderModel.FromDirectory(scratch.Directory);
        Assert.Equal(CrossEncoderActivation.Sigmoid, model.Activation);
        using var identity = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir, new CrossEncoderOptions { Activation = CrossEncoderActivation.Identity });
        Assert.Equal(CrossEncoderActivation.Identity, identity.Activation);
        Assert.True(Math.Abs(identity.Score(Cases[2].Text, Cases[2].TextPair) - Cases[2].Logits[0]) <= CrossEncoderCase.Tolerance);
    }

    [Fact]
    public void UnsupportedActivationInConfig_IsRejectedNamingConfigAndValue()
    {
        using var scratch = new ScratchModel("tiny-cross-encoder");
        EditConfig(scratch, c => c["sentence_transformers"]!["activation_fn"] = "torch.nn.modules.activation.Tanh");
        var ex = Assert.Throws<NotSupportedException>(() => CrossEncoderModel.FromDirectory(scratch.Directory));
        Assert.Contains(scratch.PathOf("config.json"), ex.Message);
        Assert.Contains("torch.nn.modules.activation.Tanh", ex.Message);
    }

    [Fact]
    public void TwoLabelClassifier_ScoresPairsWithSoftmax_AndScoreAsksForClassify()
    {
        // tiny-bert-sst2 is a 2-label sequence classifier: as a pair model it stands in for an NLI-style cross-encoder.
        using var model = CrossEncoderModel.FromDirectory(TestAssets.Model("tiny-bert-sst2"));
        Assert.Equal(["NEGATIVE", "POSITIVE"], model.Labels);
        Assert.Equal(CrossEncoderActivation.Softmax, model.Activation);
        var result = model.Classify([("a gorgeous , high-spirited musical", "dull and far too long")])[0];
        var expected = new float[2];
        TensorPrimitives.SoftMax(result.Logits, expected);
        Assert.Equal(expected, result.Probabilities, (a, b) => Math.Abs(a - b) <= 1e-6f);
        Assert.Equal(model.Labels[TensorPrimitives.IndexOfMax(result.Logits)], result.Label);
        var ex = Assert.Throws<InvalidOperationException>(() => model.Score("a", "b"));
        Assert.Contains("has 2 labels (NEGATIVE, POSITIVE)", ex.Message);
        Assert.Contains("Classify", ex.Message);
    }

    [Fact]
    public void MultiLabelProblemType_DefaultsToSigmoidPerLabel()
    {
        using var scratch = new ScratchModel("tiny-bert-sst2");
        EditConfig(scratch, c => c["problem_type"] = "multi_label_classification");
        using var model = CrossEncoderModel.FromDirectory(scratch.Directory);
        Assert.Equal(CrossEncoderActivation.Sigmoid, model.Activation);
        var result = model.Classify([("a charming journey", "a gorgeous musical")])[0];
        var expected = new float[2];
        TensorPrimitives.Sigmoid(result.Logits, expected);
        Assert.Equal(expected, result.Probabilities);
    }

    [Fact]
    public void EncoderWithoutClassificationHead_IsRejectedNamingTheOnnxFileAndLogits()
    {
        var folder = TestAssets.Model("tiny-bert-embed");
        var ex = Assert.Throws<InvalidDataException>(() => CrossEncoderModel.FromDirectory(folder));
        Assert.Contains(Path.Combine(folder, "onnx", "model.onnx"), ex.Message);
        Assert.Contains("[last_hidden_state]", ex.Message);
        Assert.Contains("[logits]", ex.Message);
    }

    [Fact]
    public void MissingFolder_IsRejectedNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlnetllm-no-such-cross-encoder");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => CrossEncoderModel.FromDirectory(missing));
        Assert.Contains(missing, ex.Message);
    }

    private static void EditConfig(ScratchModel scratch, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(File.ReadAllText(scratch.PathOf("config.json")))!.AsObject();
        edit(config);
        File.WriteAllText(scratch.PathOf("config.json"), config.ToJsonString());
    }

    [Fact]
    public void TruncationOption_OnlySecondMatchesLongestFirstWhenTheFirstTextIsShort_OnlyFirstIsRefused()
    {
        var c = Cases[32]; // a 26-character first text with a long second one: longest_first cuts only the second
        using var onlySecond = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir, new CrossEncoderOptions { Truncation = TruncationStrategy.OnlySecond });
        var score = onlySecond.Score(c.Text, c.TextPair);
        Assert.True(Math.Abs(score - c.Score) <= CrossEncoderCase.Tolerance, $"{score} vs {c.Score}");

        using var onlyFirst = CrossEncoderModel.FromDirectory(CrossEncoderCase.ModelDir, new CrossEncoderOptions { Truncation = TruncationStrategy.OnlyFirst });
        var e = Assert.Throws<ArgumentException>(() => onlyFirst.Score(c.Text, c.TextPair));
        Assert.Equal("truncation", e.ParamName);
    }
}
