using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CostTracking.Firestore.Internal;

/// <summary>A small client for the Firestore REST API v1: commit, batchGet and runQuery, with transient faults retried.</summary>
/// <remarks>
/// Errors are classified by the google.rpc <c>status</c> of the error body, never by the HTTP code alone (ABORTED and
/// ALREADY_EXISTS are both HTTP 409). Every write the store sends is idempotent through preconditions, so a retry
/// after an unknown outcome is safe; <see cref="RestResult.Attempts"/> tells the store when an outcome was unknown.
/// </remarks>
internal sealed partial class FirestoreRestClient
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    private readonly Func<HttpClient> _httpClient;
    private readonly IAccessTokenSource _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxRetryAttempts;
    private readonly TimeSpan _initialRetryDelay;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeSpan _requestTimeout;
    private readonly string _documentsUrl;
    private HttpClient? _lastClient;

    public FirestoreRestClient(Func<HttpClient> httpClient, FirestoreStoreOptions options, IAccessTokenSource tokens, TimeProvider time, ILogger logger)
    {
        _httpClient = httpClient;
        _tokens = tokens;
        _time = time;
        _logger = logger;
        _maxRetryAttempts = options.MaxRetryAttempts;
        _initialRetryDelay = options.InitialRetryDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _requestTimeout = options.RequestTimeout;
        DatabaseName = $"projects/{options.ProjectId}/databases/{options.DatabaseId}";
        DocumentsRoot = DatabaseName + "/documents";
        var baseUrl = options.EmulatorHost is { } host ? $"http://{host}/v1/" : FirestoreDefaults.ProductionBaseUrl;
        _documentsUrl = baseUrl + DocumentsRoot;
    }

    /// <summary>Gets the database's name, <c>projects/{p}/databases/{d}</c>.</summary>
    public string DatabaseName { get; }

    /// <summary>Gets the root every document name starts with, <c>projects/{p}/databases/{d}/documents</c>.</summary>
    public string DocumentsRoot { get; }

    /// <summary>Turns a path relative to the documents root into a full document name.</summary>
    public string FullName(string relativePath) => DocumentsRoot + "/" + relativePath;

    /// <summary>Builds a request body; the state avoids a closure per call.</summary>
    /// <remarks>The buffer and writer are reused per thread (a nested call gets fresh ones), so a body costs one allocation: its own bytes.</remarks>
    public static byte[] BuildBody<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var builder = t_builder ?? new BodyBuilder();
        t_builder = null;
        builder.Buffer.ResetWrittenCount();
        builder.Writer.Reset(builder.Buffer);
        write(builder.Writer, state);
        builder.Writer.Flush();
        var body = builder.Buffer.WrittenSpan.ToArray();
        if (builder.Buffer.Capacity <= MaxPooledBufferBytes)
        {
            t_builder = builder;
        }

        return body;
    }

    private const int MaxPooledBufferBytes = 256 * 1024;

    [ThreadStatic]
    private static BodyBuilder? t_builder;

    private sealed class BodyBuilder
    {
        public BodyBuilder()
        {
            Writer = new Utf8JsonWriter(Buffer, WriterOptions);
        }

        public ArrayBufferWriter<byte> Buffer { get; } = new(4096);

        public Utf8JsonWriter Writer { get; }
    }

    /// <summary>Sends <c>documents:commit</c>; the body holds the writes.</summary>
    public Task<RestResult> CommitAsync(byte[] body, string documentPath, CancellationToken cancellationToken) =>
        SendAsync("commit", _documentsUrl + ":commit", body, documentPath, cancellationToken);

    /// <summary>Reads documents by path with <c>documents:batchGet</c>; missing ones are left out.</summary>
    /// <param name="relativePaths">Paths relative to the documents root.</param>
    /// <param name="mask">The fields to read, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    public async Task<BatchGetResult> BatchGetAsync(IReadOnlyList<string> relativePaths, IReadOnlyList<string>? mask, CancellationToken cancellationToken)
    {
        var body = BuildBody((Client: this, Paths: relativePaths, Mask: mask), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("documents");
            foreach (var path in s.Paths)
            {
                w.WriteStringValue(s.Client.FullName(path));
            }

            w.WriteEndArray();
            WriteMask(w, "mask", s.Mask);
            w.WriteEndObject();
        });
        var result = await SendAsync("batchGet", _documentsUrl + ":batchGet", body, relativePaths[0], cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed("batchGet", relativePaths[0]);
        using var json = JsonDocument.Parse(result.Body);
        var found = new List<FirestoreDocument>(relativePaths.Count);
        string? readTime = null;
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("readTime", out var rt))
            {
                readTime ??= rt.GetString();
            }

            if (item.TryGetProperty("found", out var document))
            {
                found.Add(FirestoreDocument.Parse(document));
            }
        }

        return new BatchGetResult(found, readTime);
    }

    /// <summary>Runs a structured query with <c>runQuery</c> under a parent document (or the root when <paramref name="parentPath"/> is empty).</summary>
    /// <param name="parentPath">The parent document, relative to the documents root.</param>
    /// <param name="body">The request body (structuredQuery, and readTime when reading a snapshot).</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    public async Task<IReadOnlyList<FirestoreDocument>> RunQueryAsync(string parentPath, byte[] body, CancellationToken cancellationToken)
    {
        var url = parentPath.Length == 0 ? _documentsUrl + ":runQuery" : _documentsUrl + "/" + EscapePath(parentPath) + ":runQuery";
        var result = await SendAsync("runQuery", url, body, parentPath, cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed("runQuery", parentPath);
        using var json = JsonDocument.Parse(result.Body);
        var documents = new List<FirestoreDocument>();
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("document", out var document))
            {
                documents.Add(FirestoreDocument.Parse(document));
            }
        }

        return documents;
    }

    /// <summary>Writes <c>"name": {"fieldPaths": [...]}</c> when a mask is given.</summary>
    public static void WriteMask(Utf8JsonWriter writer, string propertyName, IReadOnlyList<string>? fieldPaths)
    {
        if (fieldPaths is null)
        {
            return;
        }

        writer.WriteStartObject(propertyName);
        writer.WriteStartArray("fieldPaths");
        foreach (var path in fieldPaths)
        {
            writer.WriteStringValue(path);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Percent-encodes each segment of a document path for a URL (ids may hold any character but '/').</summary>
    public static string EscapePath(string relativePath)
    {
        var builder = new StringBuilder(relativePath.Length + 16);
        foreach (var segment in relativePath.Split('/'))
        {
            if (builder.Length > 0)
            {
                builder.Append('/');
            }

            builder.Append(Uri.EscapeDataString(segment));
        }

        return builder.ToString();
    }

    private async Task<RestResult> SendAsync(string operation, string url, byte[] body, string documentPath, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string status;
            string detail;
            int? httpStatus = null;
            Exception? failure = null;
            using (var timeout = new CancellationTokenSource(_requestTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = JsonContentType;
                    var token = await _tokens.GetAccessTokenAsync(linked.Token).ConfigureAwait(false);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    using var response = await Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                    var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
                    httpStatus = (int)response.StatusCode;
                    var error = response.IsSuccessStatusCode ? FindStreamedError(bytes) : ParseError(bytes, httpStatus.Value);
                    if (error is null)
                    {
                        return RestResult.Success(bytes, attempt);
                    }

                    (status, detail) = error.Value;
                    if (!IsTransient(status, httpStatus.Value) || attempt > _maxRetryAttempts)
                    {
                        return RestResult.Failure(status, httpStatus, detail, attempt);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException ex)
                {
                    // Not the caller's token: this attempt's timeout (or HttpClient.Timeout) fired.
                    failure = ex;
                    status = "DEADLINE_EXCEEDED";
                    detail = $"no response within {_requestTimeout.TotalSeconds:0.###} s";
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    failure = ex;
                    status = "UNAVAILABLE";
                    detail = ex.Message;
                }
            }

            if (attempt > _maxRetryAttempts)
            {
                throw new FirestoreStoreException(
                    status,
                    httpStatus,
                    documentPath,
                    $"Firestore {operation} on '{documentPath}' failed: {status}: {detail} (gave up after {attempt} attempts).",
                    failure);
            }

            var delay = RetryDelay(attempt);
            Log.Retrying(_logger, operation, documentPath, status, attempt, (long)delay.TotalMilliseconds, failure);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes a client now, so that requests sent while the container is being disposed (a group commit's final flush) still have one.</summary>
    public void KeepClient() => _lastClient = _httpClient();

    /// <summary>The client for one request; once the container that hands them out is disposed, the last one it handed out.</summary>
    private HttpClient Client()
    {
        try
        {
            return _lastClient = _httpClient();
        }
        catch (ObjectDisposedException) when (_lastClient is { } last)
        {
            return last;
        }
    }

    /// <summary>Exponential backoff with jitter: the n-th retry waits between half and all of min(max, initial × 2^(n-1)).</summary>
    private TimeSpan RetryDelay(int attempt)
    {
        var ceiling = _initialRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(ceiling, _maxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds((capped / 2) + (Random.Shared.NextDouble() * capped / 2));
    }

    /// <summary>Transient: worth another attempt with backoff.</summary>
    internal static bool IsTransient(string status, int httpStatus) =>
        status is "ABORTED" or "UNAVAILABLE" or "RESOURCE_EXHAUSTED" or "DEADLINE_EXCEEDED" || httpStatus >= 500;

    /// <summary>Reads the google.rpc status and message of an error body (an object, or a one-element array from runQuery).</summary>
    /// <remarks>Without a status in the body (a proxy's HTML page, say) the status comes from the HTTP code only when that code can only mean a transient fault; otherwise it is UNKNOWN, so that a bare 404 is never taken for NOT_FOUND.</remarks>
    internal static (string Status, string Message)? ParseError(byte[] body, int httpStatus)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var error = FindError(json.RootElement);
            if (error is { } e)
            {
                var status = e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                return (status ?? StatusFromHttp(httpStatus), Shorten(message ?? $"HTTP {httpStatus}"));
            }
        }
        catch (JsonException)
        {
        }

        return (StatusFromHttp(httpStatus), $"HTTP {httpStatus} without a Firestore error body");
    }

    private static (string Status, string Message)? FindStreamedError(byte[] body)
    {
        // runQuery streams a JSON array; a failure after the first result arrives as an element holding "error".
        if (body.Length == 0 || body[0] != (byte)'[' || body.AsSpan().IndexOf("\"error\""u8) < 0)
        {
            return null;
        }

        return ParseError(body, 200) is { } error && error.Status != "UNKNOWN" ? error : null;
    }

    private static JsonElement? FindError(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return error;
        }

        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                if (FindError(item) is { } inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }

    private static string StatusFromHttp(int httpStatus) => httpStatus switch
    {
        429 => "RESOURCE_EXHAUSTED",
        502 or 503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    };

    private static string Shorten(string message) => message.Length <= 500 ? message : string.Concat(message.AsSpan(0, 497), "...");
}

/// <summary>The outcome of one REST call after retries: a body, or the last error's status.</summary>
internal readonly record struct RestResult(bool IsSuccess, byte[] Body, string Status, int? HttpStatus, string Message, int Attempts)
{
    public static RestResult Success(byte[] body, int attempts) => new(true, body, "OK", 200, "", attempts);

    public static RestResult Failure(string status, int? httpStatus, string message, int attempts) => new(false, [], status, httpStatus, message, attempts);

    public FirestoreStoreException ToException(string operation, string documentPath) => new(
        Status,
        HttpStatus,
        documentPath,
        $"Firestore {operation} on '{documentPath}' failed: {Status} (HTTP {HttpStatus}): {Message}");

    public void ThrowIfFailed(string operation, string documentPath)
    {
        if (!IsSuccess)
        {
            throw ToException(operation, documentPath);
        }
    }
}

/// <summary>The documents a batchGet found, and the time they were read at (for a consistent follow-up query).</summary>
internal sealed record BatchGetResult(IReadOnlyList<FirestoreDocument> Found, string? ReadTime);
