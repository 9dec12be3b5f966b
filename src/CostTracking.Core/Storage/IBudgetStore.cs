namespace CostTracking.Storage;

/// <summary>The store side of budgets: race-free reservations against a user's monthly spend, and once-only alert marks.</summary>
/// <remarks>
/// <see cref="TryReserveAsync"/> is atomic with respect to other reservations and releases of the same user and month:
/// however many run at once, the accepted ones never take spent plus reserved above the limit. Spent is the user's
/// monthly total over both usage types (what the monthly summaries hold); reserved is the sum of the reservations
/// that are neither released nor expired.
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Adds a reservation if spent plus active reservations plus it stay within the limits.</summary>
    /// <param name="request">The reservation and the limits to hold it against.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Whether it was accepted, with the usage it was judged against (including it when accepted).</returns>
    Task<ReservationOutcome> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes a reservation; removing one that is gone or expired is harmless.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="month">The month the reservation was made in.</param>
    /// <param name="reservationId">The reservation.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when this call removed an active reservation.</returns>
    Task<bool> ReleaseReservationAsync(string userId, UsageMonth month, string reservationId, CancellationToken cancellationToken = default);

    /// <summary>Reads what a user spent in a month and what is reserved and still active at a time.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="month">The month.</param>
    /// <param name="now">Reservations expiring at or before this time are not counted.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The usage.</returns>
    Task<BudgetUsage> GetBudgetUsageAsync(string userId, UsageMonth month, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Marks an alert as raised unless it already was: the basis of once-only alerts across processes.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="alertKey">The alert's key, a valid id (such as <c>2026-12.cost.80</c>).</param>
    /// <param name="raisedAt">When the alert is raised.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> the first time for that user and key; <see langword="false"/> afterwards.</returns>
    Task<bool> TryMarkAlertAsync(string userId, string alertKey, DateTimeOffset raisedAt, CancellationToken cancellationToken = default);
}

/// <summary>A reservation to add, with the limits it must fit in.</summary>
public sealed record ReservationRequest
{
    /// <summary>Gets the user.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the month whose spend the reservation counts against.</summary>
    public required UsageMonth Month { get; init; }

    /// <summary>Gets the reservation's id, a valid id unique per user and month.</summary>
    public required string ReservationId { get; init; }

    /// <summary>Gets the reserved cost in US dollars.</summary>
    public required decimal Cost { get; init; }

    /// <summary>Gets the reserved billable runs.</summary>
    public required long Runs { get; init; }

    /// <summary>Gets the cost limit, or <see langword="null"/> for none.</summary>
    public decimal? CostLimit { get; init; }

    /// <summary>Gets the billable-run limit, or <see langword="null"/> for none.</summary>
    public long? RunLimit { get; init; }

    /// <summary>Gets the time now: reservations expiring at or before it are not counted.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Gets when this reservation expires if it is never settled or released.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>What a user spent in a month, and what is reserved on top.</summary>
/// <param name="SpentCost">The month's total cost over both usage types.</param>
/// <param name="SpentRuns">The month's billable runs over both usage types.</param>
/// <param name="ReservedCost">The cost of the active reservations.</param>
/// <param name="ReservedRuns">The billable runs of the active reservations.</param>
public readonly record struct BudgetUsage(decimal SpentCost, long SpentRuns, decimal ReservedCost, long ReservedRuns);

/// <summary>The answer to a reservation request.</summary>
/// <param name="Accepted">Whether the reservation was added.</param>
/// <param name="Usage">The usage the request was judged against; it includes the reservation when accepted.</param>
public readonly record struct ReservationOutcome(bool Accepted, BudgetUsage Usage);
