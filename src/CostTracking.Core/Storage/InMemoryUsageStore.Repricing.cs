using CostTracking.Pricing;

namespace CostTracking.Storage;

public sealed partial class InMemoryUsageStore
{
    /// <inheritdoc />
    public Task<bool> RepriceSessionAsync(SessionKey key, SessionRepricing repricing, DateTimeOffset repricedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repricing);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(key.UserId, out var user))
        {
            return Task.FromResult(false);
        }

        var newCosts = repricing.Steps.ToDictionary(s => s.OperationId, StringComparer.Ordinal);
        lock (user)
        {
            if (!user.Sessions.TryGetValue(key.SessionId, out var session) || session.Status == SessionStatus.InProgress || session.RepricedBy is not null)
            {
                return Task.FromResult(false);
            }

            for (var i = 0; i < session.Steps.Count; i++)
            {
                var step = session.Steps[i];
                if (!newCosts.TryGetValue(step.OperationId, out var applied))
                {
                    continue;
                }

                var newNanos = NanoUsd.FromDollars(applied.NewCost);
                var delta = newNanos - NanoUsd.FromDollars(step.Cost);
                session.Steps[i] = new SessionStep
                {
                    OperationId = step.OperationId,
                    UsageType = step.UsageType,
                    Feature = step.Feature,
                    Provider = step.Provider,
                    Cost = NanoUsd.ToDollars(newNanos),
                    OriginalCost = step.Cost,
                    PriceKey = applied.PriceKey,
                    PriceEffectiveDate = applied.EffectiveDate,
                    IsBillableRun = step.IsBillableRun,
                    Timestamp = step.Timestamp,
                    Metadata = step.Metadata,
                };
                session.TotalNanos = checked(session.TotalNanos + delta);
                user.Summary(step.UsageType, UsageMonth.FromTimestamp(step.Timestamp))
                    .AdjustSessionCost(step.Feature, step.Provider, step.Timestamp.UtcDateTime.Day, delta);
            }

            session.RepricedBy = repricing.PolicyName;
            session.RepricedAt = repricedAt;
            session.LastUpdatedAt = Max(session.LastUpdatedAt, repricedAt);
            return Task.FromResult(true);
        }
    }
}
