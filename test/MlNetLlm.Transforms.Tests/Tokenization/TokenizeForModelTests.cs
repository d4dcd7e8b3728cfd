using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Tokenization;

public class TokenizeForModelTests
{
    private static readonly PretrainedTokenizer MiniLm = PretrainedTokenizer.FromDirectory(TestAssets.Model("tokenizers", "all-MiniLM-L6-v2"));

    public sealed class Input
    {
        public string Text { get; set; } = "";
        public string Second { get; set; } = "";
        public int Index { get; set; }
    }

    public sealed class Output
    {
        public long[] InputIds { get; set; } = [];
        public long[] AttentionMask { get; set; } = [];
        public long[] TokenTypeIds { get; set; } = [];
        public int Index { get; set; }
    }

    private static Input[] Rows(int n) => Enumerable.Range(0, n)
        .Select(i => new Input { Text = $"row {i} " + new string('x', i % 17) + (i % 3 == 0 ? " café!" : ""), Second = $"pair {i}", Index = i })
        .ToArray();

    [Fact]
    public void Transform_GivesTheSameIdsAsEncode_AndKeepsOtherColumnsAligned()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(700); // several batches of 256, the last one partial
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformed = ml.Transforms.Text.TokenizeForModel(MiniLm).Fit(data).Transform(data);
        var outputs = ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: false).ToList();

        Assert.Equal(rows.Length, outputs.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            var expected = MiniLm.Encode(rows[i].Text, maxLength: MiniLm.ModelMaxLength);
            Assert.Equal(i, outputs[i].Index);
            Assert.Equal(expected.Ids.Select(x => (long)x), outputs[i].InputIds);
            Assert.Equal(expected.AttentionMask.Select(x => (long)x), outputs[i].AttentionMask);
            Assert.Equal(expected.TypeIds.Select(x => (long)x), outputs[i].TokenTypeIds);
        }
    }

    [Fact]
    public void Transform_WithPairColumnAndMaxLength_EncodesPairsTruncated()
    {
        var ml = new MLContext();
        var rows = Rows(40);
        var data = ml.Data.LoadFromEnumerable(rows);
        var outputs = ml.Data.CreateEnumerable<Output>(
            ml.Transforms.Text.TokenizeForModel(MiniLm, "Text", maxLength: 6, textPairColumnName: "Second").Fit(data).Transform(data), false).ToList();
        for (int i = 0; i < rows.Length; i++)
        {
            var expected = MiniLm.Encode(rows[i].Text, rows[i].Second, maxLength: 6);
            Assert.Equal(expected.Ids.Select(x => (long)x), outputs[i].InputIds);
            Assert.Equal(expected.TypeIds.Select(x => (long)x), outputs[i].TokenTypeIds);
            Assert.True(outputs[i].InputIds.Length <= 6);
        }
    }

    [Fact]
    public void PredictionEngine_MapsEachRow()
    {
        var ml = new MLContext();
        var model = ml.Transforms.Text.TokenizeForModel(MiniLm).Fit(ml.Data.LoadFromEnumerable(Rows(1)));
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(model);
        foreach (var text in new[] { "Hello, world!", "", "a second, different text" })
        {
            var output = engine.Predict(new Input { Text = text });
            Assert.Equal(MiniLm.Encode(text, maxLength: MiniLm.ModelMaxLength).Ids.Select(x => (long)x), output.InputIds);
        }
    }

    [Fact]
    public void Transform_IsLazy_PullsOnlyTheRowsRead()
    {
        var ml = new MLContext();
        var source = new CountingEnumerable(1_000_000);
        var data = ml.Data.LoadFromEnumerable(source);
        var transformed = ml.Transforms.Text.TokenizeForModel(MiniLm).Fit(data).Transform(data);
        var first = ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: true).Take(10).Select(o => o.InputIds.Length).ToList();
        Assert.Equal(10, first.Count);
        Assert.True(source.Pulled <= 256 + 1, $"pulled {source.Pulled} rows to read 10");
    }

    [Fact]
    public void Fit_WrongColumnType_NamesColumnAndType()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new { Text = 1.5f } });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeForModel(MiniLm).Fit(data));
        Assert.Contains("'Text'", ex.Message);
        Assert.Contains("Single", ex.Message);
    }

    [Fact]
    public void Fit_MissingColumn_NamesColumn()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Rows(2));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.Text.TokenizeForModel(MiniLm, "Body").Fit(data));
        Assert.Contains("'Body'", ex.Message);
    }

    [Fact]
    public void Estimator_OutputShape_HasTheThreeVectorColumns()
    {
        var ml = new MLContext();
        var shape = ml.Transforms.Text.TokenizeForModel(MiniLm).GetOutputSchema(
            MlNetLlm.Pipeline.SchemaShapes.Of(ml.Data.LoadFromEnumerable(Rows(1)).Schema));
        foreach (var name in new[] { "InputIds", "AttentionMask", "TokenTypeIds" })
        {
            var c = Assert.Single(shape, c => c.Name == name);
            Assert.Equal(SchemaShape.Column.VectorKind.VariableVector, c.Kind);
        }
    }

    private sealed class CountingEnumerable(int count) : IEnumerable<Input>
    {
        public int Pulled;

        public IEnumerator<Input> GetEnumerator()
        {
            for (int i = 0; i < count; i++)
            {
                Pulled++;
                yield return new Input { Text = "streamed text number " + i, Index = i };
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
