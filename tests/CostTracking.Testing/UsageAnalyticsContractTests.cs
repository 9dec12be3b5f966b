using CostTracking.Analytics;
using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Testing;

/// <summary>
/// <see cref="IUsageAnalytics"/> through the trackers, as an app uses it: completion rate, costs per completed session,
/// funnels and a user's month. Subclasses run it against each store.
/// </summary>
/// <remarks>Analytics for everyone read every user's sessions, so <see cref="CreateStore"/> must hand out a store of the test's own.</remarks>
[TestFixture]
public abstract class UsageAnalyticsContractTests<TStores> : StoreSuite<TStores>
    where TStores : IUsageStoreSource, new()
{
    [Test]
    public async Task GetSessionAnalyticsAsync_MixedSessions_ReportsCompletionRateAndCosts()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var from = h.Time.GetUtcNow().AddMinutes(-1);
        await Search(h, user, "c1", keystrokes: 3, details: true);
        await Search(h, user, "c2", keystrokes: 1, details: true);
        await Search(h, user, "c3", keystrokes: 2, details: true);
        await Search(h, user, "a1", keystrokes: 2, details: false);
        await h.Sessions.FinalizeSessionAsync(user, "a1", SessionStatus.Abandoned);
        await Search(h, user, "open", keystrokes: 1, details: false);
        var analytics = h.Services.GetRequiredService<IUsageAnalytics>();

        var result = await analytics.GetSessionAnalyticsAsync(new AnalyticsQuery { UserId = user, From = from, To = from.AddDays(1) });

        result.TotalSessions.Should().Be(5);
        result.CompletionRate.Should().Be(0.75m, "3 of the 4 closed sessions completed; the open one is undecided");
        result.CompletedSessionsCost.Should().Be((6 * 0.00283m) + (3 * 0.017m));
        result.AverageCostPerCompletedSession.Should().Be(0.02266m);
        result.AbandonedSessionsCost.Should().Be(2 * 0.00283m);
        result.ByStatus[SessionStatus.InProgress].Should().Be(new CostBreakdown(0.00283m, 1));
    }

    [Test]
    public async Task GetSessionAnalyticsAsync_NoClosedSessions_HasNoRates()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var analytics = h.Services.GetRequiredService<IUsageAnalytics>();

        var result = await analytics.GetSessionAnalyticsAsync(new AnalyticsQuery { From = h.Time.GetUtcNow(), To = h.Time.GetUtcNow().AddDays(1) });

        result.TotalSessions.Should().Be(0);
        result.CompletionRate.Should().BeNull();
        result.AverageCostPerCompletedSession.Should().BeNull();
    }

    [Test]
    public async Task GetFunnelsAsync_Searches_CountsSessionsPerStepAndPaths()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var (alice, bob) = (CostTrackingHarness.NewUserId(), CostTrackingHarness.NewUserId());
        var from = h.Time.GetUtcNow().AddMinutes(-1);
        await Search(h, alice, "s1", keystrokes: 2, details: true);
        await Search(h, bob, "s2", keystrokes: 1, details: true);
        await Search(h, bob, "s3", keystrokes: 3, details: false);
        var analytics = h.Services.GetRequiredService<IUsageAnalytics>();

        var funnels = await analytics.GetFunnelsAsync(new AnalyticsQuery { From = from, To = from.AddDays(1) });

        var funnel = funnels.Should().ContainSingle().Subject;
        funnel.Feature.Should().Be("google_maps");
        funnel.Sessions.Should().Be(3);
        funnel.Steps.Select(s => s.Sessions).Should().Equal(3, 3, 2);
        funnel.Steps[1].ByStepFeature.Should().BeEquivalentTo(new Dictionary<string, long> { ["google_maps_autocomplete"] = 2, ["google_maps_place_details"] = 1 });
        funnel.Paths.Should().HaveCount(2);
        funnel.Paths[0].Features.Should().Equal("google_maps_autocomplete", "google_maps_place_details");
        funnel.Paths[0].Sessions.Should().Be(2);
        funnel.Paths[1].Features.Should().Equal("google_maps_autocomplete");
    }

    [Test]
    public async Task GetUserMonthAsync_MixedUsage_RanksFeaturesAndProvidersAndSplitsSessionSpend()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        await Search(h, user, "s1", keystrokes: 2, details: true);
        await h.Tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.AIUsage, Feature = "summary", Cost = 0.5m, Provider = "openai" });
        await h.Tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.AIUsage, Feature = "chat", Cost = 0.25m, Provider = "anthropic" });
        var analytics = h.Services.GetRequiredService<IUsageAnalytics>();

        var report = await analytics.GetUserMonthAsync(user, h.CurrentMonth(), top: 2);

        report.TotalCost.Should().Be(0.75m + 0.02266m);
        report.SessionCost.Should().Be(0.02266m);
        report.StandaloneCost.Should().Be(0.75m);
        report.TopFeatures.Select(f => f.Name).Should().Equal("summary", "chat");
        report.TopProviders.Select(p => (p.Name, p.Cost)).Should().Equal(("openai", 0.5m), ("anthropic", 0.25m));
    }

    [Test]
    public async Task GetSessionAnalyticsAsync_EmptyRange_IsRefused()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var analytics = h.Services.GetRequiredService<IUsageAnalytics>();
        var now = h.Time.GetUtcNow();

        var act = () => analytics.GetSessionAnalyticsAsync(new AnalyticsQuery { From = now, To = now });

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("query");
    }

    private static async Task Search(CostTrackingHarness h, string user, string sessionId, int keystrokes, bool details)
    {
        for (var i = 0; i < keystrokes; i++)
        {
            await h.Tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.ApiUsage, Feature = "google_maps_autocomplete", Cost = 0.00283m, Provider = "google_maps", SessionId = sessionId });
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        if (details)
        {
            await h.Tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.ApiUsage, Feature = "google_maps_place_details", Cost = 0.017m, Provider = "google_maps", SessionId = sessionId });
            await h.Tracker.FinalizeSessionAsync(user, sessionId);
        }
    }
}
