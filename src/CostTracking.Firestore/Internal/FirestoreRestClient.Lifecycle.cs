using System.Text.Json;

namespace CostTracking.Firestore.Internal;

/// <summary>The calls behind timeouts, retention, analytics, budgets and re-pricing: queries with their read time, aggregation queries, raw batch reads.</summary>
internal sealed partial class FirestoreRestClient
{
    /// <summary>Runs a structured query and also returns the time it read at, so that follow-up reads see the same snapshot.</summary>
    /// <param name="parentPath">The parent document, relative to the documents root, or empty for the root (collection-group queries).</param>
    /// <param name="body">The request body.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    public async Task<QueryResult> RunQueryWithReadTimeAsync(string parentPath, byte[] body, CancellationToken cancellationToken)
    {
        var url = parentPath.Length == 0 ? _documentsUrl + ":runQuery" : _documentsUrl + "/" + EscapePath(parentPath) + ":runQuery";
        var result = await SendAsync("runQuery", url, body, parentPath, cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed("runQuery", parentPath);
        using var json = JsonDocument.Parse(result.Body);
        var documents = new List<FirestoreDocument>();
        string? readTime = null;
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("readTime", out var rt))
            {
                readTime ??= rt.GetString();
            }

            if (item.TryGetProperty("document", out var document))
            {
                documents.Add(FirestoreDocument.Parse(document));
            }
        }

        return new QueryResult(documents, readTime);
    }

    /// <summary>Runs <c>runAggregationQuery</c> and returns its aggregate fields by alias.</summary>
    /// <param name="parentPath">The parent document, relative to the documents root, or empty for the root (collection-group queries).</param>
    /// <param name="body">The request body, holding a <c>structuredAggregationQuery</c>.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    public async Task<IReadOnlyDictionary<string, object?>> RunAggregationQueryAsync(string parentPath, byte[] body, CancellationToken cancellationToken)
    {
        var url = parentPath.Length == 0 ? _documentsUrl + ":runAggregationQuery" : _documentsUrl + "/" + EscapePath(parentPath) + ":runAggregationQuery";
        var result = await SendAsync("runAggregationQuery", url, body, parentPath, cancellationToken).ConfigureAwait(false);
        result.ThrowIfFailed("runAggregationQuery", parentPath);
        using var json = JsonDocument.Parse(result.Body);
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("result", out var r) && r.TryGetProperty("aggregateFields", out var fields))
            {
                var values = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var field in fields.EnumerateObject())
                {
                    values[field.Name] = FirestoreValues.Read(field.Value);
                }

                return values;
            }
        }

        throw new FirestoreStoreException("UNKNOWN", 200, parentPath, $"Firestore runAggregationQuery on '{parentPath}' returned no result.");
    }

    /// <summary>Reads documents by path with <c>documents:batchGet</c>, keeping each one's JSON (to copy values back unchanged) and exact update time (for preconditions).</summary>
    /// <param name="relativePaths">Paths relative to the documents root.</param>
    /// <param name="mask">The fields to read, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The documents found, by path relative to the documents root; missing ones are left out. All were read at one time.</returns>
    public async Task<Dictionary<string, RawDocument>> BatchGetRawAsync(IReadOnlyList<string> relativePaths, IReadOnlyList<string>? mask, CancellationToken cancellationToken)
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
        var found = new Dictionary<string, RawDocument>(StringComparer.Ordinal);
        var prefix = DocumentsRoot + "/";
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.TryGetProperty("found", out var document))
            {
                var parsed = FirestoreDocument.Parse(document);
                var relative = parsed.Name.StartsWith(prefix, StringComparison.Ordinal) ? parsed.Name[prefix.Length..] : parsed.Name;
                found[relative] = new RawDocument(parsed, document.Clone(), document.GetProperty("updateTime").GetString()!);
            }
        }

        return found;
    }

    /// <summary>Waits on the store's clock (the one retries use), e.g. between attempts of an optimistic write.</summary>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);

    /// <summary>Turns a full document name into a path relative to the documents root, or <see langword="null"/> when it is in another database.</summary>
    public string? RelativePath(string documentName)
    {
        var prefix = DocumentsRoot + "/";
        return documentName.StartsWith(prefix, StringComparison.Ordinal) ? documentName[prefix.Length..] : null;
    }
}

/// <summary>The documents a query returned and the time it read at.</summary>
internal sealed record QueryResult(IReadOnlyList<FirestoreDocument> Documents, string? ReadTime);

/// <summary>A document as read, with its JSON and its update time exactly as Firestore wrote it.</summary>
internal sealed record RawDocument(FirestoreDocument Document, JsonElement Json, string UpdateTime);
