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
}
