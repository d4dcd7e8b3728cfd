namespace MlNetLlm.Onnx;

/// <summary>
/// Everything about the files of one model family, in one place: what a folder must and may hold, which ONNX graphs it
/// loads (and their names for an export variant), and the external-data files that go with each graph. Hub download
/// (<see cref="HubFiles"/>), loading from a folder (<see cref="FindGraph"/>) and pipeline persistence
/// (<see cref="PersistedFiles"/>) all read it, so they cannot disagree.
/// </summary>
/// <param name="Name">The family's name, for error messages.</param>
/// <param name="RequiredFiles">Files (besides the tokenizer and the ONNX graphs) the folder must hold.</param>
/// <param name="OptionalFiles">Files (besides tokenizer extras and external data) read when present.</param>
/// <param name="Graphs">The ONNX graphs loaded, each with its file alternatives.</param>
internal sealed record ModelFamily(string Name, string[] RequiredFiles, string[] OptionalFiles, OnnxGraph[] Graphs)
{
    private static readonly OnnxGraph EncoderGraph = new("ONNX model", [["model"]]);

    /// <summary>A sentence encoder (embeddings): config, tokenizer, sentence-transformers pooling settings, <c>model.onnx</c>.</summary>
    public static ModelFamily Encoder { get; } = new("encoder", ["config.json"],
        ["modules.json", "1_Pooling/config.json", "sentence_bert_config.json"], [EncoderGraph]);

    /// <summary>A sequence classifier: config (labels), tokenizer, <c>model.onnx</c> with logits.</summary>
    public static ModelFamily SequenceClassifier { get; } = new("sequence classifier", ["config.json"], [], [EncoderGraph]);

    /// <summary>A cross-encoder (a sequence classifier over text pairs): config (labels, activation), tokenizer, <c>model.onnx</c>.</summary>
    public static ModelFamily CrossEncoder { get; } = new("cross-encoder", ["config.json"], [], [EncoderGraph]);

    /// <summary>A decoder-only language model: tokenizer, optional configs, <c>model.onnx</c> else <c>decoder_model_merged.onnx</c>.</summary>
    public static ModelFamily CausalLanguageModel { get; } = new("causal language model", [], ["config.json", "generation_config.json"],
        [new("ONNX decoder", [["model"], ["decoder_model_merged"]])]);

    /// <summary>
    /// An encoder-decoder model (T5, BART, …): config, tokenizer, <c>encoder_model.onnx</c>, and <c>decoder_model_merged.onnx</c>
    /// else the older pair <c>decoder_model.onnx</c> + <c>decoder_with_past_model.onnx</c> (side by side).
    /// </summary>
    public static ModelFamily EncoderDecoder { get; } = new("encoder-decoder model", ["config.json"], ["generation_config.json"],
        [new("ONNX encoder", [["encoder_model"]]), new("ONNX decoder", [["decoder_model_merged"], ["decoder_model", "decoder_with_past_model"]])]);

    /// <summary>Where a graph may sit in a folder, in the order tried: the <c>onnx/</c> subfolder, then the top.</summary>
    private static readonly string[] Locations = ["onnx/", ""];

    /// <summary>The ONNX file name of <paramref name="stem"/> for <paramref name="variant"/>: <c>stem.onnx</c> or <c>stem_variant.onnx</c>.</summary>
    public static string OnnxFileName(string stem, string? variant) =>
        string.IsNullOrWhiteSpace(variant) ? $"{stem}.onnx" : $"{stem}_{variant.Trim()}.onnx";

    /// <summary>The names the external weights of <paramref name="onnxPath"/> may have: <c>.onnx_data</c> (optimum) and <c>.onnx.data</c>.</summary>
    public static string[] ExternalData(string onnxPath) => [onnxPath + "_data", onnxPath + ".data"];

    /// <summary>Hub entries (see <see cref="HubFiles"/>) that must exist: the required files, a tokenizer, and one alternative per graph.</summary>
    public IReadOnlyList<HubFile> HubRequired(string? variant) =>
        [.. RequiredFiles.Select(file => (HubFile)file), HubFiles.Tokenizer, .. Graphs.Select(g => HubFile.AnyOf(
            g.Alternatives.SelectMany(stems => Locations.Select(at => stems.Select(s => at + OnnxFileName(s, variant)).ToArray()))))];

    /// <summary>Hub entries fetched when present: tokenizer extras, the optional files and every graph file's external data.</summary>
    public IReadOnlyList<HubFile> HubOptional(string? variant) =>
        [.. HubFiles.TokenizerOptional, .. OptionalFiles.Select(file => (HubFile)file), .. Graphs.SelectMany(g => g.Alternatives.SelectMany(stems => stems))
            .SelectMany(stem => ExternalData(OnnxFileName(stem, variant)))
            .Select(data => HubFile.AnyOf(Locations.Select(at => new[] { at + data })))];

    /// <summary>
    /// The files of graph <paramref name="graph"/> in <paramref name="directory"/> for <paramref name="variant"/>: the first
    /// alternative whose files all sit in one location; otherwise a <see cref="FileNotFoundException"/> naming the folder
    /// and every path tried.
    /// </summary>
    public string[] FindGraph(string directory, int graph, string? variant)
    {
        var g = Graphs[graph];
        foreach (var stems in g.Alternatives)
            foreach (var at in Locations)
            {
                var paths = stems.Select(s => Path.Combine(directory, at + OnnxFileName(s, variant))).ToArray();
                if (paths.All(File.Exists)) return paths;
            }
        var tried = g.Alternatives.SelectMany(stems => Locations.Select(at => string.Join(" + ", stems.Select(s => at + OnnxFileName(s, variant)))));
        throw new FileNotFoundException($"No {g.What} in '{directory}': looked for {string.Join(", ", tried)}.");
    }

    /// <summary>
    /// What a saved pipeline embeds for a model of this family loaded from <paramref name="directory"/> with
    /// <paramref name="onnxPaths"/>: tokenizer files, required and optional files, each graph and its external data
    /// (relative paths; the ones that do not exist are skipped by the writer).
    /// </summary>
    public IEnumerable<string> PersistedFiles(string directory, IEnumerable<string> onnxPaths) =>
        [.. PretrainedTokenizer.FileNames, .. RequiredFiles, .. OptionalFiles,
         .. onnxPaths.Select(p => Path.GetRelativePath(directory, p)).SelectMany(p => (string[])[p, .. ExternalData(p)])];
}

/// <summary>One ONNX graph of a model family: what it is (for errors) and its file alternatives, each a set of file stems loaded together.</summary>
internal sealed record OnnxGraph(string What, string[][] Alternatives);
