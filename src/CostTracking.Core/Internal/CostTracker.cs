using CostTracking.Budgets;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CostTracking.Internal;

internal sealed class CostTracker : ICostTracker
{
    private readonly IUsageStore _store;
    private readonly SessionTracker _sessions;
    private readonly TimeProvider _time;
    private readonly CostTrackingOptions _options;
    private readonly ILogger _logger;

    public CostTracker(IUsageStore store, SessionTracker sessions, TimeProvider time, IOptions<CostTrackingOptions> options, ILogger logger)
    {
        _store = store;
        _sessions = sessions;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    public ValueTask<RecordUsageResult> RecordUsageAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.SessionId is null
            ? RecordStandaloneAsync(record, cancellationToken)
            : _sessions.AddStepCoreAsync(record, cancellationToken);
    }

    public Task<UsageSession> FinalizeSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        _sessions.FinalizeSessionAsync(userId, sessionId, SessionStatus.Completed, cancellationToken);

    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        _sessions.GetSessionAsync(userId, sessionId, cancellationToken);

    public Task<UsagePage<UsageSessionSummary>> GetUserSessionsAsync(string userId, SessionQuery? query = null, CancellationToken cancellationToken = default) =>
        _sessions.GetUserSessionsAsync(userId, query, cancellationToken);

    public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        RecordValidator.ValidateUsageType(usageType, nameof(usageType));
        if (month == default)
        {
            throw new ArgumentException("The month is not set; use new UsageMonth(year, month) or UsageMonth.Parse(\"YYYY-MM\").", nameof(month));
        }

        return _store.GetMonthlySummaryAsync(userId, usageType, month, cancellationToken);
    }

    public Task<UsagePage<UsageOperation>> GetOperationsAsync(string userId, UsageType usageType, OperationQuery? query = null, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        RecordValidator.ValidateUsageType(usageType, nameof(usageType));
        query ??= new OperationQuery();
        RecordValidator.ValidatePageSize(query.PageSize, $"{nameof(query)}.{nameof(OperationQuery.PageSize)}");
        return _store.ListOperationsAsync(userId, usageType, query, cancellationToken);
    }

    public async Task<RetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default)
    {
        var retention = _options.Sessions;
        if (retention.SessionRetention is null && retention.OperationRetention is null)
        {
            return default;
        }

        var store = _store as IUsageMaintenanceStore
            ?? throw new NotSupportedException($"The registered store {_store.GetType().Name} does not implement {nameof(IUsageMaintenanceStore)}, so retention cannot be applied.");
        var now = _time.GetUtcNow();
        int sessions = 0, operations = 0;
        if (retention.SessionRetention is { } sessionAge)
        {
            int n;
            while ((n = await store.DeleteSessionsCreatedBeforeAsync(now - sessionAge, retention.SweepPageSize, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sessions += n;
            }
        }

        if (retention.OperationRetention is { } operationAge)
        {
            int n;
            while ((n = await store.DeleteOperationsRecordedBeforeAsync(now - operationAge, retention.SweepPageSize, cancellationToken).ConfigureAwait(false)) > 0)
            {
                operations += n;
            }
        }

        if (sessions + operations > 0)
        {
            Log.RetentionApplied(_logger, sessions, operations);
        }

        return new RetentionResult(sessions, operations);
    }

    private async ValueTask<RecordUsageResult> RecordStandaloneAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        var operation = new UsageOperation
        {
            OperationId = SessionTracker.ValidateCommon(record, _options, out var cost, out var metadata),
            UserId = record.UserId,
            UsageType = record.UsageType,
            Feature = record.Feature,
            Provider = record.Provider,
            Cost = cost,
            IsBillableRun = record.IsBillableRun,
            Timestamp = RecordValidator.Truncate(_time.GetUtcNow()),
            Metadata = metadata,
        };
        var outcome = await _store.RecordOperationAsync(operation, cancellationToken).ConfigureAwait(false);
        await _sessions.ObserveAsync(outcome, record, operation.OperationId, cost, inSession: false, cancellationToken).ConfigureAwait(false);
        return new RecordUsageResult(operation.OperationId, outcome);
    }
}
