using CostTracking.Pricing;

namespace CostTracking;

/// <summary>Options of cost tracking; bound from the <c>CostTracking</c> configuration section and validated at start.</summary>
public sealed class CostTrackingOptions
{
    /// <summary>The configuration section the options are usually bound from.</summary>
    public const string SectionName = "CostTracking";

    /// <summary>Gets or sets the largest cost one record may carry, in US dollars; a larger one is rejected as a likely mistake.</summary>
    /// <value>The default value is 10,000 (USD); 0.000000001 to 1,000,000,000.</value>
    public decimal MaxCostPerRecord { get; set; } = CostTrackingDefaults.MaxCostPerRecord;

    /// <summary>Gets or sets the largest metadata one record may carry, in bytes as measured on its UTF-8 JSON form.</summary>
    /// <value>The default value is 16,384 (16 KiB); 0 to 262,144.</value>
    public int MaxMetadataBytes { get; set; } = CostTrackingDefaults.MaxMetadataBytes;

    /// <summary>Gets additions to and overrides of the built-in prices.</summary>
    public PricingOptions Pricing { get; } = new();

    /// <summary>Gets how idle sessions are abandoned and how long records are kept.</summary>
    public SessionLifecycleOptions Sessions { get; } = new();

    /// <summary>Gets the default monthly limits per user and the alert settings.</summary>
    public Budgets.BudgetOptions Budgets { get; } = new();
}

/// <summary>Session timeout and retention.</summary>
public sealed class SessionLifecycleOptions
{
    /// <summary>Gets or sets how long an in-progress session may go without a step before a sweep marks it abandoned.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan IdleTimeout { get; set; } = CostTrackingDefaults.IdleTimeout;

    /// <summary>Gets or sets how often the background sweeper (CostTracking.Hosting) runs.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan SweepInterval { get; set; } = CostTrackingDefaults.SweepInterval;

    /// <summary>Gets or sets how many sessions or operations a sweep handles per store call.</summary>
    /// <value>The default value is 100; 1 to 1,000.</value>
    public int SweepPageSize { get; set; } = CostTrackingDefaults.SweepPageSize;

    /// <summary>Gets or sets the age (since creation) after which sessions are deleted, or <see langword="null"/> to keep them.</summary>
    /// <value>The default value is <see langword="null"/>: sessions are kept.</value>
    public TimeSpan? SessionRetention { get; set; }

    /// <summary>Gets or sets the age after which standalone operations are deleted, or <see langword="null"/> to keep them. Monthly summaries are always kept.</summary>
    /// <value>The default value is <see langword="null"/>: operations are kept.</value>
    public TimeSpan? OperationRetention { get; set; }
}

/// <summary>The defaults and limits of the options, in one place.</summary>
internal static class CostTrackingDefaults
{
    public const decimal MaxCostPerRecord = 10_000m;
    public const decimal MaxCostPerRecordCeiling = 1_000_000_000m;
    public const int MaxMetadataBytes = 16 * 1024;
    public const int MaxMetadataBytesCeiling = 256 * 1024;
    public const int MaxMetadataDepth = 8;
    public const int MaxNameLength = 256;
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(1);
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(5);
    public const int SweepPageSize = 100;
    public static readonly TimeSpan ReservationTimeout = TimeSpan.FromMinutes(10);
    public static readonly int[] AlertThresholdPercents = [50, 80, 100];
    public const int UnusualSpendingTrailingDays = 7;
    public const decimal UnusualSpendingMinimumCost = 1m;
}
