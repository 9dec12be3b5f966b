using System.Collections.Concurrent;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>Group commit (<see cref="FirestoreWriteMode.GroupCommit"/>) and the store's disposal.</summary>
public sealed partial class FirestoreUsageStore : IAsyncDisposable, IDisposable
{
    private readonly GroupCommitter? _groupCommit;

    /// <summary>In group-commit mode: sessions this store saw exist (it created them, or committed a step into them); only their steps join a batch.</summary>
    private readonly ConcurrentDictionary<string, byte> _knownSessions = new(StringComparer.Ordinal);

    /// <summary>Commits every operation and session step still waiting for a group commit, then refuses new ones; in <see cref="FirestoreWriteMode.Immediate"/> mode there is nothing to do.</summary>
    /// <returns>A task that completes once every waiting record has its outcome (recorded, or its commit's exception).</returns>
    /// <remarks>The dependency injection container calls this when it is disposed, as a host does at shutdown. The store never disposes the <see cref="HttpClient"/> it was given.</remarks>
    public ValueTask DisposeAsync() => _groupCommit?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>Like <see cref="DisposeAsync"/>, blocking until the waiting records are committed.</summary>
    public void Dispose()
    {
        if (_groupCommit is not null)
        {
            _groupCommit.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Whether a step can be one record of a group commit: its session is known to exist (a batch's session writes carry <c>exists=true</c>), its inline copy is small and the session still has inline room.</summary>
    /// <remarks>Everything else takes the single-step commit, which creates the session or writes the step without its copy.</remarks>
    private bool CanBatchStep(SessionStepEntry entry)
    {
        var sessionPath = L.SessionPath(entry.UserId, entry.SessionId);
        return _knownSessions.ContainsKey(sessionPath) && !_fullSessions.ContainsKey(sessionPath);
    }

    /// <summary>Whether the store stopped copying a session's steps inline.</summary>
    internal bool IsSessionFull(string sessionPath) => _fullSessions.ContainsKey(sessionPath);

    /// <summary>Remembers that a session exists, so that its next steps may join a group commit.</summary>
    internal void NoteSessionExists(string sessionPath)
    {
        if (_groupCommit is null || _knownSessions.ContainsKey(sessionPath))
        {
            return;
        }

        if (_knownSessions.Count >= FirestoreDefaults.FullSessionCacheSize)
        {
            // Forgetting only sends a session's next step alone once more, which learns it again.
            _knownSessions.Clear();
        }

        _knownSessions.TryAdd(sessionPath, 0);
    }

    /// <summary>Forgets a session (deleted, or a batch met NOT_FOUND on it): its next step takes the single-step commit, which creates it if need be.</summary>
    internal void ForgetSession(string sessionPath) => _knownSessions.TryRemove(sessionPath, out _);
}
