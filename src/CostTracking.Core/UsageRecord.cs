namespace CostTracking;

/// <summary>One paid call to record: who made it, what it was for, and what it cost.</summary>
/// <remarks>
/// Without a <see cref="SessionId"/> the record is a standalone operation, stored once among the user's
/// operations of its <see cref="UsageType"/>. With a session id it becomes a step of that session and is
/// stored only there; its cost still counts in the user's monthly summary, shown apart as session cost.
/// </remarks>
public sealed class UsageRecord
{
    /// <summary>Gets the id of the user who caused the cost.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets whether this is an API call or an AI call.</summary>
    public required UsageType UsageType { get; init; }

    /// <summary>Gets the feature of your app the call served, such as <c>google_maps_autocomplete</c>.</summary>
    public required string Feature { get; init; }

    /// <summary>Gets the cost in US dollars.</summary>
    /// <remarks>Stored exactly to the nano-dollar (10^-9 USD); finer fractions are rounded to the nearest nano-dollar, midpoints away from zero.</remarks>
    public required decimal Cost { get; init; }

    /// <summary>Gets the provider that billed the call, such as <c>google_maps</c> or <c>openai</c>.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the session the call belongs to, or <see langword="null"/> for a standalone operation.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets the caller's id for this operation; recording the same id twice counts it once. A random id is generated when absent.</summary>
    public string? OperationId { get; init; }

    /// <summary>Gets a value indicating whether the call counts as one billable run of your product (counted in <c>totalRuns</c>).</summary>
    public bool IsBillableRun { get; init; }

    /// <summary>Gets optional details kept with the operation.</summary>
    /// <remarks>
    /// Keys are non-empty strings. Values may be <see langword="null"/>, <see cref="string"/>, <see cref="bool"/>,
    /// integers, <see cref="double"/> or <see cref="float"/>, nested string-keyed dictionaries and lists (a list may
    /// not directly hold another list). The size limit is <see cref="CostTrackingOptions.MaxMetadataBytes"/>.
    /// </remarks>
    public IReadOnlyDictionary<string, object?>? Metadata { get; init; }
}
