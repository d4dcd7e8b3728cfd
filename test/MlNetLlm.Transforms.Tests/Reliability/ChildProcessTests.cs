using System.Diagnostics;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Hostile cases that, unfixed, end the process (stack overflow in a chat template, a native crash when a model is disposed
/// under a running thread). Each runs in its own child process (test/MlNetLlm.HostileCases), so a regression fails one
/// test instead of killing the test host; the child prints one line describing the outcome.
/// </summary>
public class ChildProcessTests
{
    [Theory]
    [InlineData("template-deep-parentheses", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-deep-if", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-deep-not", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-long-addition", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-long-filter-chain", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-namespace-prints-itself", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-tojson-self-containing-list", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-cyclic-dictionary", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("template-tojson-namespace-in-its-own-list", "threw ChatTemplateLimitException MaxDepth")]
    [InlineData("dispose-while-embedding", "ok all 8 threads stopped with ObjectDisposedException: True; runs completed before: True")]
    [InlineData("dispose-while-classifying", "ok all 8 threads stopped with ObjectDisposedException: True; runs completed before: True")]
    [InlineData("dispose-while-generating", "ok all 8 threads stopped with ObjectDisposedException: True; runs completed before: True")]
    public void HostileCase_InItsOwnProcess_EndsWithTheExpectedOutcome(string name, string expected)
    {
        var (exitCode, output) = Run(name);

        Assert.True(exitCode == 0, $"The child process for '{name}' died with exit code {exitCode}: {output}");
        Assert.Equal(expected, output.Trim());
    }

    private static (int ExitCode, string Output) Run(string name)
    {
        // test/MlNetLlm.Transforms.Tests/bin/<configuration>/<tfm>/ → test/MlNetLlm.HostileCases/bin/<configuration>/<tfm>/
        var helper = Path.Combine(AppContext.BaseDirectory.Replace("MlNetLlm.Transforms.Tests", "MlNetLlm.HostileCases", StringComparison.Ordinal), "MlNetLlm.HostileCases.dll");
        Assert.True(File.Exists(helper), $"'{helper}' is missing; it is built with the test project.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { helper, name, TestAssets.Model() }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{name}' did not finish within 120 s (a hang).");
        }
        return (process.ExitCode, output.Result + errors.Result);
    }
}
