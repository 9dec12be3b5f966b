namespace CostTracking.Firestore;

/// <summary>How <see cref="FirestoreUsageStore"/> writes standalone operations and session steps.</summary>
public enum FirestoreWriteMode
{
    /// <summary>One commit per operation or step, sent at once (the default).</summary>
    Immediate = 0,

    /// <summary>
    /// Concurrent operations and session steps of one user are gathered into one commit: each operation or step document
    /// (created only if absent) plus one summed write per session document and per monthly summary, so a busy user's
    /// documents take one write per batch instead of one per record. A call returns only after the commit holding its record
    /// succeeded. A step joins a batch only when this store knows its session exists and its inline copy is small and has
    /// room; other steps (a new session's first ones, large steps, full sessions) take the single-step commit.
    /// </summary>
    GroupCommit = 1,
}
