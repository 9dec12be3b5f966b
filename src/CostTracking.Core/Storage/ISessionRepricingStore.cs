using CostTracking.Pricing;

namespace CostTracking.Storage;

/// <summary>The store side of session pricing policies: applies a re-pricing to a closed session exactly once.</summary>
public interface ISessionRepricingStore
{
    /// <summary>Re-prices steps of a closed session unless it was already re-priced, atomically: each listed step keeps its original cost and records the price key and effective date applied, and the session's total and the monthly summaries of the steps' usage types and months (totals, session cost, feature, provider and day breakdowns) move by the difference.</summary>
    /// <param name="key">The session.</param>
    /// <param name="repricing">The new step costs; steps not in the session are ignored.</param>
    /// <param name="repricedAt">When the re-pricing is applied.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when this call applied it; <see langword="false"/> when the session is missing, in progress, or already re-priced.</returns>
    Task<bool> RepriceSessionAsync(SessionKey key, SessionRepricing repricing, DateTimeOffset repricedAt, CancellationToken cancellationToken = default);
}
