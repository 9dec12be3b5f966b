namespace CostTracking;

/// <summary>What recording an operation did.</summary>
public enum RecordOutcome
{
    /// <summary>This call stored the operation and counted its cost.</summary>
    Recorded = 0,

    /// <summary>An operation with the same id was already stored; nothing was counted again.</summary>
    AlreadyRecorded = 1,
}

/// <summary>The result of recording one operation.</summary>
/// <param name="OperationId">The operation's id: the caller's, or the one generated for it.</param>
/// <param name="Outcome">Whether this call recorded the operation or found it already recorded.</param>
public readonly record struct RecordUsageResult(string OperationId, RecordOutcome Outcome)
{
    /// <summary>Gets a value indicating whether this call stored the operation (false for a duplicate).</summary>
    public bool IsRecorded => Outcome == RecordOutcome.Recorded;
}
