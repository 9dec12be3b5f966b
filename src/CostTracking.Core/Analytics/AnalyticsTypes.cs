namespace CostTracking.Analytics;

/// <summary>Which sessions to analyse: one user's or everyone's, created in a time range, optionally of one feature.</summary>
public sealed record AnalyticsQuery
{
    /// <summary>Gets the user, or <see langword="null"/> for every user.</summary>
    public string? UserId { get; init; }

    /// <summary>Gets the earliest creation time included.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Gets the creation time excluded: sessions created strictly before it are included.</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Gets the session feature, or <see langword="null"/> for all.</summary>
    public string? Feature { get; init; }
}

/// <summary>Sessions by status, with completion rate and cost per completed session.</summary>
/// <param name="ByStatus">Count and exact total cost per status (every status is present).</param>
public sealed record SessionAnalytics(IReadOnlyDictionary<SessionStatus, CostBreakdown> ByStatus)
{
    /// <summary>Gets how many sessions were analysed.</summary>
    public long TotalSessions => ByStatus.Values.Sum(b => b.Count);

    /// <summary>Gets completed ÷ (completed + abandoned), or <see langword="null"/> when none is closed; sessions still in progress are undecided and left out.</summary>
    public decimal? CompletionRate
    {
        get
        {
            var closed = Count(SessionStatus.Completed) + Count(SessionStatus.Abandoned);
            return closed == 0 ? null : (decimal)Count(SessionStatus.Completed) / closed;
        }
    }

    /// <summary>Gets the total cost of the completed sessions.</summary>
    public decimal CompletedSessionsCost => ByStatus.GetValueOrDefault(SessionStatus.Completed).Cost;

    /// <summary>Gets the total cost of the abandoned sessions: money spent on workflows that did not finish.</summary>
    public decimal AbandonedSessionsCost => ByStatus.GetValueOrDefault(SessionStatus.Abandoned).Cost;

    /// <summary>Gets the average cost of a completed session (rounded to the nano-dollar), or <see langword="null"/> when none completed.</summary>
    public decimal? AverageCostPerCompletedSession =>
        Count(SessionStatus.Completed) is var n and > 0 ? Storage.NanoUsd.Round(CompletedSessionsCost / n) : null;

    private long Count(SessionStatus status) => ByStatus.GetValueOrDefault(status).Count;
}

/// <summary>How far the sessions of one feature got: how many reached each step, and with which step features.</summary>
/// <param name="Feature">The session feature, such as <c>google_maps</c>.</param>
/// <param name="Sessions">How many sessions of that feature were analysed.</param>
/// <param name="Steps">Stage 1, 2, 3…: how many sessions reached it and the step features found there.</param>
/// <param name="Paths">The distinct paths of step features (repeats in a row folded: autocomplete → place details), most common first.</param>
public sealed record SessionFunnel(string Feature, long Sessions, IReadOnlyList<FunnelStep> Steps, IReadOnlyList<FunnelPath> Paths);

/// <summary>One stage of a funnel.</summary>
/// <param name="StepNumber">The stage, from 1.</param>
/// <param name="Sessions">How many sessions had at least this many steps.</param>
/// <param name="ByStepFeature">How many of them had each step feature at this stage.</param>
public sealed record FunnelStep(int StepNumber, long Sessions, IReadOnlyDictionary<string, long> ByStepFeature);

/// <summary>A path through a workflow, with repeats in a row folded.</summary>
/// <param name="Features">The step features in order, such as <c>google_maps_autocomplete</c>, <c>google_maps_place_details</c>.</param>
/// <param name="Sessions">How many sessions took it.</param>
public sealed record FunnelPath(IReadOnlyList<string> Features, long Sessions);

/// <summary>A user's month at a glance: the top features and providers by cost, session versus standalone spend.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Month">The month.</param>
/// <param name="TotalCost">Total spend over both usage types.</param>
/// <param name="SessionCost">The part spent in session steps.</param>
/// <param name="StandaloneCost">The part spent in standalone operations.</param>
/// <param name="TopFeatures">Features by cost, most expensive first.</param>
/// <param name="TopProviders">Providers by cost, most expensive first.</param>
public sealed record UserMonthReport(string UserId, UsageMonth Month, decimal TotalCost, decimal SessionCost, decimal StandaloneCost, IReadOnlyList<RankedCost> TopFeatures, IReadOnlyList<RankedCost> TopProviders);

/// <summary>A feature or provider with its cost and count.</summary>
/// <param name="Name">The feature or provider.</param>
/// <param name="Cost">Its exact cost.</param>
/// <param name="Count">How many operations and steps.</param>
public sealed record RankedCost(string Name, decimal Cost, long Count);

/// <summary>Session completion, cost and funnel analytics, and monthly reports per user.</summary>
/// <remarks>Store costs are listed in the README: on Firestore, <see cref="GetSessionAnalyticsAsync"/> runs aggregation queries, <see cref="GetFunnelsAsync"/> reads every session in range.</remarks>
public interface IUsageAnalytics
{
    /// <summary>Counts sessions by status and sums their cost.</summary>
    /// <param name="query">The sessions to analyse.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Counts, costs, completion rate and cost per completed session.</returns>
    Task<SessionAnalytics> GetSessionAnalyticsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Builds a funnel per session feature: how many sessions reached step 1, 2, 3… and with which step features.</summary>
    /// <param name="query">The sessions to analyse.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One funnel per session feature, by feature name.</returns>
    Task<IReadOnlyList<SessionFunnel>> GetFunnelsAsync(AnalyticsQuery query, CancellationToken cancellationToken = default);

    /// <summary>Summarizes a user's month over both usage types.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="month">The month.</param>
    /// <param name="top">How many features and providers to list.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The report.</returns>
    Task<UserMonthReport> GetUserMonthAsync(string userId, UsageMonth month, int top = 5, CancellationToken cancellationToken = default);
}
