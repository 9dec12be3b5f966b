using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace CostTracking.Storage;

/// <summary>The embedded default store: keeps everything in this process's memory, exact and thread-safe.</summary>
/// <remarks>
/// Each user's data sits behind its own lock, so a record is atomic (operation, session and summary change
/// together) and different users never contend. Data is lost when the process ends; use a durable store such as
/// CostTracking.Firestore when the app runs on several machines or must keep its records.
/// </remarks>
public sealed partial class InMemoryUsageStore : IUsageStore, IUsageMaintenanceStore, IUsageAnalyticsStore, IBudgetStore, ISessionRepricingStore
{
    private readonly ConcurrentDictionary<string, UserState> _users = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        var costNanos = NanoUsd.FromDollars(operation.Cost);
        var user = GetUser(operation.UserId);
        lock (user)
        {
            var operations = user.Operations(operation.UsageType);
            if (operations.Ids.Contains(operation.OperationId))
            {
                return ValueTask.FromResult(RecordOutcome.AlreadyRecorded);
            }

            // The summary goes first: it is the only part that can fail (overflow), and it changes nothing when it does.
            user.Summary(operation.UsageType, UsageMonth.FromTimestamp(operation.Timestamp))
                .Add(operation.Feature, operation.Provider, operation.Timestamp.UtcDateTime.Day, costNanos, operation.IsBillableRun, inSession: false);
            operations.Ids.Add(operation.OperationId);
            var stored = new StoredOperation(operation, costNanos);
            operations.Sorted = operations.Ordered.Count == 0
                || (operations.Sorted && CompareOldestFirst(operations.Ordered[^1], stored) < 0);
            operations.Ordered.Add(stored);
        }

        return ValueTask.FromResult(RecordOutcome.Recorded);
    }

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        var step = entry.Step;
        var costNanos = NanoUsd.FromDollars(step.Cost);
        var user = GetUser(entry.UserId);
        lock (user)
        {
            var exists = user.Sessions.TryGetValue(entry.SessionId, out var session);
            if (exists && session!.StepIds.Contains(step.OperationId))
            {
                return ValueTask.FromResult(RecordOutcome.AlreadyRecorded);
            }

            // Everything that can fail (overflow) runs before anything changes, so a failed call leaves nothing half-written.
            var totalNanos = checked((exists ? session!.TotalNanos : 0L) + costNanos);
            user.Summary(step.UsageType, UsageMonth.FromTimestamp(step.Timestamp))
                .Add(step.Feature, step.Provider, step.Timestamp.UtcDateTime.Day, costNanos, step.IsBillableRun, inSession: true);
            if (!exists)
            {
                session = new SessionState(entry.UserId, entry.SessionId, entry.SessionFeature, step.Timestamp);
                user.Sessions.Add(entry.SessionId, session);
            }

            session!.StepIds.Add(step.OperationId);
            session.Steps.Add(step);
            session.TotalNanos = totalNanos;
            session.TotalRuns += step.IsBillableRun ? 1 : 0;
            session.LastUpdatedAt = Max(session.LastUpdatedAt, step.Timestamp);
        }

        return ValueTask.FromResult(RecordOutcome.Recorded);
    }

    /// <inheritdoc />
    public Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = GetUser(userId);
        lock (user)
        {
            return Task.FromResult(user.Sessions.TryAdd(sessionId, new SessionState(userId, sessionId, feature, createdAt)));
        }
    }

    /// <inheritdoc />
    public Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = GetUser(userId);
        lock (user)
        {
            if (!user.Sessions.TryGetValue(sessionId, out var session))
            {
                return Task.FromResult<UsageSession?>(null);
            }

            if (session.Status == SessionStatus.InProgress)
            {
                session.Status = status;
                if (status == SessionStatus.Completed)
                {
                    session.CompletedAt = closedAt;
                }
                else
                {
                    session.AbandonedAt = closedAt;
                }

                session.LastUpdatedAt = Max(session.LastUpdatedAt, closedAt);
            }

            return Task.FromResult<UsageSession?>(session.ToSession());
        }
    }

    /// <inheritdoc />
    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult<UsageSession?>(null);
        }

        lock (user)
        {
            return Task.FromResult(user.Sessions.TryGetValue(sessionId, out var session) ? session.ToSession() : null);
        }
    }

    /// <inheritdoc />
    public Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var after = query.ContinuationToken is null ? default(Cursor?) : Cursor.Decode(query.ContinuationToken);
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult(new UsagePage<UsageSessionSummary>([], null));
        }

        List<UsageSessionSummary> matches;
        lock (user)
        {
            matches = user.Sessions.Values
                .Where(s => (query.Status is null || s.Status == query.Status) && (query.Feature is null || s.Feature == query.Feature))
                .Select(s => s.ToSummary())
                .ToList();
        }

        matches.Sort((a, b) => Cursor.CompareNewestFirst(a.CreatedAt, a.SessionId, b.CreatedAt, b.SessionId));
        return Task.FromResult(Page(matches, after, query.PageSize, s => new Cursor(s.CreatedAt.UtcTicks, s.SessionId)));
    }

    /// <inheritdoc />
    public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult(MonthlyUsageSummary.Empty(userId, usageType, month));
        }

        lock (user)
        {
            return Task.FromResult(user.Summaries.TryGetValue((usageType, month), out var summary)
                ? summary.ToSummary(userId, usageType, month)
                : MonthlyUsageSummary.Empty(userId, usageType, month));
        }
    }

    /// <inheritdoc />
    public Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var after = query.ContinuationToken is null ? default(Cursor?) : Cursor.Decode(query.ContinuationToken);
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult(new UsagePage<UsageOperation>([], null));
        }

        lock (user)
        {
            var operations = user.Operations(usageType);
            if (!operations.Sorted)
            {
                operations.Ordered.Sort(CompareOldestFirst);
                operations.Sorted = true;
            }

            // Ordered is oldest first; walk it backwards for newest first.
            var newestFirst = new ReverseList<StoredOperation>(operations.Ordered);
            var page = Page(newestFirst, after, query.PageSize, o => new Cursor(o.Ticks, o.Id));
            return Task.FromResult(new UsagePage<UsageOperation>(page.Items.Select(o => o.ToOperation(userId, usageType)).ToArray(), page.ContinuationToken));
        }
    }

    private static UsagePage<T> Page<T>(IReadOnlyList<T> newestFirst, Cursor? after, int pageSize, Func<T, Cursor> cursorOf)
    {
        var start = 0;
        if (after is { } a)
        {
            // Binary search for the first item strictly older than the cursor.
            int lo = 0, hi = newestFirst.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = cursorOf(newestFirst[mid]);
                if (Cursor.CompareNewestFirst(c, a) <= 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            start = lo;
        }

        var count = Math.Min(pageSize, newestFirst.Count - start);
        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = newestFirst[start + i];
        }

        var more = start + count < newestFirst.Count;
        return new UsagePage<T>(items, more && count > 0 ? cursorOf(items[^1]).Encode() : null);
    }

    /// <summary>Orders oldest first: ascending time, then ascending id; the newest-first listing walks it backwards.</summary>
    private static int CompareOldestFirst(StoredOperation a, StoredOperation b)
    {
        var c = a.Ticks.CompareTo(b.Ticks);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private UserState GetUser(string userId) => _users.GetOrAdd(userId, static _ => new UserState());

    private sealed class UserState
    {
        private readonly OperationLog _api = new();
        private readonly OperationLog _ai = new();

        public Dictionary<string, SessionState> Sessions { get; } = new(StringComparer.Ordinal);

        public Dictionary<(UsageType, UsageMonth), SummaryState> Summaries { get; } = [];

        public Dictionary<(UsageMonth Month, string Id), Reservation> Reservations { get; } = [];

        public HashSet<string> Alerts { get; } = new(StringComparer.Ordinal);

        public OperationLog Operations(UsageType type) => type == UsageType.AIUsage ? _ai : _api;

        public SummaryState Summary(UsageType type, UsageMonth month)
        {
            if (!Summaries.TryGetValue((type, month), out var summary))
            {
                summary = new SummaryState();
                Summaries.Add((type, month), summary);
            }

            return summary;
        }
    }

    /// <summary>An operation as kept in memory: a struct in a list, so that a million operations are not a million more objects for the GC to trace.</summary>
    private readonly struct StoredOperation(UsageOperation operation, long costNanos)
    {
        public string Id { get; } = operation.OperationId;

        public long Ticks { get; } = operation.Timestamp.UtcTicks;

        public long CostNanos { get; } = costNanos;

        public string Feature { get; } = operation.Feature;

        public string Provider { get; } = operation.Provider;

        public bool IsBillableRun { get; } = operation.IsBillableRun;

        public IReadOnlyDictionary<string, object?> Metadata { get; } = operation.Metadata;

        public UsageOperation ToOperation(string userId, UsageType usageType) => new()
        {
            OperationId = Id,
            UserId = userId,
            UsageType = usageType,
            Feature = Feature,
            Provider = Provider,
            Cost = NanoUsd.ToDollars(CostNanos),
            IsBillableRun = IsBillableRun,
            Timestamp = new DateTimeOffset(Ticks, TimeSpan.Zero),
            Metadata = Metadata,
        };
    }

    private sealed class OperationLog
    {
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        public SegmentedList<StoredOperation> Ordered { get; } = new();

        public bool Sorted { get; set; } = true;
    }

    private sealed class SummaryState
    {
        private readonly Dictionary<string, (long Nanos, long Count)> _byFeature = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long Nanos, long Count)> _byProvider = new(StringComparer.Ordinal);
        private readonly (long Nanos, long Count)[] _byDay = new (long, long)[32];
        private long _totalNanos;
        private long _count;
        private long _billable;
        private long _sessionNanos;
        private long _sessionCount;

        /// <summary>Counts one operation or step; throws <see cref="OverflowException"/> before changing anything.</summary>
        public void Add(string feature, string provider, int day, long nanos, bool billable, bool inSession)
        {
            // Every part is at most the total, so once the total fits, no other sum can overflow.
            var total = checked(_totalNanos + nanos);
            _totalNanos = total;
            _byDay[day] = (_byDay[day].Nanos + nanos, _byDay[day].Count + 1);
            _count++;
            _billable += billable ? 1 : 0;
            if (inSession)
            {
                _sessionNanos += nanos;
                _sessionCount++;
            }

            Bump(_byFeature, feature, nanos);
            Bump(_byProvider, provider, nanos);
        }

        public long TotalNanos => _totalNanos;

        public long BillableRuns => _billable;

        /// <summary>Moves the cost of already-counted operations by a difference; counts stay.</summary>
        public void AdjustSessionCost(string feature, string provider, int day, long deltaNanos)
        {
            _totalNanos = checked(_totalNanos + deltaNanos);
            _sessionNanos = checked(_sessionNanos + deltaNanos);
            _byDay[day] = (checked(_byDay[day].Nanos + deltaNanos), _byDay[day].Count);
            ref var f = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byFeature, feature, out _);
            f = (checked(f.Nanos + deltaNanos), f.Count);
            ref var p = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byProvider, provider, out _);
            p = (checked(p.Nanos + deltaNanos), p.Count);
        }

        public MonthlyUsageSummary ToSummary(string userId, UsageType type, UsageMonth month) => new()
        {
            UserId = userId,
            UsageType = type,
            Month = month,
            TotalCost = NanoUsd.ToDollars(_totalNanos),
            OperationCount = _count,
            BillableRuns = _billable,
            SessionCost = NanoUsd.ToDollars(_sessionNanos),
            SessionOperationCount = _sessionCount,
            ByFeature = _byFeature.ToDictionary(p => p.Key, p => new CostBreakdown(NanoUsd.ToDollars(p.Value.Nanos), p.Value.Count), StringComparer.Ordinal),
            ByProvider = _byProvider.ToDictionary(p => p.Key, p => new CostBreakdown(NanoUsd.ToDollars(p.Value.Nanos), p.Value.Count), StringComparer.Ordinal),
            ByDay = Enumerable.Range(1, 31).Where(d => _byDay[d].Count > 0).ToDictionary(d => d, d => new CostBreakdown(NanoUsd.ToDollars(_byDay[d].Nanos), _byDay[d].Count)),
        };

        private static void Bump(Dictionary<string, (long Nanos, long Count)> map, string key, long nanos)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(map, key, out _);
            slot = (slot.Nanos + nanos, slot.Count + 1);
        }
    }

    private readonly record struct Reservation(long Nanos, long Runs, DateTimeOffset ExpiresAt);

    private sealed class SessionState(string userId, string sessionId, string feature, DateTimeOffset createdAt)
    {
        public HashSet<string> StepIds { get; } = new(StringComparer.Ordinal);

        public List<SessionStep> Steps { get; } = [];

        public SessionStatus Status { get; set; }

        public long TotalNanos { get; set; }

        public long TotalRuns { get; set; }

        public string Feature => feature;

        public string UserId => userId;

        public string SessionId => sessionId;

        public DateTimeOffset CreatedAt => createdAt;

        public DateTimeOffset LastUpdatedAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset? CompletedAt { get; set; }

        public DateTimeOffset? AbandonedAt { get; set; }

        public string? RepricedBy { get; set; }

        public DateTimeOffset? RepricedAt { get; set; }

        public UsageSession ToSession() => new()
        {
            UserId = userId,
            SessionId = sessionId,
            Feature = feature,
            Status = Status,
            TotalCost = NanoUsd.ToDollars(TotalNanos),
            TotalRuns = TotalRuns,
            StepCount = Steps.Count,
            CreatedAt = createdAt,
            LastUpdatedAt = Max(LastUpdatedAt, createdAt),
            CompletedAt = CompletedAt,
            AbandonedAt = AbandonedAt,
            RepricedBy = RepricedBy,
            RepricedAt = RepricedAt,
            Steps = Steps.ToArray(),
        };

        public UsageSessionSummary ToSummary() => new()
        {
            UserId = userId,
            SessionId = sessionId,
            Feature = feature,
            Status = Status,
            TotalCost = NanoUsd.ToDollars(TotalNanos),
            TotalRuns = TotalRuns,
            StepCount = Steps.Count,
            CreatedAt = createdAt,
            LastUpdatedAt = Max(LastUpdatedAt, createdAt),
            CompletedAt = CompletedAt,
            AbandonedAt = AbandonedAt,
            RepricedBy = RepricedBy,
            RepricedAt = RepricedAt,
        };
    }

    private sealed class ReverseList<T>(IReadOnlyList<T> inner) : IReadOnlyList<T>
    {
        public int Count => inner.Count;

        public T this[int index] => inner[inner.Count - 1 - index];

        public IEnumerator<T> GetEnumerator()
        {
            for (var i = inner.Count - 1; i >= 0; i--)
            {
                yield return inner[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A position in a newest-first listing: (time, id) of the last item returned.</summary>
    private readonly record struct Cursor(long Ticks, string Id)
    {
        private const string Prefix = "m1:";

        public static int CompareNewestFirst(DateTimeOffset aTime, string aId, DateTimeOffset bTime, string bId) =>
            CompareNewestFirst(new Cursor(aTime.UtcTicks, aId), new Cursor(bTime.UtcTicks, bId));

        /// <summary>Negative when <paramref name="a"/> comes first in a newest-first listing.</summary>
        public static int CompareNewestFirst(Cursor a, Cursor b)
        {
            var c = b.Ticks.CompareTo(a.Ticks);
            return c != 0 ? c : string.CompareOrdinal(b.Id, a.Id);
        }

        public static Cursor Decode(string continuationToken)
        {
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(continuationToken));
                if (text.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    var colon = text.IndexOf(':', Prefix.Length);
                    if (colon > 0 && long.TryParse(text.AsSpan(Prefix.Length, colon - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                    {
                        return new Cursor(ticks, text[(colon + 1)..]);
                    }
                }
            }
            catch (FormatException)
            {
            }

            throw new ArgumentException($"The continuation token '{UsageIds.Shorten(continuationToken)}' was not issued by this store.", nameof(continuationToken));
        }

        public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Ticks}:{Id}")));
    }
}
