namespace CostTracking.Storage;

/// <summary>A step to append to a session, with what the session needs if the step creates it.</summary>
public sealed class SessionStepEntry
{
    /// <summary>Gets the user the session belongs to.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the session.</summary>
    public required string SessionId { get; init; }

    /// <summary>Gets the feature given to the session when this step creates it.</summary>
    public required string SessionFeature { get; init; }

    /// <summary>Gets the step.</summary>
    public required SessionStep Step { get; init; }
}
