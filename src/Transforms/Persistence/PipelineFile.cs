using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetLlm.Persistence;

/// <summary>
/// The one-file pipeline format: a zip holding <c>manifest.json</c> (format name, version, steps), the input schema, and
/// per step either an ML.NET model (runs of standard transformers, saved by ML.NET itself) or an MlNetLlm transformer's
/// settings, model files and binary state, each with its SHA-256.
/// </summary>
internal static class PipelineFile
{
    public const string FormatName = "MlNetLlm.Pipeline";
    public const int FormatVersion = 1;
    private const string MlNetKind = "ML.NET";

    /// <summary>Largest manifest.json read (a zip bomb fails with <see cref="InvalidDataException"/> instead of exhausting memory).</summary>
    private const long MaxManifestBytes = 16L << 20;

    /// <summary>Largest binary step state or embedded ML.NET model read into memory.</summary>
    private const long MaxBlobBytes = 1L << 30;

    public static void Save(ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        var steps = Flatten(model).ToList();
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
            {
                var manifest = new JsonObject { ["format"] = FormatName, ["version"] = FormatVersion };
                WriteMlNet(zip, "input-schema.zip", catalog, new TransformerChain<ITransformer>(), inputSchema);
                var stepNodes = new JsonArray();
                var schema = inputSchema;
                var pending = new List<ITransformer>();
                DataViewSchema pendingSchema = schema;
                foreach (var step in steps)
                {
                    if (step is IPersistentTransformer persistent)
                    {
                        FlushMlNet();
                        stepNodes.Add(WriteOwnStep(zip, $"steps/{stepNodes.Count}", persistent));
                    }
                    else
                    {
                        if (pending.Count == 0) pendingSchema = schema;
                        pending.Add(step);
                    }
                    schema = step.GetOutputSchema(schema);
                }
                FlushMlNet();
                manifest["steps"] = stepNodes;
                var entry = zip.CreateEntry("manifest.json", CompressionLevel.Optimal);
                using var s = entry.Open();
                JsonSerializer.Serialize(s, manifest, new JsonSerializerOptions { WriteIndented = true });

                void FlushMlNet()
                {
                    if (pending.Count == 0) return;
                    var name = $"steps/{stepNodes.Count}/mlnet.zip";
                    WriteMlNet(zip, name, catalog, new TransformerChain<ITransformer>(pending.ToArray()), pendingSchema);
                    stepNodes.Add(new JsonObject { ["kind"] = MlNetKind, ["entry"] = name });
                    pending.Clear();
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static ITransformer Load(ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Pipeline file '{full}' does not exist.", full);
        try
        {
            using var zip = ZipFile.OpenRead(full);
            var manifestEntry = zip.GetEntry("manifest.json") ?? throw Corrupt(full, "it has no manifest.json");
            JsonElement manifest;
            using (var s = manifestEntry.Open()) manifest = JsonDocument.Parse(ReadCapped(s, MaxManifestBytes, full, "manifest.json")).RootElement.Clone();
            if (manifest.ValueKind != JsonValueKind.Object || Field(manifest, "format", JsonValueKind.String, full, "manifest").GetString() != FormatName)
                throw Corrupt(full, $"its manifest does not name the format '{FormatName}'");
            int version = Field(manifest, "version", JsonValueKind.Number, full, "manifest").GetInt32();
            if (version != FormatVersion)
                throw Error($"Pipeline file '{full}' has format version {version}; this version of MlNetLlm reads version {FormatVersion}.");

            catalog.Load(OpenMlNetEntry(zip, "input-schema.zip", full), out inputSchema);
            var transformers = new List<ITransformer>();
            foreach (var step in Field(manifest, "steps", JsonValueKind.Array, full, "manifest").EnumerateArray())
            {
                var kind = Field(step, "kind", JsonValueKind.String, full, "step").GetString()!;
                if (kind == MlNetKind) transformers.Add(catalog.Load(OpenMlNetEntry(zip, Field(step, "entry", JsonValueKind.String, full, "step").GetString()!, full), out _));
                else transformers.Add(LoadOwnStep(zip, step, kind, full));
            }
            return new TransformerChain<ITransformer>(transformers.ToArray());
        }
        catch (Exception ex) when (!ex.Data.Contains(OwnError)
                                   && ex is InvalidDataException or JsonException or KeyNotFoundException or EndOfStreamException or FormatException)
        {
            throw Corrupt(full, ex.Message, ex);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) => model switch
    {
        TransformerChain<ITransformer> chain => chain.SelectMany(Flatten),
        IEnumerable<ITransformer> chain => chain.SelectMany(Flatten),
        _ => [model],
    };

    private static void WriteMlNet(ZipArchive zip, string name, ModelOperationsCatalog catalog, ITransformer model, DataViewSchema schema)
    {
        using var buffer = new MemoryStream();
        catalog.Save(model, schema, buffer);
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression); // already a zip
        using var s = entry.Open();
        buffer.Position = 0;
        buffer.CopyTo(s);
    }

    private static JsonObject WriteOwnStep(ZipArchive zip, string prefix, IPersistentTransformer transformer)
    {
        var writer = new PipelineStepWriter();
        transformer.SaveStep(writer);
        var files = new JsonArray();
        foreach (var (relative, source) in writer.Files)
        {
            var name = $"{prefix}/files/{relative}";
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            using var input = File.OpenRead(source);
            using var output = entry.Open();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            long size = 0;
            while ((read = input.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, read);
                hash.AppendData(buffer, 0, read);
                size += read;
            }
            files.Add(new JsonObject { ["path"] = relative, ["entry"] = name, ["size"] = size, ["sha256"] = Convert.ToHexString(hash.GetHashAndReset()) });
        }
        var node = new JsonObject
        {
            ["kind"] = TypeName(transformer.GetType()),
            ["settings"] = JsonSerializer.SerializeToNode(writer.Settings),
            ["files"] = files,
        };
        if (writer.Blob is { } blob)
        {
            var name = $"{prefix}/state.bin";
            var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
            using (var s = entry.Open()) s.Write(blob);
            node["blob"] = new JsonObject { ["entry"] = name, ["sha256"] = Convert.ToHexString(SHA256.HashData(blob)) };
        }
        return node;
    }

    // "Namespace.Type, Assembly": stable across versions of our own assemblies.
    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static ITransformer LoadOwnStep(ZipArchive zip, JsonElement step, string kind, string path)
    {
        var type = Type.GetType(kind, throwOnError: false)
            ?? throw Error($"Pipeline file '{path}' has a step of type '{kind}', which is not available; reference the assembly that defines it.");
        if (!typeof(IPersistentTransformer).IsAssignableFrom(type) || type.IsAbstract || type.ContainsGenericParameters)
            throw Error($"Step type '{kind}' in '{path}' cannot be loaded: it is not a pipeline step ({nameof(IPersistentTransformer)}).");
        var load = typeof(PipelineFile).GetMethod(nameof(LoadStep), BindingFlags.Static | BindingFlags.NonPublic)!.MakeGenericMethod(type)
            .CreateDelegate<Func<PipelineStepReader, ITransformer>>();

        var files = Field(step, "files", JsonValueKind.Array, path, $"step '{kind}'").EnumerateArray().Select(f => ManifestFile.Read(f, path)).ToList();
        string? folder = files.Count == 0 ? null : ExtractFiles(zip, files, path);
        byte[]? blob = null;
        if (step.TryGetProperty("blob", out var b))
        {
            var entry = Field(b, "entry", JsonValueKind.String, path, "blob").GetString()!;
            using (var s = OpenEntry(zip, entry, path)) blob = ReadCapped(s, MaxBlobBytes, path, entry);
            if (Convert.ToHexString(SHA256.HashData(blob)) != Field(b, "sha256", JsonValueKind.String, path, "blob").GetString())
                throw Corrupt(path, $"the state of step '{kind}' fails its SHA-256 check");
        }
        var reader = new PipelineStepReader(Field(step, "settings", JsonValueKind.Object, path, $"step '{kind}'"), folder, blob);
        return load(reader);
    }

    // The one bridge from a step's type to its loader: the compiler makes every IPersistentTransformer declare LoadStep.
    private static ITransformer LoadStep<T>(PipelineStepReader reader) where T : IPersistentTransformer => T.LoadStep(reader);

    /// <summary>
    /// Model files go to a folder named by their combined hash, so loading the same pipeline twice reuses one copy. A reused
    /// copy is verified on every load (exactly the manifest's files, each with its size and SHA-256); one that fails (altered,
    /// or left by someone else in a shared temp folder) is never used: the files are extracted to a fresh, unpredictable folder.
    /// </summary>
    private static string ExtractFiles(ZipArchive zip, List<ManifestFile> files, string path)
    {
        var id = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("|", files.Select(f => f.Path + ":" + f.Sha256)))))[..32];
        var root = Path.Combine(Path.GetTempPath(), "mlnetllm-pipelines");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(root);
        else Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var folder = Path.Combine(root, id);
        if (File.Exists(Path.Combine(folder, ".complete")))
        {
            if (Matches(folder, files)) return folder;
            folder = Path.Combine(root, id + "-" + Guid.NewGuid().ToString("N"));
        }

        var staging = Path.Combine(root, id + ".tmp-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var f in files)
            {
                var target = Path.Combine(staging, f.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using (var input = OpenEntry(zip, f.Entry, path))
                using (var output = File.Create(target))
                    if (CopyCapped(input, output, f.Size) != f.Size)
                        throw Corrupt(path, $"the embedded file '{f.Path}' fails its SHA-256 check (its size differs from the {f.Size} bytes its manifest gives)");
                if (Sha256Of(target) != f.Sha256)
                    throw Corrupt(path, $"the embedded file '{f.Path}' fails its SHA-256 check");
            }
            File.WriteAllText(Path.Combine(staging, ".complete"), "");
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, ".complete")) && Matches(folder, files))
            {
                // Another process extracted the same files first.
            }
            return folder;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>True when <paramref name="folder"/> holds exactly <paramref name="files"/> (plus the completion marker), each with its size and hash.</summary>
    private static bool Matches(string folder, List<ManifestFile> files)
    {
        var present = Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .Where(File.Exists).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ToHashSet();
        if (!present.SetEquals(files.Select(f => f.Path).Append(".complete"))) return false;
        return files.All(f => new FileInfo(Path.Combine(folder, f.Path)) is { LinkTarget: null } info && info.Length == f.Size
                              && Sha256Of(info.FullName) == f.Sha256);
    }

    private static string Sha256Of(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Copies at most <paramref name="limit"/> + 1 bytes (so an over-long entry is detected without reading it all); returns the count.</summary>
    private static long CopyCapped(Stream input, Stream output, long limit)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total <= limit && (read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, limit + 1 - total))) > 0)
        {
            output.Write(buffer, 0, read);
            total += read;
        }
        return total;
    }

    /// <summary>Reads a whole entry of at most <paramref name="limit"/> bytes; a larger one (a zip bomb) is an error naming it.</summary>
    private static byte[] ReadCapped(Stream input, long limit, string path, string entry)
    {
        using var buffer = new MemoryStream();
        if (CopyCapped(input, buffer, limit) > limit)
            throw Corrupt(path, $"the entry '{entry}' is larger than the {limit} bytes allowed for it");
        return buffer.ToArray();
    }

    /// <summary>A required manifest field of the given JSON kind; otherwise an error naming the file, the field and where it is.</summary>
    private static JsonElement Field(JsonElement e, string name, JsonValueKind kind, string path, string where) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == kind
            ? v
            : throw Corrupt(path, $"{where} field '{name}' is missing or not a JSON {kind.ToString().ToLowerInvariant()}");

    /// <summary>One embedded model file as the manifest lists it, with its relative path checked to stay inside the folder.</summary>
    private sealed record ManifestFile(string Path, string Entry, long Size, string Sha256)
    {
        public static ManifestFile Read(JsonElement f, string path)
        {
            var relative = Field(f, "path", JsonValueKind.String, path, "file").GetString()!;
            // Checked the same way on every OS: '\\' counts as a separator, and no segment may be empty, '.', '..' or hold a drive or stream (':').
            var segments = relative.Split('/', '\\');
            if (relative.Length == 0 || segments.Any(s => s is "" or "." or ".." || s.Contains(':') || s.Any(char.IsControl)))
                throw Corrupt(path, $"it names an unsafe file path '{relative}'");
            long size = Field(f, "size", JsonValueKind.Number, path, $"file '{relative}'").GetInt64();
            if (size < 0) throw Corrupt(path, $"file '{relative}' has a negative size");
            return new ManifestFile(string.Join('/', segments), Field(f, "entry", JsonValueKind.String, path, $"file '{relative}'").GetString()!, size,
                Field(f, "sha256", JsonValueKind.String, path, $"file '{relative}'").GetString()!);
        }
    }

    // ML.NET models are read into memory through the same cap as step state, so a bomb-sized entry fails with the file named.
    private static MemoryStream OpenMlNetEntry(ZipArchive zip, string name, string path)
    {
        using var entry = OpenEntry(zip, name, path);
        return new MemoryStream(ReadCapped(entry, MaxBlobBytes, path, name), writable: false);
    }

    private static Stream OpenEntry(ZipArchive zip, string name, string path) =>
        (zip.GetEntry(name) ?? throw Corrupt(path, $"the entry '{name}' is missing")).Open();

    private static InvalidDataException Corrupt(string path, string why, Exception? inner = null) =>
        Error($"'{path}' is not a valid MlNetLlm pipeline file: {why}.", inner);

    // Marks errors raised here, so the reader-error wrapper in Load leaves them as they are.
    private const string OwnError = "MlNetLlm.PipelineFile";

    private static InvalidDataException Error(string message, Exception? inner = null)
    {
        var ex = new InvalidDataException(message, inner);
        ex.Data[OwnError] = true;
        return ex;
    }
}
