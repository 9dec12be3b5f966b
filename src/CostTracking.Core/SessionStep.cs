namespace CostTracking;

/// <summary>One paid call recorded as a step of a session.</summary>
public sealed class SessionStep
{
    /// <summary>Gets the step's operation id, unique within its session.</summary>
    public required string OperationId { get; init; }

    /// <summary>Gets whether the step was an API call or an AI call.</summary>
    public required UsageType UsageType { get; init; }

    /// <summary>Gets the feature the step served, such as <c>google_maps_autocomplete</c>.</summary>
    public required string Feature { get; init; }

    /// <summary>Gets the provider that billed the step.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the exact cost in US dollars (a whole number of nano-dollars); after a session pricing policy re-priced the step, the re-priced cost.</summary>
    public required decimal Cost { get; init; }

    /// <summary>Gets the cost the step was recorded with, when a session pricing policy re-priced it; otherwise <see langword="null"/>.</summary>
    public decimal? OriginalCost { get; init; }

    /// <summary>Gets the registry key of the price a session pricing policy applied to the step, such as <c>google_maps.places_autocomplete_session</c>; <see langword="null"/> when the step was not re-priced.</summary>
    public string? PriceKey { get; init; }

    /// <summary>Gets the effective date of the price a session pricing policy applied to the step; <see langword="null"/> when the step was not re-priced.</summary>
    public DateOnly? PriceEffectiveDate { get; init; }

    /// <summary>Gets a value indicating whether the step counts as a billable run.</summary>
    public bool IsBillableRun { get; init; }

    /// <summary>Gets when the step was recorded (UTC, microsecond precision).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the details kept with the step; empty when there were none.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; init; } = EmptyMetadata.Instance;
}
