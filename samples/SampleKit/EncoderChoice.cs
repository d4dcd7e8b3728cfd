using Spectre.Console;

namespace MlNetLlm.Samples;

/// <summary>
/// Resolves <c>--model &lt;name, folder or hub id&gt;</c> to a local encoder folder. Default: the bundled
/// all-MiniLM-L6-v2 (its ONNX is extracted from NuGet by the build); a bundled name such as <c>tiny-bert-embed</c>, a
/// folder, or a Hugging Face hub id also work.
/// </summary>
public static class EncoderChoice
{
    /// <summary>The encoder the samples use when <c>--model</c> is not given.</summary>
    public const string Default = "all-MiniLM-L6-v2";

    /// <summary>The encoder folder to use; a hub id is downloaded into the Hugging Face cache first.</summary>
    public static string Resolve(string[] args)
    {
        var choice = SampleAssets.Option(args, "--model") ?? Default;
        var bundled = SampleAssets.Model(choice);
        if (choice == Default)
            AnsiConsole.MarkupLine($"Encoder: [bold]{Default}[/] (bundled; 22.7 M parameters). Use --model <name, folder or hub id> for another, e.g. --model tiny-bert-embed.");
        else AnsiConsole.MarkupLine($"Encoder: [bold]{Markup.Escape(choice)}[/]");
        if (Directory.Exists(bundled)) return bundled;
        return HuggingFaceHub.DownloadModel(choice, HubFiles.Encoder(), HubFiles.EncoderOptional());
    }
}
