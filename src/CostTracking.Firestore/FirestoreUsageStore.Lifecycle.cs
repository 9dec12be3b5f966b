using System.Text.Json;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>The optional lifecycle interfaces of the core, and what their parts (maintenance, analytics, budgets, re-pricing) share: optimistic retries, preconditions, paths of cross-user queries.</summary>
public sealed partial class FirestoreUsageStore : IUsageMaintenanceStore, IUsageAnalyticsStore, IBudgetStore, ISessionRepricingStore
{
    private const string FailedPrecondition = "FAILED_PRECONDITION";

    /// <summary>How many times a read-check-write with an <c>updateTime</c> precondition is re-run after meeting a concurrent change.</summary>
    /// <remarks>64 reservations racing on one budget document need up to a few dozen rounds each; the delays below spread them out.</remarks>
    private const int MaxConflictAttempts = 64;

    /// <summary>The first and the largest ceiling of the random delay between such attempts ("full jitter": anything from 0 to the ceiling).</summary>
    private static readonly TimeSpan ConflictBaseDelay = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan ConflictMaxDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The page size of the store's own walks (retention, analytics).</summary>
    private const int WalkPageSize = 200;

    /// <summary>How many deletes one retention commit carries at most.</summary>
    private const int DeletesPerCommit = 500;

    /// <summary>Waits before re-running a read-check-write that met a concurrent change: a random delay up to a ceiling that doubles per attempt.</summary>
    private Task BackOffAsync(string operation, string path, string status, int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(ConflictMaxDelay.TotalMilliseconds, ConflictBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)));
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
        Log.ConcurrentChange(_logger, operation, path, status, attempt + 1, (long)delay.TotalMilliseconds);
        return _client.DelayAsync(delay, cancellationToken);
    }

    private static FirestoreStoreException TooMuchContention(string operation, string path) => new(
        "ABORTED",
        null,
        path,
        $"Firestore {operation} on '{path}' met a concurrent change on each of {MaxConflictAttempts} attempts; too much contention on this document.");

    /// <summary>Writes <c>"currentDocument": {"updateTime": …}</c>: the write applies only to the version that was read.</summary>
    private static void WriteUpdateTime(Utf8JsonWriter w, string updateTime)
    {
        w.WriteStartObject("currentDocument");
        w.WriteString("updateTime", updateTime);
        w.WriteEndObject();
    }

    /// <summary>Writes a delete of one document, with a precondition when given.</summary>
    private void WriteDelete(Utf8JsonWriter w, string path, string? updateTime = null, bool? exists = null)
    {
        w.WriteStartObject();
        w.WriteString("delete", _client.FullName(path));
        if (updateTime is not null)
        {
            WriteUpdateTime(w, updateTime);
        }
        else if (exists is { } e)
        {
            CommitWriter.WriteExists(w, e);
        }

        w.WriteEndObject();
    }

    /// <summary>The smallest whole microsecond at or after an instant: Firestore keeps microseconds, so <c>t &lt; x</c> and <c>t ≥ x</c> on stored times hold exactly when they hold against this.</summary>
    private static long CeilingMicros(DateTimeOffset value)
    {
        var micros = FirestoreValues.ToUnixMicroseconds(value);
        return FirestoreValues.FromUnixMicroseconds(micros) < value ? micros + 1 : micros;
    }

    private static DateTimeOffset CeilingTimestamp(DateTimeOffset value) => FirestoreValues.FromUnixMicroseconds(CeilingMicros(value));

    /// <summary>The user and session of a document found by a collection-group query over <c>sessions</c>, or <see langword="null"/> when the document is not one of this store's sessions (another collection named <c>sessions</c> elsewhere in the database).</summary>
    private SessionKey? SessionKeyOf(FirestoreDocument document)
    {
        var segments = _client.RelativePath(document.Name)?.Split('/');
        return segments is { Length: 4 } && segments[0] == L.SessionUsage && segments[2] == L.Sessions
            && UsageIds.IsValid(segments[1]) && UsageIds.IsValid(segments[3])
            ? new SessionKey(segments[1], segments[3])
            : null;
    }

    /// <summary>Whether a document found by a collection-group query over <c>operations</c> is one of this store's standalone operations.</summary>
    private bool IsOperation(FirestoreDocument document, out string relativePath)
    {
        relativePath = _client.RelativePath(document.Name) ?? "";
        var segments = relativePath.Split('/');
        return segments.Length == 4
            && (segments[0] == L.UsageCollection(UsageType.ApiUsage) || segments[0] == L.UsageCollection(UsageType.AIUsage))
            && segments[2] == L.Operations
            && UsageIds.IsValid(segments[1]) && UsageIds.IsValid(segments[3]);
    }

    /// <summary>Lists the paths of every document of a subcollection (keys only, by name, in pages).</summary>
    private async Task<List<string>> ListChildPathsAsync(string parentPath, string collectionId, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        DocumentReference? after = null;
        while (true)
        {
            var query = new StructuredQuery(collectionId, allDescendants: false)
            {
                Select = [StructuredQuery.DocumentName],
                Limit = FirestoreDefaults.StepPageSize,
                StartAfter = after is null ? null : [after],
            };
            query.OrderBy.Add((StructuredQuery.DocumentName, StructuredQuery.Ascending));
            var page = await _client.RunQueryAsync(parentPath, QueryBody(query), cancellationToken).ConfigureAwait(false);
            foreach (var document in page)
            {
                paths.Add(_client.RelativePath(document.Name) ?? throw new FormatException($"Firestore returned '{document.Name}' outside the database."));
            }

            if (page.Count < FirestoreDefaults.StepPageSize)
            {
                return paths;
            }

            after = new DocumentReference(page[^1].Name);
        }
    }

    private static byte[] QueryBody(StructuredQuery query, string? readTime = null) => FirestoreRestClient.BuildBody((query, readTime), static (w, s) =>
    {
        w.WriteStartObject();
        s.query.Write(w);
        if (s.readTime is not null)
        {
            w.WriteString("readTime", s.readTime);
        }

        w.WriteEndObject();
    });
}
