using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Tests.Similarity;

/// <summary>mlContext.Transforms.CosineSimilarity on hand-made vectors: values, laziness, prediction engines, saving, errors.</summary>
public class CosineSimilarityTests
{
    public sealed class Pair
    {
        [VectorType(3)] public float[] A { get; set; } = [];
        [VectorType(3)] public float[] B { get; set; } = [];
    }

    public sealed class Scored
    {
        public float Cosine { get; set; }
    }

    private static readonly Pair[] Pairs =
    [
        new() { A = [1, 0, 0], B = [2, 0, 0] },   // 1
        new() { A = [1, 0, 0], B = [0, 3, 0] },   // 0
        new() { A = [1, 2, 3], B = [-1, -2, -3] }, // -1
        new() { A = [1, 1, 0], B = [1, 0, 0] },   // 1/sqrt(2)
        new() { A = [0, 0, 0], B = [1, 0, 0] },   // undefined: NaN
    ];

    private static readonly float[] Expected = [1, 0, -1, 1 / MathF.Sqrt(2), float.NaN];

    [Fact]
    public void Transform_ComputesCosineSimilarityPerRow()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Pairs);
        var model = ml.Transforms.CosineSimilarity("Cosine", "A", "B").Fit(data);

        var output = model.Transform(data);
        Assert.Equal(NumberDataViewType.Single, output.Schema["Cosine"].Type);
        var actual = ml.Data.CreateEnumerable<Scored>(output, false).Select(s => s.Cosine).ToArray();

        Assert.Equal(Expected.Length, actual.Length);
        for (int i = 0; i < 4; i++) Assert.Equal(Expected[i], actual[i], 1e-6f);
        Assert.True(float.IsNaN(actual[4]));
    }

    [Fact]
    public void Transform_IsLazy_RowsAreReadAsTheCursorMoves()
    {
        var ml = new MLContext();
        int produced = 0;
        IEnumerable<Pair> Rows()
        {
            for (int i = 0; i < 1000; i++)
            {
                produced++;
                yield return Pairs[i % 4];
            }
        }
        var data = ml.Data.LoadFromEnumerable(Rows());
        var output = ml.Transforms.CosineSimilarity("Cosine", "A", "B").Fit(data).Transform(data);
        Assert.Equal(0, produced);

        var first = ml.Data.CreateEnumerable<Scored>(output, false).Take(3).ToList();
        for (int i = 0; i < 3; i++) Assert.Equal(Expected[i], first[i].Cosine, 1e-6f);
        Assert.InRange(produced, 3, 10);
    }

    [Fact]
    public void PredictionEngine_AndSavedPipeline_GiveTheSameValues()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Pairs);
        var model = ml.Transforms.CosineSimilarity("Cosine", "A", "B").Fit(data);
        var path = Path.Combine(Path.GetTempPath(), $"cosine-{Guid.NewGuid():N}.mlnetllm");
        try
        {
            ml.Model.SavePipeline(model, data.Schema, path);
            var loaded = new MLContext().Model.LoadPipeline(path, out var schema);
            Assert.Equal(["A", "B"], schema.Select(c => c.Name));
            foreach (var transformer in new[] { model, loaded })
            {
                var engine = ml.Model.CreatePredictionEngine<Pair, Scored>(transformer);
                for (int i = 0; i < 4; i++) Assert.Equal(Expected[i], engine.Predict(Pairs[i]).Cosine, 1e-6f);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    public sealed class Mixed
    {
        [VectorType(3)] public float[] A { get; set; } = [];
        [VectorType(2)] public float[] Short { get; set; } = [];
        [VectorType(3)] public double[] Doubles { get; set; } = [];
        public float[] Variable { get; set; } = [];
        public string Text { get; set; } = "";
    }

    [Theory]
    [InlineData("Missing", "'Missing' not found")]
    [InlineData("Short", "'A' (3 values) and 'Short' (2 values) differ in size")]
    [InlineData("Doubles", "'Doubles' has type Vector<Double, 3>")]
    [InlineData("Variable", "'Variable' has type Vector<Single>")]
    [InlineData("Text", "'Text' has type String")]
    public void Fit_NamesTheColumnAndTheMismatch(string second, string message)
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable([new Mixed { A = [1, 2, 3], Short = [1, 2], Doubles = [1, 2, 3], Variable = [1], Text = "x" }]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.CosineSimilarity("Cosine", "A", second).Fit(data));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void GetOutputSchema_AddsASingleColumn()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(Pairs);
        var shape = ml.Transforms.CosineSimilarity("Cosine", "A", "B").GetOutputSchema(MlNetLlm.Pipeline.SchemaShapes.Of(data.Schema));
        var column = Assert.Single(shape, c => c.Name == "Cosine");
        Assert.Equal(NumberDataViewType.Single, column.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, column.Kind);
    }
}
