using CostTracking.Firestore.Internal;

namespace CostTracking.Firestore;

/// <summary>Group commit (<see cref="FirestoreWriteMode.GroupCommit"/>) and the store's disposal.</summary>
public sealed partial class FirestoreUsageStore : IAsyncDisposable, IDisposable
{
    private readonly GroupCommitter? _groupCommit;

    /// <summary>Commits every standalone operation still waiting for a group commit, then refuses new ones; in <see cref="FirestoreWriteMode.Immediate"/> mode there is nothing to do.</summary>
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
}
