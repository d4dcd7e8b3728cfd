using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Persistence;

public class SavePipelineTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("mlnetllm-save-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public sealed class Message
    {
        public bool Label { get; set; }
        public string Text { get; set; } = "";
    }

    public sealed class Scored
    {
        public long[] InputIds { get; set; } = [];
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private static Message[] SmsSample(int count) => File.ReadLines(TestAssets.Data("sms_spam", "SMSSpamCollection"))
        .Take(count).Select(l => l.Split('\t', 2)).Select(p => new Message { Label = p[0] == "spam", Text = p[1] }).ToArray();

    // A chain mixing our transformer with standard ML.NET transforms and a trainer.
    private static (ITransformer Model, IDataView Data) TrainMixedPipeline(MLContext ml)
    {
        var data = ml.Data.LoadFromEnumerable(SmsSample(400));
        var tokenizer = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));
        var pipeline = ml.Transforms.Text.TokenizeForModel(tokenizer, maxLength: 32)
            .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        return (pipeline.Fit(data), data);
    }

    [Fact]
    public void SaveThenLoadInAFreshContext_GivesIdenticalOutputs()
    {
        var (model, data) = TrainMixedPipeline(new MLContext(seed: 1));
        var path = Path.Combine(_temp, "model.mlnetllm");
        new MLContext().Model.SavePipeline(model, data.Schema, path);

        var fresh = new MLContext();
        var loaded = fresh.Model.LoadPipeline(path, out var inputSchema);
        Assert.Equal(data.Schema.Select(c => (c.Name, c.Type)), inputSchema.Select(c => (c.Name, c.Type)));

        var expected = new MLContext().Data.CreateEnumerable<Scored>(model.Transform(data), false).ToList();
        var actual = fresh.Data.CreateEnumerable<Scored>(loaded.Transform(fresh.Data.LoadFromEnumerable(SmsSample(400))), false).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].InputIds, actual[i].InputIds);
            Assert.Equal(expected[i].Score, actual[i].Score);
            Assert.Equal(expected[i].PredictedLabel, actual[i].PredictedLabel);
        }

        var engine = fresh.Model.CreatePredictionEngine<Message, Scored>(loaded);
        Assert.Equal(expected[3].Score, engine.Predict(SmsSample(4)[3]).Score);
    }

    [Fact]
    public void LoadPipeline_MissingFile_NamesThePath()
    {
        var path = Path.Combine(_temp, "absent.mlnetllm");
        var ex = Assert.Throws<FileNotFoundException>(() => new MLContext().Model.LoadPipeline(path, out _));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void LoadPipeline_TruncatedOrGarbageFile_IsAClearError()
    {
        var (model, data) = TrainMixedPipeline(new MLContext(seed: 1));
        var path = Path.Combine(_temp, "model.mlnetllm");
        new MLContext().Model.SavePipeline(model, data.Schema, path);
        var bytes = File.ReadAllBytes(path);

        var truncated = Path.Combine(_temp, "truncated.mlnetllm");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadPipeline(truncated, out _));
        Assert.Contains(truncated, ex.Message);
        Assert.Contains("not a valid MlNetLlm pipeline file", ex.Message);

        var garbage = Path.Combine(_temp, "garbage.mlnetllm");
        File.WriteAllText(garbage, "this is not a pipeline");
        ex = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadPipeline(garbage, out _));
        Assert.Contains(garbage, ex.Message);
    }

    [Fact]
    public void LoadPipeline_NewerFormatVersion_SaysWhichVersions()
    {
        var path = SaveTokenizerOnly();
        EditManifest(path, m => m["version"] = 99);
        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadPipeline(path, out _));
        Assert.Contains("version 99", ex.Message);
        Assert.Contains("reads version 1", ex.Message);
    }

    [Fact]
    public void LoadPipeline_TamperedModelFile_FailsItsChecksum()
    {
        var path = SaveTokenizerOnly();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("files/vocab.txt"));
            var name = entry.FullName;
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry(name).Open());
            w.Write("[PAD]\n[UNK]\n");
        }
        var ex = Assert.Throws<InvalidDataException>(() => new MLContext().Model.LoadPipeline(path, out _));
        Assert.Contains("vocab.txt", ex.Message);
        Assert.Contains("SHA-256", ex.Message);
    }

    private string SaveTokenizerOnly()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(SmsSample(2));
        // A fresh copy of the folder, so the content hash (and the extraction folder) is unique to this test.
        var dir = Path.Combine(_temp, "tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "vocab.txt", "tokenizer_config.json" })
            File.Copy(Path.Combine(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"), f), Path.Combine(dir, f));
        File.AppendAllText(Path.Combine(dir, "vocab.txt"), $"unique-{Guid.NewGuid():N}\n");
        var model = ml.Transforms.Text.TokenizeForModel(PretrainedTokenizer.FromDirectory(dir)).Fit(data);
        var path = Path.Combine(_temp, Guid.NewGuid().ToString("N") + ".mlnetllm");
        ml.Model.SavePipeline(model, data.Schema, path);
        return path;
    }

    private static void EditManifest(string path, Action<JsonNode> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("manifest.json")!;
        JsonNode manifest;
        using (var s = entry.Open()) manifest = JsonNode.Parse(s)!;
        edit(manifest);
        entry.Delete();
        using var w = new StreamWriter(zip.CreateEntry("manifest.json").Open());
        w.Write(manifest.ToJsonString());
    }
}
