namespace CostTracking.Budgets;

/// <summary>A user's monthly limits.</summary>
/// <param name="MonthlyCost">The cost limit in US dollars, or <see langword="null"/> for none.</param>
/// <param name="MonthlyRuns">The billable-run limit, or <see langword="null"/> for none.</param>
public sealed record BudgetLimits(decimal? MonthlyCost, long? MonthlyRuns)
{
    /// <summary>Gets limits that limit nothing.</summary>
    public static BudgetLimits None { get; } = new(null, null);

    /// <summary>Gets a value indicating whether any limit is set.</summary>
    public bool HasLimit => MonthlyCost is not null || MonthlyRuns is not null;
}

/// <summary>Supplies each user's limits, for example by subscription tier; the host app implements it.</summary>
/// <remarks>Without one, every user gets <see cref="BudgetOptions.MonthlyCostLimit"/> and <see cref="BudgetOptions.MonthlyRunLimit"/>.</remarks>
public interface IBudgetLimitProvider
{
    /// <summary>Gets a user's monthly limits.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The limits; <see cref="BudgetLimits.None"/> for an unlimited user.</returns>
    ValueTask<BudgetLimits> GetLimitsAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>Where a user stands against their limits this month.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Month">The UTC month.</param>
/// <param name="Limits">The user's limits.</param>
/// <param name="SpentCost">What the user spent this month (both usage types).</param>
/// <param name="SpentRuns">The billable runs this month.</param>
/// <param name="ReservedCost">The cost held by active reservations.</param>
/// <param name="ReservedRuns">The runs held by active reservations.</param>
public sealed record BudgetStatus(string UserId, UsageMonth Month, BudgetLimits Limits, decimal SpentCost, long SpentRuns, decimal ReservedCost, long ReservedRuns)
{
    /// <summary>Gets the cost that may still be spent or reserved, or <see langword="null"/> without a cost limit.</summary>
    public decimal? RemainingCost => Limits.MonthlyCost is { } limit ? Math.Max(0m, limit - SpentCost - ReservedCost) : null;

    /// <summary>Gets the runs that may still be used or reserved, or <see langword="null"/> without a run limit.</summary>
    public long? RemainingRuns => Limits.MonthlyRuns is { } limit ? Math.Max(0L, limit - SpentRuns - ReservedRuns) : null;
}

/// <summary>The answer to a pre-flight check.</summary>
/// <param name="IsAllowed">Whether the operation fits in what remains.</param>
/// <param name="Status">Where the user stands, before the operation.</param>
public sealed record BudgetDecision(bool IsAllowed, BudgetStatus Status);

/// <summary>A hold on part of a user's budget for an expensive call; settle it with the actual cost or release it.</summary>
/// <param name="ReservationId">The reservation's id.</param>
/// <param name="UserId">The user.</param>
/// <param name="Month">The month it counts against.</param>
/// <param name="Cost">The reserved cost.</param>
/// <param name="Runs">The reserved runs.</param>
/// <param name="ExpiresAt">When it lapses if never settled or released.</param>
/// <param name="IsAccepted">Whether the budget had room: when false, nothing is held and the call should not be made.</param>
/// <param name="Status">Where the user stands, including this reservation when accepted.</param>
public sealed record BudgetReservation(string ReservationId, string UserId, UsageMonth Month, decimal Cost, long Runs, DateTimeOffset ExpiresAt, bool IsAccepted, BudgetStatus Status);

/// <summary>What an alert is about.</summary>
public enum BudgetAlertKind
{
    /// <summary>The month's cost crossed a percentage of the cost limit.</summary>
    CostThreshold = 0,

    /// <summary>The month's billable runs crossed a percentage of the run limit.</summary>
    RunThreshold = 1,

    /// <summary>Today's spend exceeds the configured multiple of the user's trailing daily average.</summary>
    UnusualSpending = 2,
}

/// <summary>An alert raised once per threshold per month (or once per day for unusual spending).</summary>
/// <param name="UserId">The user.</param>
/// <param name="Kind">What the alert is about.</param>
/// <param name="Month">The UTC month.</param>
/// <param name="ThresholdPercent">The crossed percentage, for threshold alerts.</param>
/// <param name="Value">The month's cost (or runs) for threshold alerts; today's cost for unusual spending.</param>
/// <param name="Limit">The limit for threshold alerts; the trailing daily average for unusual spending.</param>
/// <param name="RaisedAt">When it was raised.</param>
public sealed record BudgetAlert(string UserId, BudgetAlertKind Kind, UsageMonth Month, int? ThresholdPercent, decimal Value, decimal Limit, DateTimeOffset RaisedAt);

/// <summary>Receives budget alerts; the host app implements it (email, Slack, blocking a user…).</summary>
/// <remarks>Every registered handler receives every alert. A handler that throws is logged and does not affect recording or the other handlers.</remarks>
public interface IBudgetAlertHandler
{
    /// <summary>Handles an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the alert is handled.</returns>
    ValueTask HandleAsync(BudgetAlert alert, CancellationToken cancellationToken = default);
}

/// <summary>Checks, reserves and settles spending against each user's monthly limits.</summary>
/// <remarks>
/// Reservations are race-free: however many run at once for one user, the accepted ones never take spent plus
/// reserved above the limit. Reservations that are never settled or released expire after
/// <see cref="BudgetOptions.ReservationTimeout"/>.
/// </remarks>
public interface IBudgetService
{
    /// <summary>Gets where a user stands this month.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The status.</returns>
    Task<BudgetStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>Tells whether the user can afford an operation estimated at a cost and a number of runs; holds nothing.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="estimatedCost">The estimated cost in US dollars.</param>
    /// <param name="runs">The billable runs it will use.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Allowed or denied, with what remains.</returns>
    Task<BudgetDecision> CheckAsync(string userId, decimal estimatedCost, long runs = 1, CancellationToken cancellationToken = default);

    /// <summary>Holds an estimated cost against the user's budget, if it fits.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="estimatedCost">The estimated cost in US dollars.</param>
    /// <param name="runs">The billable runs it will use.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The reservation; check <see cref="BudgetReservation.IsAccepted"/>.</returns>
    Task<BudgetReservation> ReserveAsync(string userId, decimal estimatedCost, long runs = 1, CancellationToken cancellationToken = default);

    /// <summary>Records the actual cost of a reserved call, then releases the reservation.</summary>
    /// <param name="reservation">An accepted reservation.</param>
    /// <param name="actual">The call as it happened; its user must be the reservation's.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The recording's result.</returns>
    Task<RecordUsageResult> SettleAsync(BudgetReservation reservation, UsageRecord actual, CancellationToken cancellationToken = default);

    /// <summary>Releases a reservation without recording anything (the call was not made).</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>A task that completes when the reservation is released.</returns>
    Task ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);
}
