namespace CostTracking;

/// <summary>A session's header without its steps, as returned when listing sessions.</summary>
public class UsageSessionSummary
{
    /// <summary>Gets the id of the user the session belongs to.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the session's id, unique among the user's sessions.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets the workflow the session stands for, such as <c>google_maps</c>.</summary>
    public required string Feature { get; init; }

    /// <summary>Gets where the session stands.</summary>
    public required SessionStatus Status { get; init; }

    /// <summary>Gets the exact sum of the steps' costs in US dollars.</summary>
    public required decimal TotalCost { get; init; }

    /// <summary>Gets how many of the steps were billable runs.</summary>
    public required long TotalRuns { get; init; }

    /// <summary>Gets how many steps the session holds.</summary>
    public required int StepCount { get; init; }

    /// <summary>Gets when the session was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Gets when the session last changed (a step, or its closing).</summary>
    public required DateTimeOffset LastUpdatedAt { get; init; }

    /// <summary>Gets when the session was completed, if it was.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Gets when the session was marked abandoned, if it was.</summary>
    public DateTimeOffset? AbandonedAt { get; init; }

    /// <summary>Gets the name of the session pricing policy that re-priced the session's steps, or <see langword="null"/>.</summary>
    public string? RepricedBy { get; init; }

    /// <summary>Gets when a session pricing policy re-priced the session, or <see langword="null"/>.</summary>
    public DateTimeOffset? RepricedAt { get; init; }

    /// <summary>Gets when the session was closed (completed or abandoned), or <see langword="null"/> while it is in progress.</summary>
    public DateTimeOffset? ClosedAt => CompletedAt ?? AbandonedAt;
}
