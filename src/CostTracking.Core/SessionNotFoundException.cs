namespace CostTracking;

/// <summary>The exception thrown when an operation names a session the user does not have.</summary>
public sealed class SessionNotFoundException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="SessionNotFoundException"/> class.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session that was not found.</param>
    public SessionNotFoundException(string userId, string sessionId)
        : base($"User '{userId}' has no session '{sessionId}'.")
    {
        UserId = userId;
        SessionId = sessionId;
    }

    /// <summary>Gets the user.</summary>
    public string UserId { get; }

    /// <summary>Gets the session that was not found.</summary>
    public string SessionId { get; }
}
