namespace CostTracking.AI;

/// <summary>Keys of <c>ChatOptions.AdditionalProperties</c> that name, for one call, whom and what the cost tracking chat client records it for.</summary>
/// <remarks>
/// Values are strings. A call that names a user here is recorded for that user and for the session named here (or
/// none), whatever the ambient <see cref="CostTrackingScope"/> says; a call that names only a session or a feature
/// keeps the scope's user. The client removes these keys before the request reaches the inner client, so providers
/// never see them.
/// </remarks>
public static class CostTrackingChatKeys
{
    /// <summary>The user to record the call for, overriding <see cref="CostTrackingScope.Current"/>.</summary>
    public const string UserId = "costtracking.user_id";

    /// <summary>The session to record the call as a step of.</summary>
    public const string SessionId = "costtracking.session_id";

    /// <summary>The feature to record the call under, overriding <see cref="CostTrackingChatClientOptions.Feature"/>.</summary>
    public const string Feature = "costtracking.feature";
}
