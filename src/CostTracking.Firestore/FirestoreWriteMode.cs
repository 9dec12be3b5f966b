namespace CostTracking.Firestore;

/// <summary>How <see cref="FirestoreUsageStore"/> writes standalone operations.</summary>
public enum FirestoreWriteMode
{
    /// <summary>One commit per operation, sent at once (the default).</summary>
    Immediate = 0,

    /// <summary>
    /// Concurrent operations of one user are gathered into one commit: each operation document (created only if absent) plus
    /// one summed increment per monthly summary, so a busy user's summary document takes one write per batch instead of one
    /// per operation. A call returns only after the commit holding its operation succeeded. Session steps are not batched.
    /// </summary>
    GroupCommit = 1,
}
