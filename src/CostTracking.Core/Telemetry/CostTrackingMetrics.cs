using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CostTracking.Telemetry;

/// <summary>The instruments of the <see cref="CostTrackingTelemetry.MeterName"/> meter; one per container.</summary>
internal sealed class CostTrackingMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _cost;
    private readonly Counter<long> _operations;
    private readonly Counter<long> _duplicates;

    public CostTrackingMetrics()
    {
        _meter = new Meter(CostTrackingTelemetry.MeterName, typeof(CostTrackingMetrics).Assembly.GetName().Version?.ToString(3));
        _cost = _meter.CreateCounter<long>("costtracking.cost", "{nanoUSD}", "Cost recorded, in nano-dollars (10^-9 USD).");
        _operations = _meter.CreateCounter<long>("costtracking.operations", "{operation}", "Operations and session steps recorded.");
        _duplicates = _meter.CreateCounter<long>("costtracking.duplicates", "{operation}", "Records found already recorded and not counted again.");
    }

    public void Recorded(UsageType usageType, string provider, string feature, bool inSession, long costNanos)
    {
        if (!_operations.Enabled && !_cost.Enabled)
        {
            return;
        }

        var tags = Tags(usageType, provider, feature, inSession);
        _operations.Add(1, tags);
        _cost.Add(costNanos, tags);
    }

    public void Duplicate(UsageType usageType, string provider, string feature, bool inSession)
    {
        if (_duplicates.Enabled)
        {
            _duplicates.Add(1, Tags(usageType, provider, feature, inSession));
        }
    }

    public void Dispose() => _meter.Dispose();

    private static TagList Tags(UsageType usageType, string provider, string feature, bool inSession) => new()
    {
        { "costtracking.usage_type", usageType == UsageType.AIUsage ? "AIUsage" : "ApiUsage" },
        { "costtracking.provider", provider },
        { "costtracking.feature", feature },
        { "costtracking.in_session", inSession },
    };
}
