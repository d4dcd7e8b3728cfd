using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace MlNetLlm.Tests.Hub;

/// <summary>A file served by <see cref="FakeHub"/>, with switches for the failure modes the tests need.</summary>
internal sealed class FakeFile(byte[] content, bool lfs)
{
    public byte[] Content { get; } = content;

    /// <summary>LFS files answer HEAD/GET on resolve with a redirect and carry their sha256 in X-Linked-Etag.</summary>
    public bool Lfs { get; } = lfs;

    /// <summary>The etag the hub announces: sha256 for LFS files, the git blob sha1 otherwise (or <see cref="EtagOverride"/>).</summary>
    public string Etag => EtagOverride ?? (Lfs
        ? Convert.ToHexStringLower(SHA256.HashData(Content))
        : Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {Content.Length}\0"), .. Content])));

    /// <summary>When set, the etag announced instead of the content hash (a hostile hub).</summary>
    public string? EtagOverride { get; set; }

    /// <summary>When set, GET sends these bytes instead of <see cref="Content"/> (a corrupt download).</summary>
    public byte[]? Served { get; set; }

    /// <summary>When set, the first GET closes the connection after this many bytes.</summary>
    public int? DropAfterOnce { get; set; }

    /// <summary>When set, GET ignores <c>Range</c> and always sends the whole file with 200.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>When set, every GET stops sending after this many bytes and keeps the connection open.</summary>
    public int? StallAfter { get; set; }
}

/// <summary>
/// A loopback HTTP/1.1 server that mimics the hub's resolve endpoint for one repo (<see cref="RepoId"/>) at
/// <see cref="Commit"/>, records every request, and serves LFS content from <c>/cdn/{sha256}</c>.
/// </summary>
internal sealed class FakeHub : IAsyncDisposable
{
    public const string RepoId = "org/model";
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeHub()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public ConcurrentDictionary<string, FakeFile> Files { get; } = new();

    /// <summary>When set, requests without <c>Authorization: Bearer {RequiredToken}</c> get 401.</summary>
    public string? RequiredToken { get; set; }

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();

    public int Count(string method) => Requests.Count(r => r.Method == method);

    public FakeFile Add(string path, string text, bool lfs = false) => Add(path, Encoding.UTF8.GetBytes(text), lfs);

    public FakeFile Add(string path, byte[] content, bool lfs = false) => Files[path] = new FakeFile(content, lfs);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync(_stop.Token);
            if (requestLine is null) return;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var line = await reader.ReadLineAsync(_stop.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(_stop.Token))
                headers[line[..line.IndexOf(':')]] = line[(line.IndexOf(':') + 1)..].Trim();
            var parts = requestLine.Split(' ');
            var request = new FakeRequest(parts[0], parts[1], headers);
            Requests.Enqueue(request);
            await RespondAsync(stream, request);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
    }

    private async Task RespondAsync(NetworkStream stream, FakeRequest request)
    {
        if (RequiredToken is not null && request.Header("Authorization") != $"Bearer {RequiredToken}")
        {
            await WriteAsync(stream, 401, [("X-Error-Code", "GatedRepo")]);
            return;
        }
        var segments = request.Path.TrimStart('/').Split('/');
        if (segments is ["cdn", var sha])
        {
            var file = Files.Values.First(f => f.Lfs && f.Etag == sha);
            await SendContentAsync(stream, request, file, []);
            return;
        }
        if (segments.Length < 5 || $"{segments[0]}/{segments[1]}" != RepoId || segments[2] != "resolve")
        {
            await WriteAsync(stream, 404, [("X-Error-Code", "RepoNotFound")]);
            return;
        }
        var revision = Uri.UnescapeDataString(segments[3]);
        if (revision is not ("main" or Commit))
        {
            await WriteAsync(stream, 404, [("X-Error-Code", "RevisionNotFound")]);
            return;
        }
        var path = string.Join('/', segments[4..].Select(Uri.UnescapeDataString));
        if (!Files.TryGetValue(path, out var found))
        {
            await WriteAsync(stream, 404, [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", Commit)]);
            return;
        }
        if (found.Lfs)
        {
            await WriteAsync(stream, 302, [("Location", $"{Endpoint}/cdn/{found.Etag}"), ("X-Repo-Commit", Commit),
                ("X-Linked-Etag", $"\"{found.Etag}\""), ("X-Linked-Size", found.Content.Length.ToString()), ("ETag", "\"not-the-content-hash\"")]);
            return;
        }
        await SendContentAsync(stream, request, found, [("X-Repo-Commit", Commit), ("ETag", $"W/\"{found.Etag}\"")]);
    }

    private async Task SendContentAsync(NetworkStream stream, FakeRequest request, FakeFile file, (string, string)[] headers)
    {
        var body = file.Served ?? file.Content;
        if (request.Method == "HEAD")
        {
            await WriteAsync(stream, 200, [.. headers, ("Content-Length", body.Length.ToString())]);
            return;
        }
        var from = !file.IgnoreRange && request.Header("Range") is { } range ? int.Parse(range["bytes=".Length..].TrimEnd('-')) : 0;
        var status = from > 0 ? 206 : 200;
        (string, string)[] extra = from > 0 ? [("Content-Range", $"bytes {from}-{body.Length - 1}/{body.Length}")] : [];
        await WriteAsync(stream, status, [.. headers, .. extra, ("Content-Length", (body.Length - from).ToString())]);
        var end = body.Length;
        if (file.DropAfterOnce is { } drop)
        {
            file.DropAfterOnce = null;
            end = Math.Min(end, from + drop);
        }
        if (file.StallAfter is { } stall) end = Math.Min(end, from + stall);
        for (var i = from; i < end; i += 4096)
        {
            await stream.WriteAsync(body.AsMemory(i, Math.Min(4096, end - i)));
            await stream.FlushAsync();
        }
        if (file.StallAfter is not null && end < body.Length) await Task.Delay(Timeout.Infinite, _stop.Token);
    }

    private static async Task WriteAsync(NetworkStream stream, int status, (string Name, string Value)[] headers)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) text.Append($"{name}: {value}\r\n");
        if (!headers.Any(h => h.Name == "Content-Length")) text.Append("Content-Length: 0\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()));
    }
}

/// <summary>One request the <see cref="FakeHub"/> received.</summary>
internal sealed record FakeRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
