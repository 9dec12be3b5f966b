using System.Runtime.CompilerServices;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>Session analytics: counts and sums by aggregation queries, sessions with their steps by paged queries.</summary>
public sealed partial class FirestoreUsageStore
{
    private const string CountAlias = "sessions";
    private const string SumAlias = "totalCostNanos";

    /// <summary>How many sessions' steps are read at once while streaming a page of sessions.</summary>
    private const int StepReadConcurrency = 4;

    /// <inheritdoc />
    /// <remarks>Three <c>runAggregationQuery</c> calls, one per status, each a count and a sum of the exact <c>totalCostNanos</c>
    /// over <c>status ==</c>, <c>createdAt</c> in range and, when given, <c>feature ==</c>: on the user's <c>sessions</c>
    /// collection, or on the <c>sessions</c> collection group for everyone. No session document is read; Firestore bills
    /// one read per 1,000 index entries each query matches (at least one per query).</remarks>
    public async Task<IReadOnlyDictionary<SessionStatus, CostBreakdown>> AggregateSessionsAsync(SessionRange range, CancellationToken cancellationToken = default)
    {
        var (parent, everyone) = CheckRange(range);
        cancellationToken.ThrowIfCancellationRequested();
        SessionStatus[] statuses = [SessionStatus.InProgress, SessionStatus.Completed, SessionStatus.Abandoned];
        if (range.From >= range.To)
        {
            return statuses.ToDictionary(s => s, _ => new CostBreakdown(0m, 0));
        }

        var results = await Task.WhenAll(statuses.Select(async status =>
        {
            var query = RangeQuery(range, everyone).Where(L.Session.Status, "EQUAL", L.StatusName(status));
            var body = FirestoreRestClient.BuildBody(query, static (w, q) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("structuredAggregationQuery");
                q.Write(w);
                w.WriteStartArray("aggregations");
                w.WriteStartObject();
                w.WriteString("alias", CountAlias);
                w.WriteStartObject("count");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteString("alias", SumAlias);
                w.WriteStartObject("sum");
                w.WriteStartObject("field");
                w.WriteString("fieldPath", L.Session.TotalCostNanos);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            });
            var fields = await _client.RunAggregationQueryAsync(parent, body, cancellationToken).ConfigureAwait(false);
            var count = fields.TryGetValue(CountAlias, out var c) && c is long n ? n : 0L;
            var nanos = fields.TryGetValue(SumAlias, out var s) ? s : null;
            return (status, count, nanos switch
            {
                long exact => exact,
                null => 0L,

                // Firestore sums integers exactly and turns to a double only when the sum leaves int64.
                _ => throw new OverflowException($"The total cost of the {L.StatusName(status)} sessions in range is beyond what {nameof(CostBreakdown)} can hold exactly."),
            });
        })).ConfigureAwait(false);

        return results.ToDictionary(r => r.status, r => new CostBreakdown(NanoUsd.ToDollars(r.Item3), r.count));
    }

    /// <inheritdoc />
    /// <remarks>Pages of 200 sessions, newest first by <c>createdAt</c> then name (the user's <c>sessions</c>, or the collection group for
    /// everyone); each session's steps are read from its <c>steps</c> subcollection at the page's read time, so a session's
    /// totals always match its steps. Reads every session and every step in range.</remarks>
    public async IAsyncEnumerable<UsageSession> ReadSessionsAsync(SessionRange range, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (parent, everyone) = CheckRange(range);
        object[]? after = null;
        while (range.From < range.To)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var query = RangeQuery(range, everyone);
            query.Select = L.Session.Header;
            query.Limit = WalkPageSize;
            query.StartAfter = after;
            query.OrderByThenName(L.Session.CreatedAt, StructuredQuery.Descending);
            var page = await _client.RunQueryWithReadTimeAsync(parent, QueryBody(query), cancellationToken).ConfigureAwait(false);

            var sessions = new UsageSession?[page.Documents.Count];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, page.Documents.Count),
                new ParallelOptions { MaxDegreeOfParallelism = StepReadConcurrency, CancellationToken = cancellationToken },
                async (i, ct) => sessions[i] = await ReadSessionAtAsync(page.Documents[i], page.ReadTime, ct).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var session in sessions)
            {
                if (session is not null)
                {
                    yield return session;
                }
            }

            if (page.Documents.Count < WalkPageSize)
            {
                yield break;
            }

            var last = page.Documents[^1];
            after = [last.GetTimestamp(L.Session.CreatedAt) ?? DateTimeOffset.UnixEpoch, new DocumentReference(last.Name)];
        }
    }

    /// <summary>A session found by a query, with its steps read at the query's read time; <see langword="null"/> for a document that is not one of this store's sessions.</summary>
    private async Task<UsageSession?> ReadSessionAtAsync(FirestoreDocument document, string? readTime, CancellationToken cancellationToken)
    {
        if (SessionKeyOf(document) is not { } key)
        {
            return null;
        }

        var documents = await ReadStepDocumentsAsync(L.SessionPath(key.UserId, key.SessionId), readTime, cancellationToken).ConfigureAwait(false);
        var h = ReadHeader(document);
        return new UsageSession
        {
            UserId = key.UserId,
            SessionId = key.SessionId,
            Feature = h.Feature,
            Status = h.Status,
            TotalCost = h.TotalCost,
            TotalRuns = h.TotalRuns,
            StepCount = h.StepCount,
            CreatedAt = h.CreatedAt,
            LastUpdatedAt = h.LastUpdatedAt,
            CompletedAt = h.CompletedAt,
            AbandonedAt = h.AbandonedAt,
            RepricedBy = h.RepricedBy,
            RepricedAt = h.RepricedAt,
            Steps = documents.Select(ToStep).ToArray(),
        };
    }

    private static (string Parent, bool Everyone) CheckRange(SessionRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        if (range.UserId is not null)
        {
            UsageIds.ThrowIfInvalid(range.UserId, "range.UserId");
        }

        if (range.Feature is not null)
        {
            CheckName(range.Feature, "range.Feature");
        }

        return range.UserId is null ? ("", true) : (L.SessionUserPath(range.UserId), false);
    }

    /// <summary>The sessions created in the range (and of its feature): under the user's document, or the collection group from the root.</summary>
    private static StructuredQuery RangeQuery(SessionRange range, bool everyone)
    {
        var query = new StructuredQuery(L.Sessions, allDescendants: everyone);
        if (range.Feature is not null)
        {
            query.Where(L.Session.Feature, "EQUAL", range.Feature);
        }

        return query
            .Where(L.Session.CreatedAt, "GREATER_THAN_OR_EQUAL", CeilingTimestamp(range.From))
            .Where(L.Session.CreatedAt, "LESS_THAN", CeilingTimestamp(range.To));
    }
}
