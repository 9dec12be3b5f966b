namespace CostTracking.Storage;

public sealed partial class InMemoryUsageStore
{
    /// <inheritdoc />
    public Task<ReservationOutcome> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var nanos = NanoUsd.FromDollars(request.Cost);
        var user = GetUser(request.UserId);
        lock (user)
        {
            var usage = UsageOf(user, request.Month, request.Now);
            var spentNanos = NanoUsd.FromDollars(usage.SpentCost) + NanoUsd.FromDollars(usage.ReservedCost);
            var runs = usage.SpentRuns + usage.ReservedRuns;
            var fits = (request.CostLimit is not { } costLimit || spentNanos + nanos <= NanoUsd.FromDollars(costLimit))
                && (request.RunLimit is not { } runLimit || runs + request.Runs <= runLimit);
            if (!fits || user.Reservations.ContainsKey((request.Month, request.ReservationId)))
            {
                return Task.FromResult(new ReservationOutcome(false, usage));
            }

            user.Reservations[(request.Month, request.ReservationId)] = new Reservation(nanos, request.Runs, request.ExpiresAt);
            return Task.FromResult(new ReservationOutcome(true, UsageOf(user, request.Month, request.Now)));
        }
    }

    /// <inheritdoc />
    public Task<bool> ReleaseReservationAsync(string userId, UsageMonth month, string reservationId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult(false);
        }

        lock (user)
        {
            return Task.FromResult(user.Reservations.Remove((month, reservationId)));
        }
    }

    /// <inheritdoc />
    public Task<BudgetUsage> GetBudgetUsageAsync(string userId, UsageMonth month, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_users.TryGetValue(userId, out var user))
        {
            return Task.FromResult(default(BudgetUsage));
        }

        lock (user)
        {
            return Task.FromResult(UsageOf(user, month, now));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryMarkAlertAsync(string userId, string alertKey, DateTimeOffset raisedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = GetUser(userId);
        lock (user)
        {
            return Task.FromResult(user.Alerts.Add(alertKey));
        }
    }

    private static BudgetUsage UsageOf(UserState user, UsageMonth month, DateTimeOffset now)
    {
        long spent = 0, runs = 0, reserved = 0, reservedRuns = 0;
        foreach (var type in (ReadOnlySpan<UsageType>)[UsageType.ApiUsage, UsageType.AIUsage])
        {
            if (user.Summaries.TryGetValue((type, month), out var summary))
            {
                spent = checked(spent + summary.TotalNanos);
                runs += summary.BillableRuns;
            }
        }

        List<(UsageMonth, string)>? expired = null;
        foreach (var (key, reservation) in user.Reservations)
        {
            if (reservation.ExpiresAt <= now)
            {
                (expired ??= []).Add(key);
            }
            else if (key.Month == month)
            {
                reserved = checked(reserved + reservation.Nanos);
                reservedRuns += reservation.Runs;
            }
        }

        // Expired reservations are dropped as they are seen, so the dictionary does not grow without bound.
        expired?.ForEach(k => user.Reservations.Remove(k));
        return new BudgetUsage(NanoUsd.ToDollars(spent), runs, NanoUsd.ToDollars(reserved), reservedRuns);
    }
}
