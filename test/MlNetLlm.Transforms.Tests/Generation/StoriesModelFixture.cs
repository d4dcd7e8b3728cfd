namespace MlNetLlm.Tests.Generation;

/// <summary>One stories260k model shared by the tests of a class.</summary>
public sealed class StoriesModelFixture : IDisposable
{
    public static string Directory => TestAssets.Model("stories260k");

    public CausalLanguageModel Model { get; } = CausalLanguageModel.FromDirectory(Directory);

    public void Dispose() => Model.Dispose();
}
