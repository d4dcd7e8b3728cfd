using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Tests.Embeddings;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Pipeline files are loaded from wherever a user got them: hostile paths, wrong-shaped manifests, oversized entries and an
/// altered reused extraction are refused with <see cref="InvalidDataException"/> naming the file and the field, or repaired.
/// </summary>
public sealed class PipelineFileHostileTests : IDisposable
{
    private sealed class Row
    {
        public string Text { get; set; } = "";
    }

    private readonly string _temp = Directory.CreateTempSubdirectory("mlnetllm-hostile-").FullName;
    private readonly ScratchModel _tokenizerFolder;
    private readonly MLContext _ml = new(seed: 0);
    private readonly IDataView _data;
    private readonly string _saved;

    public PipelineFileHostileTests()
    {
        // A tokenizer folder of its own (a unique harmless key in tokenizer_config.json), so its extraction folder is not
        // shared with other tests that load the same bundled tokenizer.
        _tokenizerFolder = new ScratchModel(Path.Combine("tokenizers", "all-MiniLM-L6-v2"));
        var config = JsonNode.Parse(File.ReadAllText(_tokenizerFolder.PathOf("tokenizer_config.json")))!.AsObject();
        config["test_nonce"] = Guid.NewGuid().ToString("N");
        File.WriteAllText(_tokenizerFolder.PathOf("tokenizer_config.json"), config.ToJsonString());

        _data = _ml.Data.LoadFromEnumerable(new[] { new Row { Text = "Hello, world!" } });
        var tokenizer = PretrainedTokenizer.FromDirectory(_tokenizerFolder.Directory);
        _saved = Path.Combine(_temp, "tokenize.mlnetllm");
        _ml.Model.SavePipeline(_ml.Transforms.Text.TokenizeForModel(tokenizer, maxLength: 16).Fit(_data), _data.Schema, _saved);
    }

    public void Dispose()
    {
        _tokenizerFolder.Dispose();
        Directory.Delete(_temp, recursive: true);
    }

    private long[] Ids(ITransformer model) => model.Transform(_data).GetColumn<long[]>("InputIds").Single();

    /// <summary>A copy of the saved pipeline with its manifest changed by <paramref name="change"/>.</summary>
    private string WithManifest(Action<JsonObject> change, string? rawManifest = null)
    {
        var path = Path.Combine(_temp, Guid.NewGuid().ToString("N") + ".mlnetllm");
        File.Copy(_saved, path);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("manifest.json")!;
        JsonObject manifest;
        using (var s = entry.Open()) manifest = JsonNode.Parse(s)!.AsObject();
        change(manifest);
        entry.Delete();
        using var output = zip.CreateEntry("manifest.json", CompressionLevel.Optimal).Open();
        output.Write(Encoding.UTF8.GetBytes(rawManifest ?? manifest.ToJsonString()));
        return path;
    }

    private static JsonObject FirstFile(JsonObject manifest) => manifest["steps"]![0]!["files"]![0]!.AsObject();

    [Theory]
    [InlineData("../evil.json")]
    [InlineData("..\\..\\evil.json")]
    [InlineData("sub\\..\\..\\evil.json")]
    [InlineData("/tmp/evil.json")]
    [InlineData("\\evil.json")]
    [InlineData("C:\\evil.json")]
    [InlineData("C:evil.json")]
    [InlineData("./tokenizer.json")]
    [InlineData("a//b.json")]
    [InlineData("")]
    [InlineData("tokenizer.json:stream")]
    public void ManifestWithUnsafeFilePath_IsRejectedOnEveryOs(string unsafePath)
    {
        var path = WithManifest(m => FirstFile(m)["path"] = unsafePath);

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains($"unsafe file path '{unsafePath}'", e.Message);
    }

    [Theory]
    [InlineData("steps")]
    [InlineData("version")]
    [InlineData("format")]
    public void ManifestWithAWrongShapedTopLevelField_NamesTheFileAndTheField(string field)
    {
        var path = WithManifest(m => m[field] = new JsonObject { ["unexpected"] = 1 });

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains(path, e.Message);
        if (field != "format") Assert.Contains($"'{field}'", e.Message);
    }

    [Theory]
    [InlineData("size")]
    [InlineData("sha256")]
    [InlineData("entry")]
    [InlineData("path")]
    public void ManifestFileEntryWithAWrongShapedField_NamesTheFileAndTheField(string field)
    {
        var path = WithManifest(m => FirstFile(m)[field] = new JsonObject());

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains(path, e.Message);
        Assert.Contains($"field '{field}'", e.Message);
    }

    [Theory]
    [InlineData("input", null, "a non-empty string")]
    [InlineData("input", 42, "a string")]
    [InlineData("maxLength", "sixteen", "a 32-bit integer")]
    [InlineData("maxLength", 1e12, "a 32-bit integer")]
    public void ManifestStepSettingOfTheWrongShape_NamesTheSetting(string setting, object? value, string expected)
    {
        var path = WithManifest(m => m["steps"]![0]!["settings"]![setting] = value is null ? null : JsonValue.Create(value));

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains($"setting '{setting}' must be {expected}", e.Message);
    }

    [Fact]
    public void ManifestStepOfATypeThatIsNotAStep_IsRefusedBeforeAnythingRuns()
    {
        var path = WithManifest(m => m["steps"]![0]!["kind"] = "System.IO.File, System.Private.CoreLib");

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains("'System.IO.File, System.Private.CoreLib'", e.Message);
        Assert.Contains("not a pipeline step", e.Message);
    }

    [Fact]
    public void ManifestStepWithoutSettings_NamesTheField()
    {
        var path = WithManifest(m => m["steps"]![0]!.AsObject().Remove("settings"));

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains("field 'settings'", e.Message);
    }

    [Fact]
    public void ZipBombManifest_IsRejectedWithoutReadingItAll()
    {
        // 64 MB of spaces compress to a few kB; the reader stops at its 16 MB manifest limit.
        var path = WithManifest(_ => { }, "{" + new string(' ', 64 << 20) + "}");

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains("'manifest.json' is larger than", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void EmbeddedFileLongerThanItsManifestSize_IsRejected()
    {
        string? name = null;
        var path = WithManifest(m =>
        {
            name = FirstFile(m)["path"]!.GetValue<string>();
            FirstFile(m)["size"] = 10;
        });

        var e = Assert.Throws<InvalidDataException>(() => _ml.Model.LoadPipeline(path, out _));
        Assert.Contains($"'{name}' fails its SHA-256 check (its size differs from the 10 bytes", e.Message);
    }

    [Fact]
    public void AlteredReusedExtraction_IsNotUsed_TheFilesAreExtractedAfresh()
    {
        var first = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();
        var expected = Ids(first);
        var extracted = first.Tokenizer.Directory;
        // Another local user (or a bug) rewrites the shared extraction: every token maps to [UNK].
        var tokenizerJson = Path.Combine(extracted, "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(tokenizerJson))!;
        json["model"]!["vocab"] = new JsonObject { ["[UNK]"] = 100, ["[CLS]"] = 101, ["[SEP]"] = 102, ["[PAD]"] = 0 };
        File.WriteAllText(tokenizerJson, json.ToJsonString());

        var second = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();

        Assert.NotEqual(extracted, second.Tokenizer.Directory);
        Assert.Equal(expected, Ids(second));
        Assert.Equal([101, 7592, 1010, 2088, 999, 102], expected);
    }

    [Fact]
    public void ReusedExtractionWithAnExtraFile_IsNotUsed()
    {
        var first = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();
        File.WriteAllText(Path.Combine(first.Tokenizer.Directory, "vocab.json"), "{}");

        var second = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();

        Assert.NotEqual(first.Tokenizer.Directory, second.Tokenizer.Directory);
        Assert.Equal(Ids(first), Ids(second));
    }

    [Fact]
    public void IntactExtraction_IsReused()
    {
        var first = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();
        var second = (TokenizerTransformer)((TransformerChain<ITransformer>)_ml.Model.LoadPipeline(_saved, out _)).Single();

        Assert.Equal(first.Tokenizer.Directory, second.Tokenizer.Directory);
    }
}
