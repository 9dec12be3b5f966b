namespace CostTracking.Telemetry;

/// <summary>Names under which CostTracking publishes its metrics; the host decides whether to collect them.</summary>
/// <remarks>
/// Instruments of the <see cref="MeterName"/> meter:
/// <list type="bullet">
/// <item><description><c>costtracking.cost</c> (counter, <c>{nanoUSD}</c>): cost recorded, in nano-dollars.</description></item>
/// <item><description><c>costtracking.operations</c> (counter, <c>{operation}</c>): operations and session steps recorded.</description></item>
/// <item><description><c>costtracking.duplicates</c> (counter, <c>{operation}</c>): records found already recorded and not counted again.</description></item>
/// </list>
/// Tags: <c>costtracking.usage_type</c>, <c>costtracking.provider</c>, <c>costtracking.feature</c>, <c>costtracking.in_session</c>.
/// </remarks>
public static class CostTrackingTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> CostTracking publishes to.</summary>
    public const string MeterName = "CostTracking";
}
