using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.Testing;

/// <summary>
/// The hosted session sweeper (<c>AddSessionSweeper</c>) run by a real <see cref="IHost"/> with a fake clock, as an app
/// runs it: it sweeps at start and on each interval, and stops with the host. Subclasses run it against each store.
/// </summary>
/// <remarks>The sweep works across every user, so <see cref="CreateStore"/> must hand out a store of the test's own.</remarks>
[TestFixture]
public abstract class SessionSweeperHostContractTests<TStores> : StoreSuite<TStores>
    where TStores : IUsageStoreSource, new()
{
    [Test]
    public async Task SessionSweeper_InAHost_AbandonsIdleSessionsAtStartAndOnItsIntervalAndStopsWithTheHost()
    {
        var time = new FakeTimeProvider(CostTrackingHarness.DefaultStart);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IUsageStore>(CreateStore());
        builder.Services.AddFakeLogging();
        builder.Services
            .AddCostTracking(o => { o.Sessions.IdleTimeout = TimeSpan.FromMinutes(30); o.Sessions.SweepInterval = TimeSpan.FromMinutes(5); })
            .AddSessionSweeper();
        using var host = builder.Build();
        var tracker = host.Services.GetRequiredService<ICostTracker>();
        var user = CostTrackingHarness.NewUserId();
        await tracker.RecordUsageAsync(Step(user, "idle-at-start"));
        time.Advance(TimeSpan.FromMinutes(31));
        await tracker.RecordUsageAsync(Step(user, "idle-later"));

        await host.StartAsync();
        await WaitUntilAbandonedAsync(tracker, user, "idle-at-start");   // the first sweep runs at start
        (await tracker.GetSessionAsync(user, "idle-later"))!.Status.Should().Be(SessionStatus.InProgress, "it was idle for less than the timeout at the first sweep");

        time.Advance(TimeSpan.FromMinutes(35));   // seven intervals pass; the timer fires
        await WaitUntilAbandonedAsync(tracker, user, "idle-later");
        var swept = await tracker.GetSessionAsync(user, "idle-later");
        swept!.AbandonedAt.Should().Be(Truncated(time.GetUtcNow()), "the interval's sweep abandoned it at the advanced clock");

        await host.StopAsync();
        var sweeper = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Should().ContainSingle().Subject;
        sweeper.ExecuteTask!.IsCompletedSuccessfully.Should().BeTrue("the service stops cleanly with the host");
        var logs = host.Services.GetFakeLogCollector().GetSnapshot();
        logs.Where(r => r.Id.Name == "SessionsAbandoned").Should().HaveCount(2, "one sweep at start, one on the interval, each abandoning one session");
        logs.Should().NotContain(r => r.Level >= LogLevel.Error, "no sweep failed");
    }

    /// <summary>Waits until the sweeper has abandoned a session: polls the store, and gives up (fails) after 30 s.</summary>
    private static async Task WaitUntilAbandonedAsync(ICostTracker tracker, string user, string sessionId)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await tracker.GetSessionAsync(user, sessionId, cts.Token))!.Status != SessionStatus.Abandoned)
        {
            await Task.Delay(10, cts.Token);
        }
    }

    /// <summary>The instant as stores keep it: whole microseconds.</summary>
    private static DateTimeOffset Truncated(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

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
