using CostTracking.Internal;
using CostTracking.Storage;
using Microsoft.Extensions.Options;

namespace CostTracking.Budgets;

internal sealed class BudgetService : IBudgetService
{
    private readonly IBudgetStore? _store;
    private readonly string _storeName;
    private readonly ICostTracker _tracker;
    private readonly TimeProvider _time;
    private readonly BudgetOptions _options;
    private readonly IBudgetLimitProvider _limits;

    public BudgetService(IUsageStore store, ICostTracker tracker, TimeProvider time, IOptions<CostTrackingOptions> options, IBudgetLimitProvider limits)
    {
        _store = store as IBudgetStore;
        _storeName = store.GetType().Name;
        _tracker = tracker;
        _time = time;
        _options = options.Value.Budgets;
        _limits = limits;
    }

    public async Task<BudgetStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        var now = _time.GetUtcNow();
        return await StatusAsync(userId, UsageMonth.FromTimestamp(now), now, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BudgetDecision> CheckAsync(string userId, decimal estimatedCost, long runs = 1, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        ValidateEstimate(estimatedCost, runs);
        var status = await GetStatusAsync(userId, cancellationToken).ConfigureAwait(false);
        var fits = (status.RemainingCost is not { } cost || estimatedCost <= cost)
            && (status.RemainingRuns is not { } left || runs <= left);
        return new BudgetDecision(fits, status);
    }

    public async Task<BudgetReservation> ReserveAsync(string userId, decimal estimatedCost, long runs = 1, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        ValidateEstimate(estimatedCost, runs);
        estimatedCost = NanoUsd.Round(estimatedCost);
        var now = RecordValidator.Truncate(_time.GetUtcNow());
        var month = UsageMonth.FromTimestamp(now);
        var limits = await _limits.GetLimitsAsync(userId, cancellationToken).ConfigureAwait(false) ?? BudgetLimits.None;
        var id = Ids.NewReservationId();
        var expiresAt = now + _options.ReservationTimeout;
        var outcome = await Store.TryReserveAsync(
            new ReservationRequest
            {
                UserId = userId,
                Month = month,
                ReservationId = id,
                Cost = estimatedCost,
                Runs = runs,
                CostLimit = limits.MonthlyCost,
                RunLimit = limits.MonthlyRuns,
                Now = now,
                ExpiresAt = expiresAt,
            },
            cancellationToken).ConfigureAwait(false);
        var status = new BudgetStatus(userId, month, limits, outcome.Usage.SpentCost, outcome.Usage.SpentRuns, outcome.Usage.ReservedCost, outcome.Usage.ReservedRuns);
        return new BudgetReservation(id, userId, month, estimatedCost, runs, expiresAt, outcome.Accepted, status);
    }

    public async Task<RecordUsageResult> SettleAsync(BudgetReservation reservation, UsageRecord actual, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentNullException.ThrowIfNull(actual);
        if (!string.Equals(actual.UserId, reservation.UserId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The record is for user '{actual.UserId}' but the reservation is for user '{reservation.UserId}'.", nameof(actual));
        }

        // Record first, release second: between the two the cost is counted twice (never zero times), so no concurrent
        // reservation can slip past the limit.
        var result = await _tracker.RecordUsageAsync(actual, cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(reservation, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public Task ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        UsageIds.ThrowIfInvalid(reservation.UserId, $"{nameof(reservation)}.{nameof(BudgetReservation.UserId)}");
        UsageIds.ThrowIfInvalid(reservation.ReservationId, $"{nameof(reservation)}.{nameof(BudgetReservation.ReservationId)}");
        return reservation.IsAccepted
            ? Store.ReleaseReservationAsync(reservation.UserId, reservation.Month, reservation.ReservationId, cancellationToken)
            : Task.CompletedTask;
    }

    private IBudgetStore Store => _store
        ?? throw new NotSupportedException($"The registered store {_storeName} does not implement {nameof(IBudgetStore)}, so budgets are not available.");

    private async Task<BudgetStatus> StatusAsync(string userId, UsageMonth month, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var limits = await _limits.GetLimitsAsync(userId, cancellationToken).ConfigureAwait(false) ?? BudgetLimits.None;
        var usage = await Store.GetBudgetUsageAsync(userId, month, now, cancellationToken).ConfigureAwait(false);
        return new BudgetStatus(userId, month, limits, usage.SpentCost, usage.SpentRuns, usage.ReservedCost, usage.ReservedRuns);
    }

    private static void ValidateEstimate(decimal estimatedCost, long runs)
    {
        if (estimatedCost < 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(estimatedCost), estimatedCost, $"An estimated cost must not be negative (value: {estimatedCost}).");
        }

        if (runs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(runs), runs, $"Runs must not be negative (value: {runs}).");
        }
    }
}

/// <summary>The default limits: the same for every user, from <see cref="BudgetOptions"/>.</summary>
internal sealed class OptionsBudgetLimitProvider(IOptions<CostTrackingOptions> options) : IBudgetLimitProvider
{
    private readonly BudgetLimits _limits = new(options.Value.Budgets.MonthlyCostLimit, options.Value.Budgets.MonthlyRunLimit);

    public ValueTask<BudgetLimits> GetLimitsAsync(string userId, CancellationToken cancellationToken = default) => ValueTask.FromResult(_limits);
}
