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
/// <para>The integration packages publish to the same meter:</para>
/// <list type="bullet">
/// <item><description><c>costtracking.ai.unpriced_calls</c> (counter, <c>{call}</c>, CostTracking.AI): AI calls recorded with cost 0 because their model has no price; tag <c>costtracking.model</c>.</description></item>
/// <item><description><c>costtracking.ai.untracked_calls</c> (counter, <c>{call}</c>, CostTracking.AI): AI calls that went through unrecorded; tags <c>costtracking.reason</c> (<c>no_user</c> or <c>failed</c>) and <c>costtracking.model</c>.</description></item>
/// <item><description><c>costtracking.http.untracked_requests</c> (counter, <c>{request}</c>, CostTracking.Http): mapped HTTP requests that went through unrecorded; tags <c>costtracking.reason</c>, <c>costtracking.provider</c>, <c>costtracking.feature</c>.</description></item>
/// </list>
/// <para>With OpenTelemetry, collect them all with <c>AddCostTrackingInstrumentation()</c> from the CostTracking.OpenTelemetry package, or <c>AddMeter(CostTrackingTelemetry.MeterName)</c>.</para>
/// </remarks>
public static class CostTrackingTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> CostTracking publishes to.</summary>
    public const string MeterName = "CostTracking";
}
