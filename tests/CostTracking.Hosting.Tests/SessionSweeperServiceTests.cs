using CostTracking.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CostTracking.Hosting.Tests;

[TestFixture]
public sealed class SessionSweeperServiceTests
{
    [Test]
    public async Task AddSessionSweeper_CalledTwice_RegistersOneHostedService()
    {
        using var h = CostTrackingHarness.Create(configureBuilder: b => b.AddSessionSweeper().AddSessionSweeper());

        h.Services.GetServices<IHostedService>().Should().ContainSingle().Which.Should().BeOfType<SessionSweeperService>();
        await Task.CompletedTask;
    }

    [Test]
    public async Task ExecuteAsync_EachInterval_AbandonsIdleSessionsAndAppliesRetention()
    {
        using var h = CostTrackingHarness.Create(
            o =>
            {
                o.Sessions.IdleTimeout = TimeSpan.FromMinutes(30);
                o.Sessions.SweepInterval = TimeSpan.FromMinutes(5);
                o.Sessions.OperationRetention = TimeSpan.FromHours(2);
            },
            configureBuilder: b => b.AddSessionSweeper());
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Step(user, "search"));
        await h.Tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.ApiUsage, Feature = "geocoding", Cost = 0.005m, Provider = "google_maps" });
        var sweeper = (SessionSweeperService)h.Services.GetRequiredService<IHostedService>();

        await sweeper.StartAsync(CancellationToken.None);
        await WaitForSweepsAsync(sweeper, 1);   // the first sweep runs at start
        (await h.Tracker.GetSessionAsync(user, "search"))!.Status.Should().Be(SessionStatus.InProgress);

        h.Time.Advance(TimeSpan.FromMinutes(35));   // seven intervals pass; the timer fires
        await WaitForSweepsAsync(sweeper, 2);
        (await h.Tracker.GetSessionAsync(user, "search"))!.Status.Should().Be(SessionStatus.Abandoned);
        (await h.Tracker.GetOperationsAsync(user, UsageType.ApiUsage)).Items.Should().ContainSingle("the operation is not old enough yet");

        h.Time.Advance(TimeSpan.FromHours(2));
        await WaitForSweepsAsync(sweeper, 3);
        (await h.Tracker.GetOperationsAsync(user, UsageType.ApiUsage)).Items.Should().BeEmpty();

        await sweeper.StopAsync(CancellationToken.None);
        sweeper.ExecuteTask!.IsCompletedSuccessfully.Should().BeTrue("the service stops cleanly with the host");
    }

    [Test]
    public async Task ExecuteAsync_SweepFails_KeepsRunningAndSweepsAgainNextInterval()
    {
        var failing = new FailingOnceStore();
        using var h = CostTrackingHarness.Create(
            o => { o.Sessions.IdleTimeout = TimeSpan.FromMinutes(1); o.Sessions.SweepInterval = TimeSpan.FromMinutes(1); },
            store: failing,
            configureBuilder: b => b.AddSessionSweeper());
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Step(user, "search"));
        h.Time.Advance(TimeSpan.FromMinutes(2));
        var sweeper = (SessionSweeperService)h.Services.GetRequiredService<IHostedService>();

        await sweeper.StartAsync(CancellationToken.None);
        await WaitForSweepsAsync(sweeper, 1);
        (await h.Tracker.GetSessionAsync(user, "search"))!.Status.Should().Be(SessionStatus.InProgress, "the first sweep failed");

        h.Time.Advance(TimeSpan.FromMinutes(1));
        await WaitForSweepsAsync(sweeper, 2);
        (await h.Tracker.GetSessionAsync(user, "search"))!.Status.Should().Be(SessionStatus.Abandoned);
        await sweeper.StopAsync(CancellationToken.None);
    }

    /// <summary>Waits (without timing anything) until the service has finished a number of sweeps.</summary>
    private static async Task WaitForSweepsAsync(SessionSweeperService sweeper, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (sweeper.CompletedSweeps < count)
        {
            await Task.Delay(5, cts.Token);
        }
    }

    private static UsageRecord Step(string user, string sessionId) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = "google_maps_autocomplete",
        Cost = 0.00283m,
        Provider = "google_maps",
        SessionId = sessionId,
    };
}
