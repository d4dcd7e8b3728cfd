using System.Text.Json.Nodes;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Downloaded model folders can be broken or hostile: config values of the wrong type, vocabulary ids that would size
/// arrays, wrong-shaped tokenizer.json sections, a tokenizer from another model. Each fails at load with
/// <see cref="InvalidDataException"/> naming the file and the key, never later, and never silently.
/// </summary>
public class ModelFolderHostileTests
{
    private static void EditJson(ScratchModel model, string file, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(File.ReadAllText(model.PathOf(file)))!;
        change(node);
        File.WriteAllText(model.PathOf(file), node.ToJsonString());
    }

    [Theory]
    [InlineData("\"two\"")]
    [InlineData("[1, \"2\"]")]
    [InlineData("{\"id\": 2}")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("true")]
    public void NonNumericEosTokenIdInGenerationConfig_NamesFileAndKey(string value)
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, "generation_config.json", n => n["eos_token_id"] = JsonNode.Parse(value));

        var e = Assert.Throws<InvalidDataException>(() => CausalLanguageModel.FromDirectory(model.Directory));
        Assert.Contains("generation_config.json", e.Message);
        Assert.Contains("'eos_token_id'", e.Message);
    }

    [Fact]
    public void NonNumericBosTokenIdInConfig_NamesFileAndKey()
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, "config.json", n => n["bos_token_id"] = "<s>");

        var e = Assert.Throws<InvalidDataException>(() => CausalLanguageModel.FromDirectory(model.Directory));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("'bos_token_id'", e.Message);
    }

    [Theory]
    [InlineData("generation_config.json", "temperature", "\"hot\"")]
    [InlineData("generation_config.json", "do_sample", "\"yes\"")]
    [InlineData("generation_config.json", "max_new_tokens", "-3")]
    [InlineData("generation_config.json", "top_k", "2.5")]
    [InlineData("config.json", "max_position_embeddings", "\"512\"")]
    [InlineData("config.json", "num_key_value_heads", "[4]")]
    public void WrongTypedGenerationSetting_NamesFileAndKey(string file, string key, string value)
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, file, n => n[key] = JsonNode.Parse(value));

        var e = Assert.Throws<InvalidDataException>(() => CausalLanguageModel.FromDirectory(model.Directory));
        Assert.Contains(model.PathOf(file), e.Message);
        Assert.Contains($"'{key}'", e.Message);
    }

    [Theory]
    [InlineData("tiny-bert-sst2", "config.json", "max_position_embeddings", "\"512\"")]
    [InlineData("tiny-bert-sst2", "config.json", "num_labels", "\"2\"")]
    [InlineData("tiny-bert-sst2", "config.json", "problem_type", "3")]
    [InlineData("tiny-bert-embed", "config.json", "hidden_size", "\"64\"")]
    [InlineData("tiny-bert-embed", "config.json", "vocab_size", "-1")]
    [InlineData("tiny-cross-encoder", "config.json", "sbert_ce_default_activation_function", "1")]
    [InlineData("tiny-t5", "config.json", "decoder_start_token_id", "\"<pad>\"")]
    [InlineData("tiny-t5", "config.json", "is_encoder_decoder", "\"yes\"")]
    [InlineData("tiny-t5", "config.json", "task_specific_params", "[1]")]
    public void WrongTypedConfigValue_AnyFamily_NamesFileAndKey(string folder, string file, string key, string value)
    {
        using var model = new ScratchModel(folder);
        EditJson(model, file, n => n[key] = JsonNode.Parse(value));

        Func<IDisposable> load = folder switch
        {
            "tiny-bert-sst2" => () => TextClassificationModel.FromDirectory(model.Directory),
            "tiny-bert-embed" => () => TextEmbeddingModel.FromDirectory(model.Directory),
            "tiny-cross-encoder" => () => CrossEncoderModel.FromDirectory(model.Directory),
            _ => () => Seq2SeqLanguageModel.FromDirectory(model.Directory),
        };
        var e = Assert.Throws<InvalidDataException>(load);
        Assert.Contains(model.PathOf(file), e.Message);
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void ZeroAttentionHeads_IsNotADivisionByZero()
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, "config.json", n => n["num_attention_heads"] = 0);

        using var lm = CausalLanguageModel.FromDirectory(model.Directory); // the ONNX graph fixes the head size itself
        Assert.Equal(lm.Generate("Once", new GenerationOptions { MaxNewTokens = 3 }),
            StoriesGenerate());
    }

    private static string StoriesGenerate()
    {
        using var lm = CausalLanguageModel.FromDirectory(TestAssets.Model("stories260k"));
        return lm.Generate("Once", new GenerationOptions { MaxNewTokens = 3 });
    }

    [Fact]
    public void NullEosTokenIdInGenerationConfig_FallsBackToConfigJson()
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, "generation_config.json", n => n["eos_token_id"] = null);

        using var lm = CausalLanguageModel.FromDirectory(model.Directory);
        Assert.Equal([2], lm.EosTokenIds);
    }

    [Fact]
    public void TokenizerWithIdsBeyondTheDecodersVocabulary_IsRejectedAtLoad()
    {
        using var model = new ScratchModel("stories260k");
        EditJson(model, "tokenizer.json", n => n["added_tokens"]!.AsArray().Add(new JsonObject
        {
            ["id"] = 600, ["content"] = "<extra>", ["special"] = true, ["normalized"] = false, ["lstrip"] = false, ["rstrip"] = false, ["single_word"] = false,
        }));

        var e = Assert.Throws<InvalidDataException>(() => CausalLanguageModel.FromDirectory(model.Directory));
        Assert.Contains("ids up to 600", e.Message);
        Assert.Contains("vocabulary of 512 tokens", e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(100_000_000)]
    public void HostileVocabularyIdInTokenizerJson_NamesTheFile(int id)
    {
        using var model = new ScratchModel("tiny-bert-embed");
        EditJson(model, "tokenizer.json", n => n["model"]!["vocab"]!["hostile"] = id);

        var e = Assert.Throws<InvalidDataException>(() => PretrainedTokenizer.FromDirectory(model.Directory));
        Assert.Contains(model.PathOf("tokenizer.json"), e.Message);
        Assert.Contains($"id {id}", e.Message);
    }

    [Fact]
    public void HostileAddedTokenIdInTokenizerJson_NamesFileAndSection()
    {
        using var model = new ScratchModel("tiny-bert-embed");
        EditJson(model, "tokenizer.json", n => n["added_tokens"]![0]!["id"] = int.MaxValue);

        var e = Assert.Throws<InvalidDataException>(() => PretrainedTokenizer.FromDirectory(model.Directory));
        Assert.Contains(model.PathOf("tokenizer.json"), e.Message);
        Assert.Contains("'added_tokens'", e.Message);
    }

    [Theory]
    [InlineData("model", "[]")]
    [InlineData("added_tokens", "[{\"id\": \"one\", \"content\": \"x\"}]")]
    [InlineData("added_tokens", "[{\"content\": \"x\"}]")]
    [InlineData("normalizer", "{\"type\": \"Replace\", \"content\": \"x\"}")]
    [InlineData("pre_tokenizer", "{\"type\": \"Split\", \"pattern\": [1, 2]}")]
    [InlineData("decoder", "{\"type\": 7}")]
    [InlineData("post_processor", "{\"type\": \"TemplateProcessing\", \"single\": 7}")]
    public void WrongShapedTokenizerJsonSection_NamesFileAndSection(string section, string value)
    {
        using var model = new ScratchModel("tiny-bert-embed");
        EditJson(model, "tokenizer.json", n => n[section] = JsonNode.Parse(value));

        var e = Assert.Throws<InvalidDataException>(() => PretrainedTokenizer.FromDirectory(model.Directory));
        Assert.Contains(model.PathOf("tokenizer.json"), e.Message);
        Assert.Contains($"'{section}'", e.Message);
    }

    [Fact]
    public void NonStringLabelInId2Label_NamesFileAndKey()
    {
        using var model = new ScratchModel("tiny-bert-sst2");
        EditJson(model, "config.json", n => n["id2label"]!["1"] = 42);

        var e = Assert.Throws<InvalidDataException>(() => TextClassificationModel.FromDirectory(model.Directory));
        Assert.Contains("config.json id2label['1']", e.Message);
    }

    [Fact]
    public void TruncatedTokenizerJson_NamesTheFile()
    {
        using var model = new ScratchModel("tiny-bert-embed");
        var text = File.ReadAllText(model.PathOf("tokenizer.json"));
        File.WriteAllText(model.PathOf("tokenizer.json"), text[..(text.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => TextEmbeddingModel.FromDirectory(model.Directory));
        Assert.Contains(model.PathOf("tokenizer.json"), e.Message);
    }

    [Fact]
    public void HostileIdInLegacyVocabJson_NamesTheFolder()
    {
        using var model = new ScratchModel(Path.Combine("tokenizers", "gpt2"));
        if (File.Exists(model.PathOf("tokenizer.json"))) File.Delete(model.PathOf("tokenizer.json"));
        File.WriteAllText(model.PathOf("vocab.json"), """{"a": 0, "b": 2147483647}""");
        if (!File.Exists(model.PathOf("merges.txt"))) File.WriteAllText(model.PathOf("merges.txt"), "#version: 0.2\n");

        var e = Assert.Throws<InvalidDataException>(() => PretrainedTokenizer.FromDirectory(model.Directory));
        Assert.Contains(model.Directory, e.Message);
        Assert.Contains("id 2147483647", e.Message);
    }
}
