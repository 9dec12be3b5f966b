using System.Diagnostics.Metrics;
using CostTracking.Telemetry;

namespace CostTracking.Http.Internal;

/// <summary>The handler's instruments, on the shared <see cref="CostTrackingTelemetry.MeterName"/> meter.</summary>
internal static class HttpTrackingMetrics
{
    private static readonly Meter s_meter = new(CostTrackingTelemetry.MeterName, typeof(HttpTrackingMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Counter<long> s_untracked = s_meter.CreateCounter<long>(
        "costtracking.http.untracked_requests", "{request}", "Mapped HTTP requests that went through without being recorded (no user, or tracking failed).");

    public static void Untracked(string reason, string provider, string feature) =>
        s_untracked.Add(
            1,
            new KeyValuePair<string, object?>("costtracking.reason", reason),
            new KeyValuePair<string, object?>("costtracking.provider", provider),
            new KeyValuePair<string, object?>("costtracking.feature", feature));
}
