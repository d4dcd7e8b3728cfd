namespace MlNetLlm.Tests;

/// <summary>Tests that measure process-wide memory: run after the parallel tests, one at a time, so others cannot skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemorySensitiveCollection
{
    public const string Name = "Memory-sensitive";
}
