namespace CostTracking;

/// <summary>What one user spent on one usage type in one UTC month, standalone operations and session steps together.</summary>
public sealed class MonthlyUsageSummary
{
    /// <summary>Gets the id of the user.</summary>
    public required string UserId { get; init; }

    /// <summary>Gets the usage type summed.</summary>
    public required UsageType UsageType { get; init; }

    /// <summary>Gets the month summed.</summary>
    public required UsageMonth Month { get; init; }

    /// <summary>Gets the exact total cost in US dollars: standalone operations plus session steps.</summary>
    public required decimal TotalCost { get; init; }

    /// <summary>Gets how many operations and session steps were counted.</summary>
    public required long OperationCount { get; init; }

    /// <summary>Gets how many of them were billable runs.</summary>
    public required long BillableRuns { get; init; }

    /// <summary>Gets the part of <see cref="TotalCost"/> that came from session steps.</summary>
    public required decimal SessionCost { get; init; }

    /// <summary>Gets how many of the counted operations were session steps.</summary>
    public required long SessionOperationCount { get; init; }

    /// <summary>Gets the part of <see cref="TotalCost"/> that came from standalone operations.</summary>
    public decimal StandaloneCost => TotalCost - SessionCost;

    /// <summary>Gets cost and count per feature.</summary>
    public required IReadOnlyDictionary<string, CostBreakdown> ByFeature { get; init; }

    /// <summary>Gets cost and count per provider.</summary>
    public required IReadOnlyDictionary<string, CostBreakdown> ByProvider { get; init; }

    /// <summary>Gets cost and count per UTC day of the month (1 to 31); days without usage are absent.</summary>
    public IReadOnlyDictionary<int, CostBreakdown> ByDay { get; init; } = EmptyDays;

    /// <summary>Gets an empty summary: what a month with no usage reads as.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="usageType">The usage type.</param>
    /// <param name="month">The month.</param>
    /// <returns>A summary whose totals are zero.</returns>
    public static MonthlyUsageSummary Empty(string userId, UsageType usageType, UsageMonth month) => new()
    {
        UserId = userId,
        UsageType = usageType,
        Month = month,
        TotalCost = 0m,
        OperationCount = 0,
        BillableRuns = 0,
        SessionCost = 0m,
        SessionOperationCount = 0,
        ByFeature = new Dictionary<string, CostBreakdown>(),
        ByProvider = new Dictionary<string, CostBreakdown>(),
    };

    private static readonly IReadOnlyDictionary<int, CostBreakdown> EmptyDays = new Dictionary<int, CostBreakdown>();
}

/// <summary>The cost and number of operations of one feature or provider in a summary.</summary>
/// <param name="Cost">The exact cost in US dollars.</param>
/// <param name="Count">How many operations and steps.</param>
public readonly record struct CostBreakdown(decimal Cost, long Count);
