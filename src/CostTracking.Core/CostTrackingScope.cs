using CostTracking.Storage;

namespace CostTracking;

/// <summary>The user, and optionally the session, that paid calls made on the current asynchronous flow are recorded for.</summary>
/// <remarks>
/// <para>An app begins a scope once per request, and integrations such as the chat client and the HTTP handler of the
/// <c>CostTracking.AI</c> and <c>CostTracking.Http</c> packages read it from <see cref="Current"/>:</para>
/// <code>
/// using (tracker.BeginScope(userId, sessionId))
/// {
///     await chatClient.GetResponseAsync(prompt); // recorded for userId, as a step of sessionId
/// }
/// </code>
/// <para>The scope is held in an <see cref="AsyncLocal{T}"/>: it flows into everything awaited or started inside it
/// (tasks, continuations, <see cref="System.Threading.ThreadPool"/> work) and never into a concurrent request that did not
/// start inside it. Scopes nest; disposing one makes the scope it was begun in current again. Disposing a scope that
/// holds inner scopes not yet disposed ends those too. Disposing twice, or on a flow where it is not current, changes
/// nothing there.</para>
/// </remarks>
public sealed class CostTrackingScope : IDisposable
{
    private static readonly AsyncLocal<CostTrackingScope?> s_current = new();
    private readonly CostTrackingScope? _outer;
    private int _disposed;

    private CostTrackingScope(string userId, string? sessionId, CostTrackingScope? outer)
    {
        UserId = userId;
        SessionId = sessionId;
        _outer = outer;
    }

    /// <summary>Gets the innermost scope of the current asynchronous flow, or <see langword="null"/> when none was begun.</summary>
    public static CostTrackingScope? Current => s_current.Value;

    /// <summary>Gets the user paid calls in this scope are recorded for.</summary>
    public string UserId { get; }

    /// <summary>Gets the session paid calls in this scope are recorded as steps of, or <see langword="null"/> to record them as standalone operations.</summary>
    public string? SessionId { get; }

    /// <summary>Begins a scope on the current asynchronous flow; dispose it to end it.</summary>
    /// <param name="userId">The user paid calls are recorded for.</param>
    /// <param name="sessionId">The session paid calls are recorded as steps of, or <see langword="null"/> for standalone operations.</param>
    /// <returns>The scope, now <see cref="Current"/>.</returns>
    /// <exception cref="ArgumentException">An id is not valid (see <see cref="UsageIds"/>).</exception>
    public static CostTrackingScope Begin(string userId, string? sessionId = null)
    {
        UsageIds.ThrowIfInvalid(userId);
        if (sessionId is not null)
        {
            UsageIds.ThrowIfInvalid(sessionId);
        }

        var scope = new CostTrackingScope(userId, sessionId, s_current.Value);
        s_current.Value = scope;
        return scope;
    }

    /// <summary>Ends the scope: the scope it was begun in becomes current again.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Only touch the current flow when this scope is on its chain, so a scope disposed elsewhere cannot
        // replace another flow's scope; inner scopes left undisposed end with it.
        for (var scope = s_current.Value; scope is not null; scope = scope._outer)
        {
            if (ReferenceEquals(scope, this))
            {
                s_current.Value = _outer;
                return;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => SessionId is null ? $"user '{UserId}'" : $"user '{UserId}', session '{SessionId}'";
}
