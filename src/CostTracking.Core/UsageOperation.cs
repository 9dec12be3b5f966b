namespace CostTracking;

/// <summary>A standalone operation as stored: one paid call that belongs to no session.</summary>
public sealed class UsageOperation
{
    /// <summary>Gets the operation's id, unique among the user's operations of its usage type.</summary>
    public required string OperationId { get; init; }

    /// <summary>Gets the id of the user who caused the cost.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets whether this is an API call or an AI call.</summary>
    public required UsageType UsageType { get; init; }

    /// <summary>Gets the feature of your app the call served.</summary>
    public required string Feature { get; init; }

    /// <summary>Gets the provider that billed the call.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the exact cost in US dollars (a whole number of nano-dollars).</summary>
    public required decimal Cost { get; init; }

    /// <summary>Gets a value indicating whether the call counts as a billable run.</summary>
    public bool IsBillableRun { get; init; }

    /// <summary>Gets when the operation was recorded (UTC, microsecond precision).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the details kept with the operation; empty when there were none.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; init; } = EmptyMetadata.Instance;
}
