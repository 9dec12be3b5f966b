namespace CostTracking;

/// <summary>A multi-step workflow with all of its steps, oldest first.</summary>
/// <remarks>
/// A step recorded after the session was closed is kept and counted (its money was spent); the status does
/// not change. Such steps are listed by <see cref="StepsAfterClose"/>.
/// </remarks>
public sealed class UsageSession : UsageSessionSummary
{
    /// <summary>Gets every step of the session in the order they were recorded.</summary>
    public required IReadOnlyList<SessionStep> Steps { get; init; }

    /// <summary>Gets the steps recorded after the session was completed or abandoned.</summary>
    public IEnumerable<SessionStep> StepsAfterClose =>
        ClosedAt is { } closed ? Steps.Where(s => s.Timestamp > closed) : [];
}
