using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace MlNetLlm.Hub;

/// <summary>What the hub said about a file: its commit, its etag (null when the file does not exist) and its size.</summary>
internal sealed record HubFileInfo(string? Commit, string? Etag, long? Size);

/// <summary>The hub's HTTP protocol for one repository: HEAD for metadata, resumable and verified GET for content.</summary>
internal sealed class HubHttp : IDisposable
{
    private static readonly HttpClient SharedClient = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    }) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private static readonly string UserAgent = $"MlNetLlm/{typeof(HubHttp).Assembly.GetName().Version?.ToString(3)}";

    private readonly HubOptions _options;
    private readonly Uri _endpoint;
    private readonly string _repoId;
    private readonly string _revision;
    private readonly HttpClient _client;

    public HubHttp(HubOptions options, string repoId, string revision)
    {
        _options = options;
        _endpoint = new Uri(options.Endpoint.TrimEnd('/') + "/");
        _repoId = repoId;
        _revision = revision;
        _client = options.HttpHandler is null
            ? SharedClient
            : new HttpClient(options.HttpHandler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    /// <summary><c>{endpoint}/{repo}/resolve/{revision}/{file}</c>.</summary>
    public Uri ResolveUrl(string revision, string file) =>
        new(_endpoint, $"{_repoId}/resolve/{Uri.EscapeDataString(revision)}/{string.Join('/', file.Split('/').Select(Uri.EscapeDataString))}");

    /// <summary>HEAD <paramref name="file"/> at <paramref name="revision"/>, following only relative redirects (renamed repos).</summary>
    public async Task<HubFileInfo> HeadAsync(string revision, string file, CancellationToken cancellationToken)
    {
        var url = ResolveUrl(revision, file);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            for (var hops = 0; ; hops++)
            {
                using var response = await _client.SendAsync(Request(HttpMethod.Head, url), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response) && response.Headers.Location is { IsAbsoluteUri: false } relative && hops < 5)
                {
                    url = new Uri(url, relative);
                    continue;
                }
                var commit = Header(response, "X-Repo-Commit");
                if (response.StatusCode == HttpStatusCode.NotFound && Header(response, "X-Error-Code") is not ("RepoNotFound" or "RevisionNotFound"))
                    return new HubFileInfo(commit, null, null);
                if (!response.IsSuccessStatusCode && !IsRedirect(response)) throw Error(response, file);
                var etag = (Header(response, "X-Linked-Etag") ?? Header(response, "ETag")) is { } raw
                    ? (raw.StartsWith("W/", StringComparison.Ordinal) ? raw[2..] : raw).Trim('"')
                    : null;
                if (commit is null || !HubCache.IsCommit(commit) || string.IsNullOrEmpty(etag))
                    throw new InvalidDataException(
                        $"HEAD {url} gave no valid X-Repo-Commit or ETag header: is {_options.Endpoint} a Hugging Face hub, and does the HTTP handler leave redirects alone?");
                if (!HubCache.IsSafeName(etag))
                    throw new InvalidDataException(
                        $"HEAD {url} gave the ETag '{etag}', which is not a plain file name (letters, digits, '-', '_', '.'); refusing to use it as a cache blob name.");
                var size = long.TryParse(Header(response, "X-Linked-Size"), out var linked) ? linked : response.Content.Headers.ContentLength;
                return new HubFileInfo(commit, etag, size);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{_options.Endpoint} did not answer within {_options.Timeout.TotalSeconds:0.#} s for '{file}' of '{_repoId}'.");
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new HttpRequestException(
                $"Could not reach {_options.Endpoint} for '{file}' of '{_repoId}': {e.Message} To use only the local cache, set HF_HUB_OFFLINE=1 or HubOptions.Offline.", e);
        }
    }

    /// <summary>
    /// Downloads <paramref name="url"/> into <paramref name="blobPath"/> through <c>{blobPath}.incomplete</c>, resuming
    /// an earlier partial download, checking size and sha256 (when the etag is one), then renaming it into place.
    /// </summary>
    public async Task DownloadAsync(Uri url, string file, HubFileInfo info, string blobPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        var partial = blobPath + ".incomplete";
        long have;
        await using (var output = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            have = info.Size is { } size && output.Length > size ? 0 : output.Length;
            output.SetLength(have);
            output.Position = have;
            if (info.Size is null || have < info.Size)
                have = await FetchAsync(url, file, info.Size, output, partial, cancellationToken).ConfigureAwait(false);
        }
        if (info.Size is { } expected && have != expected)
        {
            if (have < expected) throw Interrupted(file, partial, have, expected, "the connection closed early", null);
            File.Delete(partial);
            throw new InvalidDataException($"'{file}' of '{_repoId}' sent more bytes than the {expected} the hub announced; the download was stopped there and deleted.");
        }
        if (info.Etag!.Length == 64 && info.Etag.All(char.IsAsciiHexDigit))
        {
            string actual;
            await using (var input = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(input, cancellationToken).ConfigureAwait(false));
            if (!actual.Equals(info.Etag, StringComparison.OrdinalIgnoreCase))
            {
                File.Delete(partial);
                throw new InvalidDataException(
                    $"'{file}' of '{_repoId}' is corrupt: expected sha256 {info.Etag}, got {actual}. The download was deleted; try again.");
            }
        }
        File.Move(partial, blobPath, overwrite: true);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_client != SharedClient) _client.Dispose();
    }

    /// <summary>GETs the rest of the file after the <c>output.Length</c> bytes already there; returns the new length.</summary>
    private async Task<long> FetchAsync(Uri url, string file, long? size, FileStream output, string partial, CancellationToken cancellationToken)
    {
        var have = output.Length;
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_options.Timeout);
        try
        {
            using var response = await GetAsync(url, have, idle.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != have)
            {
                if (response.StatusCode != HttpStatusCode.OK) throw Error(response, file);
                have = 0;
                output.SetLength(0);
            }
            _options.Progress?.Report(new HubDownloadProgress(file, have, size));
            await using var body = await response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, idle.Token).ConfigureAwait(false)) > 0)
            {
                // Never write past the announced size: a longer body is rejected by the caller instead of filling the disk.
                if (size is { } announced && have + read > announced) return have + read;
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                have += read;
                _options.Progress?.Report(new HubDownloadProgress(file, have, size));
                idle.CancelAfter(_options.Timeout);
            }
            return have;
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException or HttpRequestException { StatusCode: null } or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            var reason = e is OperationCanceledException ? $"no data for {_options.Timeout.TotalSeconds:0.#} s" : e.Message;
            throw Interrupted(file, partial, output.Length, size, reason, e);
        }
    }

    /// <summary>GET from byte <paramref name="from"/> on, following redirects; the token goes only to the hub itself.</summary>
    private async Task<HttpResponseMessage> GetAsync(Uri url, long from, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var request = Request(HttpMethod.Get, url);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response) || response.Headers.Location is null) return response;
            url = new Uri(url, response.Headers.Location);
            response.Dispose();
        }
        throw new HttpRequestException($"Too many redirects downloading from {url}.");
    }

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.UserAgent.ParseAdd(UserAgent);
        request.Headers.AcceptEncoding.ParseAdd("identity");
        if (!string.IsNullOrEmpty(_options.Token) && url.Authority == _endpoint.Authority)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        return request;
    }

    private Exception Error(HttpResponseMessage response, string file)
    {
        var status = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new UnauthorizedAccessException(
                $"The hub refused access to '{file}' of '{_repoId}' (HTTP {status}). The repo may be gated or private (or may not exist): " +
                "accept its terms on the hub and set HF_TOKEN or HubOptions.Token to an access token" +
                (string.IsNullOrEmpty(_options.Token) ? "." : "; the token that was sent was not accepted.")),
            HttpStatusCode.NotFound when Header(response, "X-Error-Code") == "RevisionNotFound" =>
                new FileNotFoundException($"Revision '{_revision}' does not exist in Hugging Face repo '{_repoId}'."),
            HttpStatusCode.NotFound => new FileNotFoundException(
                $"Hugging Face repo '{_repoId}' was not found at {_options.Endpoint} (a private repo looks the same without a token: set HF_TOKEN or HubOptions.Token)."),
            _ => new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} for '{_repoId}' failed: HTTP {status} {response.ReasonPhrase}.", null, response.StatusCode),
        };
    }

    private IOException Interrupted(string file, string partial, long have, long? size, string reason, Exception? inner) => new(
        $"The download of '{file}' of '{_repoId}' was interrupted after {have} of {size?.ToString() ?? "?"} bytes ({reason}). " +
        $"The partial file '{partial}' is kept and the next call resumes it.", inner);

    private static bool IsRedirect(HttpResponseMessage response) => (int)response.StatusCode is >= 300 and < 400;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
}
