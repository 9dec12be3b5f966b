using CostTracking.Internal;
using CostTracking.Storage;

namespace CostTracking.Analytics;

internal sealed class UsageAnalytics(IUsageStore store) : IUsageAnalytics
{
    private IUsageAnalyticsStore Store => store as IUsageAnalyticsStore
        ?? throw new NotSupportedException($"The registered store {store.GetType().Name} does not implement {nameof(IUsageAnalyticsStore)}, so session analytics are not available.");

    public async Task<SessionAnalytics> GetSessionAnalyticsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default)
    {
        var range = ToRange(query);
        var byStatus = await Store.AggregateSessionsAsync(range, cancellationToken).ConfigureAwait(false);
        var complete = Enum.GetValues<SessionStatus>().ToDictionary(s => s, s => byStatus.GetValueOrDefault(s));
        return new SessionAnalytics(complete);
    }

    public async Task<IReadOnlyList<SessionFunnel>> GetFunnelsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default)
    {
        var range = ToRange(query);
        var byFeature = new Dictionary<string, FunnelBuilder>(StringComparer.Ordinal);
        await foreach (var session in Store.ReadSessionsAsync(range, cancellationToken).ConfigureAwait(false))
        {
            if (!byFeature.TryGetValue(session.Feature, out var builder))
            {
                byFeature[session.Feature] = builder = new FunnelBuilder();
            }

            builder.Add(session);
        }

        return byFeature.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Build(p.Key)).ToArray();
    }

    public async Task<UserMonthReport> GetUserMonthAsync(string userId, UsageMonth month, int top = 5, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var api = await store.GetMonthlySummaryAsync(userId, UsageType.ApiUsage, month, cancellationToken).ConfigureAwait(false);
        var ai = await store.GetMonthlySummaryAsync(userId, UsageType.AIUsage, month, cancellationToken).ConfigureAwait(false);
        return new UserMonthReport(
            userId,
            month,
            api.TotalCost + ai.TotalCost,
            api.SessionCost + ai.SessionCost,
            api.StandaloneCost + ai.StandaloneCost,
            Rank(api.ByFeature, ai.ByFeature, top),
            Rank(api.ByProvider, ai.ByProvider, top));
    }

    private static RankedCost[] Rank(IReadOnlyDictionary<string, CostBreakdown> a, IReadOnlyDictionary<string, CostBreakdown> b, int top) =>
        a.Concat(b)
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => new RankedCost(g.Key, g.Sum(p => p.Value.Cost), g.Sum(p => p.Value.Count)))
            .OrderByDescending(r => r.Cost)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .Take(top)
            .ToArray();

    private static SessionRange ToRange(AnalyticsQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.UserId is not null)
        {
            UsageIds.ThrowIfInvalid(query.UserId, $"{nameof(query)}.{nameof(AnalyticsQuery.UserId)}");
        }

        if (query.Feature is not null)
        {
            RecordValidator.ValidateName(query.Feature, $"{nameof(query)}.{nameof(AnalyticsQuery.Feature)}");
        }

        if (query.To <= query.From)
        {
            throw new ArgumentException($"The range is empty: To ({query.To:o}) must be after From ({query.From:o}).", nameof(query));
        }

        return new SessionRange(query.UserId, query.From, query.To, query.Feature);
    }

    private sealed class FunnelBuilder
    {
        private readonly List<Dictionary<string, long>> _stages = [];
        private readonly Dictionary<string, (string[] Features, long Count)> _paths = new(StringComparer.Ordinal);
        private long _sessions;

        public void Add(UsageSession session)
        {
            _sessions++;
            for (var i = 0; i < session.Steps.Count; i++)
            {
                if (_stages.Count <= i)
                {
                    _stages.Add(new Dictionary<string, long>(StringComparer.Ordinal));
                }

                var feature = session.Steps[i].Feature;
                _stages[i][feature] = _stages[i].GetValueOrDefault(feature) + 1;
            }

            var path = new List<string>();
            foreach (var step in session.Steps)
            {
                if (path.Count == 0 || path[^1] != step.Feature)
                {
                    path.Add(step.Feature);
                }
            }

            var key = string.Join('\u001f', path);
            _paths[key] = _paths.TryGetValue(key, out var existing) ? (existing.Features, existing.Count + 1) : (path.ToArray(), 1);
        }

        public SessionFunnel Build(string feature) => new(
            feature,
            _sessions,
            _stages.Select((s, i) => new FunnelStep(i + 1, s.Values.Sum(), s)).ToArray(),
            _paths.Values.OrderByDescending(p => p.Count).ThenBy(p => string.Join('\u001f', p.Features), StringComparer.Ordinal)
                .Select(p => new FunnelPath(p.Features, p.Count)).ToArray());
    }
}
