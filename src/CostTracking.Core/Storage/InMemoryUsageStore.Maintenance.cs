namespace CostTracking.Storage;

public sealed partial class InMemoryUsageStore
{
    /// <inheritdoc />
    public Task<UsagePage<SessionKey>> ListIdleSessionsAsync(DateTimeOffset idleBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var after = continuationToken is null ? default(Cursor?) : Cursor.Decode(continuationToken);
        var idle = new List<(DateTimeOffset LastUpdated, string Path, SessionKey Key)>();
        foreach (var (userId, user) in _users)
        {
            lock (user)
            {
                foreach (var session in user.Sessions.Values)
                {
                    var last = session.ToSummary().LastUpdatedAt;
                    if (session.Status == SessionStatus.InProgress && last < idleBefore)
                    {
                        idle.Add((last, userId + "/" + session.SessionId, new SessionKey(userId, session.SessionId)));
                    }
                }
            }
        }

        // Least recently changed first; the cursor is (time, user/session) of the last item returned.
        idle.Sort((a, b) => a.LastUpdated != b.LastUpdated ? a.LastUpdated.CompareTo(b.LastUpdated) : string.CompareOrdinal(a.Path, b.Path));
        var start = 0;
        if (after is { } a)
        {
            while (start < idle.Count
                && (idle[start].LastUpdated.UtcTicks < a.Ticks || (idle[start].LastUpdated.UtcTicks == a.Ticks && string.CompareOrdinal(idle[start].Path, a.Id) <= 0)))
            {
                start++;
            }
        }

        var items = idle.Skip(start).Take(pageSize).ToList();
        var token = start + items.Count < idle.Count && items.Count > 0
            ? new Cursor(items[^1].LastUpdated.UtcTicks, items[^1].Path).Encode()
            : null;
        return Task.FromResult(new UsagePage<SessionKey>(items.Select(i => i.Key).ToArray(), token));
    }

    /// <inheritdoc />
    public Task<bool> AbandonIfIdleAsync(SessionKey key, DateTimeOffset idleBefore, DateTimeOffset abandonedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(key.UserId, out var user))
        {
            return Task.FromResult(false);
        }

        lock (user)
        {
            if (!user.Sessions.TryGetValue(key.SessionId, out var session)
                || session.Status != SessionStatus.InProgress
                || session.ToSummary().LastUpdatedAt >= idleBefore)
            {
                return Task.FromResult(false);
            }

            session.Status = SessionStatus.Abandoned;
            session.AbandonedAt = abandonedAt;
            session.LastUpdatedAt = Max(session.LastUpdatedAt, abandonedAt);
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<int> DeleteSessionsCreatedBeforeAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = 0;
        foreach (var user in _users.Values)
        {
            lock (user)
            {
                foreach (var id in user.Sessions.Values.Where(s => s.CreatedAt < createdBefore).Select(s => s.SessionId).Take(maxCount - deleted).ToList())
                {
                    user.Sessions.Remove(id);
                    deleted++;
                }
            }

            if (deleted == maxCount)
            {
                break;
            }
        }

        return Task.FromResult(deleted);
    }

    /// <inheritdoc />
    public Task<int> DeleteOperationsRecordedBeforeAsync(DateTimeOffset recordedBefore, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var deleted = 0;
        foreach (var user in _users.Values)
        {
            lock (user)
            {
                foreach (var type in (ReadOnlySpan<UsageType>)[UsageType.ApiUsage, UsageType.AIUsage])
                {
                    var log = user.Operations(type);
                    var cutoff = recordedBefore.UtcTicks;
                    var gone = log.Ordered.Where(o => o.Ticks < cutoff).Take(maxCount - deleted).Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
                    if (gone.Count > 0)
                    {
                        log.Ids.ExceptWith(gone);
                        log.Ordered.RemoveAll(o => gone.Contains(o.Id));
                        deleted += gone.Count;
                    }
                }
            }

            if (deleted == maxCount)
            {
                break;
            }
        }

        return Task.FromResult(deleted);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SessionStatus, CostBreakdown>> AggregateSessionsAsync(SessionRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        cancellationToken.ThrowIfCancellationRequested();
        var totals = new Dictionary<SessionStatus, (long Nanos, long Count)>
        {
            [SessionStatus.InProgress] = default,
            [SessionStatus.Completed] = default,
            [SessionStatus.Abandoned] = default,
        };
        foreach (var session in SessionsIn(range))
        {
            var t = totals[session.Status];
            totals[session.Status] = (checked(t.Nanos + session.TotalNanos), t.Count + 1);
        }

        return Task.FromResult<IReadOnlyDictionary<SessionStatus, CostBreakdown>>(
            totals.ToDictionary(p => p.Key, p => new CostBreakdown(NanoUsd.ToDollars(p.Value.Nanos), p.Value.Count)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<UsageSession> ReadSessionsAsync(SessionRange range, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        foreach (var session in SessionsIn(range))
        {
            cancellationToken.ThrowIfCancellationRequested();
            UsageSession copy;
            lock (_users[session.UserId])
            {
                copy = session.ToSession();
            }

            yield return copy;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private List<SessionState> SessionsIn(SessionRange range)
    {
        var result = new List<SessionState>();
        IEnumerable<KeyValuePair<string, UserState>> users = range.UserId is null
            ? _users
            : _users.TryGetValue(range.UserId, out var one) ? [new(range.UserId, one)] : [];
        foreach (var (_, user) in users)
        {
            lock (user)
            {
                result.AddRange(user.Sessions.Values.Where(s =>
                    s.CreatedAt >= range.From && s.CreatedAt < range.To && (range.Feature is null || s.Feature == range.Feature)));
            }
        }

        return result;
    }
}
