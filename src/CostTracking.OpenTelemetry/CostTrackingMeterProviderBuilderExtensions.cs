using CostTracking.Telemetry;

namespace OpenTelemetry.Metrics;

/// <summary>Registers CostTracking's metrics on an OpenTelemetry <see cref="MeterProviderBuilder"/>.</summary>
public static class CostTrackingMeterProviderBuilderExtensions
{
    /// <summary>Collects the <see cref="CostTrackingTelemetry.MeterName"/> meter: the core's cost and operation counters and the integrations' untracked and unpriced counters.</summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The instruments and their tags are listed on <see cref="CostTrackingTelemetry"/>.</remarks>
    public static MeterProviderBuilder AddCostTrackingInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(CostTrackingTelemetry.MeterName);
    }
}
