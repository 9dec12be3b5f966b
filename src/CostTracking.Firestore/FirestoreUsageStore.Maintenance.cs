using System.Globalization;
using System.Text;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using static CostTracking.Firestore.Internal.CommitWriter;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>Session timeouts and retention: the idle listing, the atomic abandon, and deletes in bounded batches, all across users.</summary>
public sealed partial class FirestoreUsageStore
{
    private const string IdlePrefix = "fs-i1:";
    private const string LegacyIdlePrefix = "fs-i2:";

    /// <inheritdoc />
    /// <remarks>
    /// <para>Two collection-group queries over <c>sessions</c>, one after the other, each ordered then paged by cursor:</para>
    /// <para>1. Sessions this store wrote: <c>status == in-progress</c> and <c>lastUpdatedMicros &lt; cut-off</c>, ordered by
    /// <c>lastUpdatedMicros</c> then document name (index: <c>status</c> ↑ <c>lastUpdatedMicros</c> ↑).</para>
    /// <para>2. Then sessions the seed wrote, which have no <c>lastUpdatedMicros</c>: <c>status == in-progress</c> and
    /// <c>lastUpdatedAt &lt; cut-off</c>, ordered by <c>lastUpdatedAt</c> then name (index: <c>status</c> ↑ <c>lastUpdatedAt</c> ↑);
    /// sessions that do have <c>lastUpdatedMicros</c> were the first query's and are skipped.</para>
    /// <para>A page holds at most 1,000 sessions whatever the page size asked for.</para>
    /// </remarks>
    public async Task<UsagePage<SessionKey>> ListIdleSessionsAsync(DateTimeOffset idleBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var cursor = continuationToken is null ? new IdleCursor(Legacy: false, 0, null) : DecodeIdleToken(continuationToken, nameof(continuationToken));
        cancellationToken.ThrowIfCancellationRequested();
        pageSize = Math.Min(pageSize, FirestoreDefaults.StepPageSize);

        var items = new List<SessionKey>(pageSize);
        while (true)
        {
            var want = pageSize - items.Count;
            var field = cursor.Legacy ? L.Session.LastUpdatedAt : L.Session.LastUpdatedMicros;
            var query = new StructuredQuery(L.Sessions, allDescendants: true)
            {
                Select = [L.Session.LastUpdatedMicros, L.Session.LastUpdatedAt],
                Limit = want + 1,
                StartAfter = cursor.Path is { } path
                    ? [cursor.Legacy ? FirestoreValues.FromUnixMicroseconds(cursor.Micros) : cursor.Micros, new DocumentReference(_client.FullName(path))]
                    : null,
            }
                .Where(L.Session.Status, "EQUAL", L.StatusInProgress)
                .Where(field, "LESS_THAN", cursor.Legacy ? idleBefore : CeilingMicros(idleBefore));
            query.OrderByThenName(field, StructuredQuery.Ascending);

            var documents = await _client.RunQueryAsync("", QueryBody(query), cancellationToken).ConfigureAwait(false);
            foreach (var document in documents.Take(want))
            {
                // Another app's collection named "sessions" is skipped, never listed; so is, in the second query, a session
                // of this store's (it has lastUpdatedMicros: the first query's).
                if ((!cursor.Legacy || !document.HasInt64(L.Session.LastUpdatedMicros)) && SessionKeyOf(document) is { } key)
                {
                    items.Add(key);
                }
            }

            if (documents.Count > want)
            {
                var last = documents[want - 1];
                var micros = cursor.Legacy
                    ? FirestoreValues.ToUnixMicroseconds(last.GetTimestamp(L.Session.LastUpdatedAt) ?? idleBefore)
                    : last.GetInt64(L.Session.LastUpdatedMicros);
                cursor = new IdleCursor(cursor.Legacy, micros, _client.RelativePath(last.Name)!);
                if (items.Count == pageSize)
                {
                    return new UsagePage<SessionKey>(items, EncodeIdleToken(cursor));
                }

                // Sessions were skipped: fill the page from the same query.
                continue;
            }

            if (cursor.Legacy)
            {
                return new UsagePage<SessionKey>(items, null);
            }

            // The first query is done: the seed's sessions next, in this page if it has room, otherwise from the next one.
            cursor = new IdleCursor(Legacy: true, 0, null);
            if (items.Count == pageSize)
            {
                return new UsagePage<SessionKey>(items, EncodeIdleToken(cursor));
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads the session, checks that it is in progress and idle, then commits [create the close marker only if absent,
    /// set the status with an <c>updateTime</c> precondition on the version read]. A step or a close that lands in between
    /// changes the session (or creates the marker), so the commit fails and the check runs again on the new version: the step is
    /// kept and the session stays open, the close wins.</remarks>
    public async Task<bool> AbandonIfIdleAsync(SessionKey key, DateTimeOffset idleBefore, DateTimeOffset abandonedAt, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(key.UserId, "key.UserId");
        UsageIds.ThrowIfInvalid(key.SessionId, "key.SessionId");
        cancellationToken.ThrowIfCancellationRequested();

        var sessionPath = L.SessionPath(key.UserId, key.SessionId);
        var closePath = L.ClosePath(key.UserId, key.SessionId);
        var token = NewWriteToken();
        var uncertain = false;
        for (var attempt = 0; attempt < MaxConflictAttempts; attempt++)
        {
            var read = await _client.BatchGetRawAsync([sessionPath, closePath], null, cancellationToken).ConfigureAwait(false);
            if (read.TryGetValue(closePath, out var marker))
            {
                // Closed: by this call when an earlier attempt's response was lost, otherwise by someone else.
                return uncertain && marker.Document.GetString(L.Marker.WriteToken) == token;
            }

            if (!read.TryGetValue(sessionPath, out var session))
            {
                return false;
            }

            var header = ReadHeader(session.Document);
            if (header.Status != SessionStatus.InProgress || header.LastUpdatedAt >= idleBefore)
            {
                return false;
            }

            var body = FirestoreRestClient.BuildBody(this, (w, store) =>
            {
                w.WriteStartObject();
                w.WriteStartArray("writes");

                // 1. The close marker, only if absent: a concurrent close and this abandon cannot both win.
                w.WriteStartObject();
                w.WriteStartObject("update");
                w.WriteString("name", store._client.FullName(closePath));
                w.WriteStartObject("fields");
                FirestoreValues.WriteString(w, L.Close.Status, L.StatusAbandoned);
                FirestoreValues.WriteTimestamp(w, L.Close.ClosedAt, abandonedAt);
                FirestoreValues.WriteString(w, L.Marker.WriteToken, token);
                w.WriteEndObject();
                w.WriteEndObject();
                WriteExists(w, false);
                w.WriteEndObject();

                // 2. The status, only on the version that was found idle: a step in between fails the commit.
                w.WriteStartObject();
                w.WriteStartObject("update");
                w.WriteString("name", store._client.FullName(sessionPath));
                w.WriteStartObject("fields");
                FirestoreValues.WriteString(w, L.Session.Status, L.StatusAbandoned);
                FirestoreValues.WriteTimestamp(w, L.Session.AbandonedAt, abandonedAt);
                FirestoreValues.WriteTimestamp(w, L.Session.LastUpdatedAt, abandonedAt > header.LastUpdatedAt ? abandonedAt : header.LastUpdatedAt);
                w.WriteEndObject();
                w.WriteEndObject();
                FirestoreRestClient.WriteMask(w, "updateMask", [L.Session.Status, L.Session.AbandonedAt, L.Session.LastUpdatedAt]);
                w.WriteStartArray("updateTransforms");
                WriteMaximum(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(abandonedAt));
                w.WriteEndArray();
                WriteUpdateTime(w, session.UpdateTime);
                w.WriteEndObject();

                w.WriteEndArray();
                w.WriteEndObject();
            });

            var result = await _client.CommitAsync(body, sessionPath, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                return true;
            }

            uncertain |= result.Attempts > 1;
            if (result.Status is not (AlreadyExists or FailedPrecondition or NotFound))
            {
                throw result.ToException("commit", sessionPath);
            }

            // Changed, closed or deleted meanwhile: look again (a close or a delete ends the loop at once).
            if (result.Status == FailedPrecondition)
            {
                await BackOffAsync("abandon", sessionPath, result.Status, attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        throw TooMuchContention("abandon", sessionPath);
    }

    /// <inheritdoc />
    /// <remarks>A collection-group query over <c>sessions</c> (<c>createdAt &lt; cut-off</c>, newest first: the order the session reads use, so they share one index). Each session goes with its
    /// <c>steps</c> and its <c>state</c> markers; its last commit deletes the session document with an <c>updateTime</c>
    /// precondition, so a step that lands meanwhile is found and deleted too. A session of up to 497 steps goes in one atomic
    /// commit; a bigger one loses its steps in commits of 500 first. Monthly summaries are never touched.</remarks>
    public async Task<int> DeleteSessionsCreatedBeforeAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = 0;
        object[]? after = null;
        while (deleted < maxCount)
        {
            var limit = Math.Min(maxCount - deleted, WalkPageSize);
            var query = new StructuredQuery(L.Sessions, allDescendants: true)
            {
                Select = [L.Session.CreatedAt],
                Limit = limit,
                StartAfter = after,
            }
                .Where(L.Session.CreatedAt, "LESS_THAN", CeilingTimestamp(createdBefore));
            query.OrderByThenName(L.Session.CreatedAt, StructuredQuery.Descending);
            var documents = await _client.RunQueryAsync("", QueryBody(query), cancellationToken).ConfigureAwait(false);
            foreach (var document in documents)
            {
                if (SessionKeyOf(document) is { } key
                    && await DeleteSessionTreeAsync(L.SessionPath(key.UserId, key.SessionId), cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }

            if (documents.Count < limit)
            {
                break;
            }

            var last = documents[^1];
            after = [last.GetTimestamp(L.Session.CreatedAt) ?? DateTimeOffset.UnixEpoch, new DocumentReference(last.Name)];
        }

        return deleted;
    }

    /// <inheritdoc />
    /// <remarks>A collection-group query over <c>operations</c> (both <c>AIUsage</c> and <c>ApiUsage</c>; <c>timestamp &lt; cut-off</c>,
    /// newest first), deleted in one commit per page with <c>exists</c> preconditions, so each is counted once even when two
    /// sweeps run at once. Monthly summaries are never touched.</remarks>
    public async Task<int> DeleteOperationsRecordedBeforeAsync(DateTimeOffset recordedBefore, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = 0;
        object[]? after = null;
        var conflicts = 0;
        while (deleted < maxCount)
        {
            var limit = Math.Min(maxCount - deleted, WalkPageSize);
            var query = new StructuredQuery(L.Operations, allDescendants: true)
            {
                Select = [L.Op.Timestamp],
                Limit = limit,
                StartAfter = after,
            }
                .Where(L.Op.Timestamp, "LESS_THAN", CeilingTimestamp(recordedBefore));
            query.OrderByThenName(L.Op.Timestamp, StructuredQuery.Descending);
            var documents = await _client.RunQueryAsync("", QueryBody(query), cancellationToken).ConfigureAwait(false);
            var paths = new List<string>(documents.Count);
            foreach (var document in documents)
            {
                if (IsOperation(document, out var path))
                {
                    paths.Add(path);
                }
            }

            if (paths.Count > 0)
            {
                var body = FirestoreRestClient.BuildBody(this, (w, store) =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("writes");
                    foreach (var path in paths)
                    {
                        store.WriteDelete(w, path, exists: true);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                var result = await _client.CommitAsync(body, paths[0], cancellationToken).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    deleted += paths.Count;
                }
                else if (result.Status == NotFound && result.Attempts == 1 && ++conflicts < MaxConflictAttempts)
                {
                    // Another sweep deleted one of them first: list this page again.
                    await BackOffAsync("delete operations", paths[0], result.Status, conflicts, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                else if (result.Status == NotFound)
                {
                    // Our own first attempt landed (its response was lost) or the contention outlasted the attempts:
                    // the page is gone either way; count what is verifiably gone.
                    var left = await _client.BatchGetRawAsync(paths, [L.Op.Timestamp], cancellationToken).ConfigureAwait(false);
                    deleted += paths.Count - left.Count;
                }
                else
                {
                    throw result.ToException("commit", paths[0]);
                }
            }

            if (documents.Count < limit)
            {
                break;
            }

            var last = documents[^1];
            after = [last.GetTimestamp(L.Op.Timestamp) ?? DateTimeOffset.UnixEpoch, new DocumentReference(last.Name)];
        }

        return deleted;
    }

    /// <summary>Deletes one session with its steps and markers; <see langword="true"/> when this call deleted the session document.</summary>
    private async Task<bool> DeleteSessionTreeAsync(string sessionPath, CancellationToken cancellationToken)
    {
        // A batched step of this session would now fail NOT_FOUND (and fall back); forgetting it sends the next one alone at once.
        ForgetSession(sessionPath);
        var uncertain = false;
        var markers = L.StateMarkers.Select(m => $"{sessionPath}/{L.State}/{m}").ToArray();
        for (var attempt = 0; attempt < MaxConflictAttempts; attempt++)
        {
            var read = await _client.BatchGetRawAsync([sessionPath], [L.Session.Status], cancellationToken).ConfigureAwait(false);
            if (!read.TryGetValue(sessionPath, out var session))
            {
                // Gone: deleted by this call's earlier attempt whose response was lost, or by another sweep.
                return uncertain;
            }

            var steps = await ListChildPathsAsync(sessionPath, L.Steps, cancellationToken).ConfigureAwait(false);

            // All but the last batch of steps first; the last commit takes the rest, the markers and the session together.
            var lastBatch = DeletesPerCommit - markers.Length - 1;
            var head = steps.Count > lastBatch ? steps.Count - lastBatch : 0;
            for (var start = 0; start < head; start += DeletesPerCommit)
            {
                var chunk = steps.GetRange(start, Math.Min(DeletesPerCommit, head - start));
                var stepsBody = FirestoreRestClient.BuildBody(this, (w, store) =>
                {
                    w.WriteStartObject();
                    w.WriteStartArray("writes");
                    chunk.ForEach(path => store.WriteDelete(w, path));
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                var deleted = await _client.CommitAsync(stepsBody, sessionPath, cancellationToken).ConfigureAwait(false);
                deleted.ThrowIfFailed("commit", sessionPath);
            }

            var body = FirestoreRestClient.BuildBody(this, (w, store) =>
            {
                w.WriteStartObject();
                w.WriteStartArray("writes");
                for (var i = head; i < steps.Count; i++)
                {
                    store.WriteDelete(w, steps[i]);
                }

                foreach (var marker in markers)
                {
                    store.WriteDelete(w, marker);
                }

                store.WriteDelete(w, sessionPath, updateTime: session.UpdateTime);
                w.WriteEndArray();
                w.WriteEndObject();
            });
            var result = await _client.CommitAsync(body, sessionPath, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                Log.SessionDeleted(_logger, sessionPath, steps.Count);
                return true;
            }

            uncertain |= result.Attempts > 1;
            if (result.Status is not (FailedPrecondition or NotFound))
            {
                throw result.ToException("commit", sessionPath);
            }

            // A step (or a close) landed after the steps were listed: list them again.
            await BackOffAsync("delete session", sessionPath, result.Status, attempt, cancellationToken).ConfigureAwait(false);
        }

        throw TooMuchContention("delete session", sessionPath);
    }

    private static string EncodeIdleToken(IdleCursor cursor) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{(cursor.Legacy ? LegacyIdlePrefix : IdlePrefix)}{cursor.Micros}:{cursor.Path}")));

    /// <summary>Decodes an idle-listing token: which query, and the (last-updated microseconds, document path) of the last session of the previous page (no path: the second query from its start).</summary>
    /// <remarks>The path is only a cursor position (a query value), never read or written; still, it must be a well-formed path to a document in a <c>sessions</c> collection.</remarks>
    private static IdleCursor DecodeIdleToken(string token, string paramName)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var legacy = text.StartsWith(LegacyIdlePrefix, StringComparison.Ordinal);
            if (legacy || text.StartsWith(IdlePrefix, StringComparison.Ordinal))
            {
                var prefix = legacy ? LegacyIdlePrefix.Length : IdlePrefix.Length;
                var colon = text.IndexOf(':', prefix);
                if (colon > prefix
                    && long.TryParse(text.AsSpan(prefix, colon - prefix), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros))
                {
                    var path = text[(colon + 1)..];
                    if (legacy && path.Length == 0)
                    {
                        return new IdleCursor(Legacy: true, 0, null);
                    }

                    var segments = path.Split('/');
                    if (segments.Length >= 2 && segments.Length % 2 == 0 && segments[^2] == L.Sessions && segments.All(UsageIds.IsValid))
                    {
                        return new IdleCursor(legacy, micros, path);
                    }
                }
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException($"The continuation token '{(token.Length <= 64 ? token : token[..61] + "...")}' was not issued by this store for the idle-session listing.", paramName);
    }

    /// <summary>Where an idle listing stands: in the first query (this store's sessions) or the second (the seed's), after which session.</summary>
    private readonly record struct IdleCursor(bool Legacy, long Micros, string? Path);
}
