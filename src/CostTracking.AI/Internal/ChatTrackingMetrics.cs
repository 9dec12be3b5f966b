using System.Diagnostics.Metrics;
using CostTracking.Telemetry;

namespace CostTracking.AI.Internal;

/// <summary>The chat client's instruments, on the shared <see cref="CostTrackingTelemetry.MeterName"/> meter.</summary>
internal static class ChatTrackingMetrics
{
    private const string UnknownModel = "unknown";
    private static readonly Meter s_meter = new(CostTrackingTelemetry.MeterName, typeof(ChatTrackingMetrics).Assembly.GetName().Version?.ToString(3));
    private static readonly Counter<long> s_unpriced = s_meter.CreateCounter<long>(
        "costtracking.ai.unpriced_calls", "{call}", "AI calls recorded with cost 0 because their model has no price.");

    private static readonly Counter<long> s_untracked = s_meter.CreateCounter<long>(
        "costtracking.ai.untracked_calls", "{call}", "AI calls that went through without being recorded (no user, or tracking failed).");

    public static void Unpriced(string? modelId) =>
        s_unpriced.Add(1, new KeyValuePair<string, object?>("costtracking.model", modelId ?? UnknownModel));

    public static void Untracked(string reason, string? modelId) =>
        s_untracked.Add(
            1,
            new KeyValuePair<string, object?>("costtracking.reason", reason),
            new KeyValuePair<string, object?>("costtracking.model", modelId ?? UnknownModel));
}
