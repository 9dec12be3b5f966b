using CostTracking.Budgets;
using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CostTracking.Internal;

internal sealed class SessionTracker : ISessionTracker
{
    private readonly IUsageStore _store;
    private readonly TimeProvider _time;
    private readonly CostTrackingOptions _options;
    private readonly CostTrackingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BudgetAlertMonitor _alerts;
    private readonly ISessionPricingPolicy[] _policies;

    public SessionTracker(IUsageStore store, TimeProvider time, IOptions<CostTrackingOptions> options, CostTrackingMetrics metrics, BudgetAlertMonitor alerts, IEnumerable<ISessionPricingPolicy> policies, ILogger logger)
    {
        _store = store;
        _alerts = alerts;
        _policies = policies.ToArray();
        if (_policies.Length > 0 && store is not ISessionRepricingStore)
        {
            // Fail when the app starts, not at the first finalize in production.
            throw new InvalidOperationException(
                $"Session pricing policies ({string.Join(", ", _policies.Select(p => p.Name))}) are registered, but the store {store.GetType().Name} does not implement {nameof(ISessionRepricingStore)}.");
        }
        _time = time;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public async Task<UsageSession> StartSessionAsync(string userId, string feature, string? sessionId = null, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        RecordValidator.ValidateName(feature, nameof(feature));
        if (sessionId is not null)
        {
            UsageIds.ThrowIfInvalid(sessionId);
        }

        sessionId ??= Ids.NewSessionId();
        if (await _store.CreateSessionAsync(userId, sessionId, feature, RecordValidator.Truncate(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false))
        {
            Log.SessionStarted(_logger, sessionId, userId, feature);
        }

        return await _store.GetSessionAsync(userId, sessionId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The store did not return session '{sessionId}' of user '{userId}' right after creating it.");
    }

    public ValueTask<RecordUsageResult> AddStepAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.SessionId is null)
        {
            throw new ArgumentException("A session step needs a SessionId.", $"{nameof(record)}.{nameof(UsageRecord.SessionId)}");
        }

        return AddStepCoreAsync(record, cancellationToken);
    }

    internal async ValueTask<RecordUsageResult> AddStepCoreAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        UsageIds.ThrowIfInvalid(record.SessionId, $"{nameof(record)}.{nameof(UsageRecord.SessionId)}");
        var step = new SessionStep
        {
            OperationId = ValidateCommon(record, _options, out var cost, out var metadata),
            UsageType = record.UsageType,
            Feature = record.Feature,
            Provider = record.Provider,
            Cost = cost,
            IsBillableRun = record.IsBillableRun,
            Timestamp = RecordValidator.Truncate(_time.GetUtcNow()),
            Metadata = metadata,
        };
        var entry = new SessionStepEntry { UserId = record.UserId, SessionId = record.SessionId!, SessionFeature = record.Provider, Step = step };
        var outcome = await _store.RecordSessionStepAsync(entry, cancellationToken).ConfigureAwait(false);
        await ObserveAsync(outcome, record, step.OperationId, cost, inSession: true, cancellationToken).ConfigureAwait(false);
        return new RecordUsageResult(step.OperationId, outcome);
    }

    /// <summary>What follows every record, standalone or step: metrics, the duplicate log line, budget alerts.</summary>
    internal async ValueTask ObserveAsync(RecordOutcome outcome, UsageRecord record, string operationId, decimal cost, bool inSession, CancellationToken cancellationToken)
    {
        if (outcome == RecordOutcome.Recorded)
        {
            _metrics.Recorded(record.UsageType, record.Provider, record.Feature, inSession, NanoUsd.FromDollars(cost));
            if (_alerts.IsActive)
            {
                await _alerts.AfterRecordAsync(record.UserId, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            _metrics.Duplicate(record.UsageType, record.Provider, record.Feature, inSession);
            Log.AlreadyRecorded(_logger, operationId, record.UserId);
        }
    }

    public async Task<UsageSession> FinalizeSessionAsync(string userId, string sessionId, SessionStatus status = SessionStatus.Completed, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        UsageIds.ThrowIfInvalid(sessionId);
        RecordValidator.ValidateFinalStatus(status, nameof(status));
        var session = await _store.CloseSessionAsync(userId, sessionId, status, RecordValidator.Truncate(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false)
            ?? throw new SessionNotFoundException(userId, sessionId);

        // Also on a repeated finalize: a crash between closing and re-pricing is mended by finalizing again.
        session = await ApplyPricingPoliciesAsync(session, cancellationToken).ConfigureAwait(false);
        if (session.Status == status)
        {
            Log.SessionClosed(_logger, sessionId, userId, status, session.StepCount, session.TotalCost);
        }
        else
        {
            Log.SessionAlreadyClosed(_logger, sessionId, userId, status, session.Status);
        }

        return session;
    }

    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        UsageIds.ThrowIfInvalid(sessionId);
        return _store.GetSessionAsync(userId, sessionId, cancellationToken);
    }

    public Task<UsagePage<UsageSessionSummary>> GetUserSessionsAsync(string userId, SessionQuery? query = null, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        query ??= new SessionQuery();
        RecordValidator.ValidatePageSize(query.PageSize, $"{nameof(query)}.{nameof(SessionQuery.PageSize)}");
        if (query.Status is { } status && !Enum.IsDefined(status))
        {
            throw new ArgumentOutOfRangeException($"{nameof(query)}.{nameof(SessionQuery.Status)}", status, $"'{status}' is not a defined {nameof(SessionStatus)}.");
        }

        if (query.Feature is not null)
        {
            RecordValidator.ValidateName(query.Feature, $"{nameof(query)}.{nameof(SessionQuery.Feature)}");
        }

        return _store.ListSessionsAsync(userId, query, cancellationToken);
    }

    public async Task<int> AbandonIdleSessionsAsync(CancellationToken cancellationToken = default)
    {
        var store = _store as IUsageMaintenanceStore
            ?? throw new NotSupportedException($"The registered store {_store.GetType().Name} does not implement {nameof(IUsageMaintenanceStore)}, so idle sessions cannot be swept.");
        var now = RecordValidator.Truncate(_time.GetUtcNow());
        var idleBefore = now - _options.Sessions.IdleTimeout;
        var marked = 0;
        string? token = null;
        do
        {
            var page = await store.ListIdleSessionsAsync(idleBefore, _options.Sessions.SweepPageSize, token, cancellationToken).ConfigureAwait(false);
            foreach (var key in page.Items)
            {
                if (await store.AbandonIfIdleAsync(key, idleBefore, now, cancellationToken).ConfigureAwait(false))
                {
                    marked++;
                    if (_policies.Length > 0 && await _store.GetSessionAsync(key.UserId, key.SessionId, cancellationToken).ConfigureAwait(false) is { } abandoned)
                    {
                        await ApplyPricingPoliciesAsync(abandoned, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        if (marked > 0)
        {
            Log.SessionsAbandoned(_logger, marked, idleBefore);
        }

        return marked;
    }

    /// <summary>Lets the first policy that applies re-price a closed session, once; returns the session as stored afterwards.</summary>
    private async Task<UsageSession> ApplyPricingPoliciesAsync(UsageSession session, CancellationToken cancellationToken)
    {
        if (_policies.Length == 0 || session.Status == SessionStatus.InProgress || session.RepricedBy is not null)
        {
            return session;
        }

        foreach (var policy in _policies)
        {
            if (policy.Reprice(session) is not { } repricing)
            {
                continue;
            }

            var repricer = (ISessionRepricingStore)_store;
            var key = new SessionKey(session.UserId, session.SessionId);
            var repriced = await repricer.RepriceSessionAsync(key, repricing, RecordValidator.Truncate(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
            if (repriced)
            {
                Log.SessionRepriced(_logger, session.SessionId, session.UserId, policy.Name, repricing.Steps.Count);
            }

            var after = await _store.GetSessionAsync(session.UserId, session.SessionId, cancellationToken).ConfigureAwait(false) ?? session;

            // A re-pricing that raised the user's spend can cross a budget threshold just as a record can.
            if (repriced && after.TotalCost > session.TotalCost && _alerts.IsActive)
            {
                await _alerts.AfterRecordAsync(session.UserId, cancellationToken).ConfigureAwait(false);
            }

            return after;
        }

        return session;
    }

    /// <summary>Validates what standalone operations and steps share; returns the operation id to use.</summary>
    internal static string ValidateCommon(UsageRecord record, CostTrackingOptions options, out decimal cost, out IReadOnlyDictionary<string, object?> metadata)
    {
        UsageIds.ThrowIfInvalid(record.UserId, $"{nameof(record)}.{nameof(UsageRecord.UserId)}");
        RecordValidator.ValidateUsageType(record.UsageType, $"{nameof(record)}.{nameof(UsageRecord.UsageType)}");
        RecordValidator.ValidateName(record.Feature, $"{nameof(record)}.{nameof(UsageRecord.Feature)}");
        RecordValidator.ValidateName(record.Provider, $"{nameof(record)}.{nameof(UsageRecord.Provider)}");
        cost = RecordValidator.ValidateCost(record.Cost, options.MaxCostPerRecord, $"{nameof(record)}.{nameof(UsageRecord.Cost)}");
        if (record.OperationId is not null)
        {
            UsageIds.ThrowIfInvalid(record.OperationId, $"{nameof(record)}.{nameof(UsageRecord.OperationId)}");
        }

        metadata = RecordValidator.NormalizeMetadata(record.Metadata, options.MaxMetadataBytes, $"{nameof(record)}.{nameof(UsageRecord.Metadata)}");
        return record.OperationId ?? Ids.NewOperationId();
    }
}
