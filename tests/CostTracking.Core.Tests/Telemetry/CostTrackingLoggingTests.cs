using CostTracking.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CostTracking.Tests.Telemetry;

/// <summary>What the trackers tell the app's <c>ILogger</c>: duplicates, session starts and closes, a second close, sweeps and retention.</summary>
public sealed class CostTrackingLoggingTests
{
    [Test]
    public async Task RecordUsageAsync_SameOperationTwice_LogsTheDuplicateAtDebug()
    {
        using var h = Harness();
        var user = CostTrackingHarness.NewUserId();

        await h.Tracker.RecordUsageAsync(Record(user, "op-1"));
        await h.Tracker.RecordUsageAsync(Record(user, "op-1"));

        var log = Logs(h, "AlreadyRecorded").Should().ContainSingle().Subject;
        log.Level.Should().Be(LogLevel.Debug);
        log.Message.Should().Be($"Operation op-1 of user {user} was already recorded; it was not counted again.");
    }

    [Test]
    public async Task Sessions_StartCloseAndCloseAgain_LogStartInformationAndAWarningForTheSecondClose()
    {
        using var h = Harness();
        var user = CostTrackingHarness.NewUserId();

        await h.Sessions.StartSessionAsync(user, "google_maps", "s-1");
        await h.Tracker.RecordUsageAsync(Record(user, "step-1", sessionId: "s-1"));
        await h.Sessions.FinalizeSessionAsync(user, "s-1");
        await h.Sessions.FinalizeSessionAsync(user, "s-1", SessionStatus.Abandoned);

        Logs(h, "SessionStarted").Should().ContainSingle().Which.Message.Should().Be($"Session s-1 of user {user} started for feature google_maps.");
        var closed = Logs(h, "SessionClosed").Should().ContainSingle().Subject;
        closed.Level.Should().Be(LogLevel.Information);
        closed.Message.Should().Be($"Session s-1 of user {user} is Completed with 1 steps and a total of 0.25 USD.");
        var second = Logs(h, "SessionAlreadyClosed").Should().ContainSingle().Subject;
        second.Level.Should().Be(LogLevel.Warning);
        second.Message.Should().Be($"Session s-1 of user {user} was asked to be Abandoned but is already Completed; the first close stands.");
    }

    [Test]
    public async Task SweepAndRetention_WithWorkDone_LogWhatTheyDid()
    {
        using var h = Harness(o =>
        {
            o.Sessions.IdleTimeout = TimeSpan.FromMinutes(30);
            o.Sessions.SessionRetention = TimeSpan.FromDays(1);
        });
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Record(user, "step-1", sessionId: "s-1"));
        h.Time.Advance(TimeSpan.FromHours(1));

        await h.Sessions.AbandonIdleSessionsAsync();
        h.Time.Advance(TimeSpan.FromDays(2));
        await h.Tracker.ApplyRetentionAsync();

        Logs(h, "SessionsAbandoned").Should().ContainSingle().Which.Message.Should().StartWith("Session sweep abandoned 1 idle session(s)");
        Logs(h, "RetentionApplied").Should().ContainSingle().Which.Message.Should().Be("Retention deleted 1 session(s) and 0 operation(s).");
    }

    private static CostTrackingHarness Harness(Action<CostTrackingOptions>? configure = null) =>
        CostTrackingHarness.Create(configure, configureBuilder: b => b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug)).AddFakeLogging());

    private static List<FakeLogRecord> Logs(CostTrackingHarness h, string eventName) =>
        h.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name == eventName).ToList();

    private static UsageRecord Record(string user, string operationId, string? sessionId = null) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = "lookup",
        Provider = "google_maps",
        Cost = 0.25m,
        OperationId = operationId,
        SessionId = sessionId,
    };
}
