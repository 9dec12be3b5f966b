using CostTracking.Budgets;
using CostTracking.Pricing;
using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Testing;

/// <summary>
/// The session lifecycle through the trackers, as an app uses it: the idle sweep across users and pages, retention, and
/// the Google Places policy on finalize and on abandon. Subclasses run it against each store.
/// </summary>
/// <remarks>The idle sweep and retention work across every user, so <see cref="CreateStore"/> must hand out a store of the test's own.</remarks>
[TestFixture]
public abstract class SessionLifecycleContractTests<TStores> : StoreSuite<TStores>
    where TStores : IUsageStoreSource, new()
{
    [Test]
    public async Task AbandonIdleSessionsAsync_SessionsIdlePastTheTimeout_MarksOnlyThoseAcrossUsers()
    {
        using var h = CostTrackingHarness.Create(o => o.Sessions.IdleTimeout = TimeSpan.FromMinutes(30), store: CreateStore());
        var (alice, bob) = (CostTrackingHarness.NewUserId(), CostTrackingHarness.NewUserId());
        await h.Tracker.RecordUsageAsync(Step(alice, "s-alice"));
        await h.Tracker.RecordUsageAsync(Step(bob, "s-bob"));
        await h.Tracker.RecordUsageAsync(Step(bob, "s-bob-done"));
        await h.Tracker.FinalizeSessionAsync(bob, "s-bob-done");
        h.Time.Advance(TimeSpan.FromMinutes(20));
        await h.Tracker.RecordUsageAsync(Step(alice, "s-alice-busy"));
        h.Time.Advance(TimeSpan.FromMinutes(15));

        var marked = await h.Sessions.AbandonIdleSessionsAsync();

        marked.Should().Be(2);
        (await h.Tracker.GetSessionAsync(alice, "s-alice"))!.Status.Should().Be(SessionStatus.Abandoned);
        (await h.Tracker.GetSessionAsync(alice, "s-alice"))!.AbandonedAt.Should().Be(Truncated(h.Time.GetUtcNow()));
        (await h.Tracker.GetSessionAsync(bob, "s-bob"))!.Status.Should().Be(SessionStatus.Abandoned);
        (await h.Tracker.GetSessionAsync(alice, "s-alice-busy"))!.Status.Should().Be(SessionStatus.InProgress);
        (await h.Tracker.GetSessionAsync(bob, "s-bob-done"))!.Status.Should().Be(SessionStatus.Completed);
        (await h.Sessions.AbandonIdleSessionsAsync()).Should().Be(0, "nothing else is idle yet");
    }

    [Test]
    public async Task AbandonIdleSessionsAsync_ManySessions_WorksThroughEveryPage()
    {
        using var h = CostTrackingHarness.Create(o => { o.Sessions.IdleTimeout = TimeSpan.FromMinutes(1); o.Sessions.SweepPageSize = 3; }, store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        for (var i = 0; i < 10; i++)
        {
            await h.Tracker.RecordUsageAsync(Step(user, $"s{i}"));
        }

        h.Time.Advance(TimeSpan.FromMinutes(2));

        (await h.Sessions.AbandonIdleSessionsAsync()).Should().Be(10);
        (await h.Tracker.GetUserSessionsAsync(user, new SessionQuery { Status = SessionStatus.Abandoned })).Items.Should().HaveCount(10);
    }

    [Test]
    public async Task ApplyRetentionAsync_Configured_DeletesOldSessionsAndOperationsButKeepsSummaries()
    {
        using var h = CostTrackingHarness.Create(
            o =>
            {
                o.Sessions.SessionRetention = TimeSpan.FromDays(30);
                o.Sessions.OperationRetention = TimeSpan.FromDays(60);
                o.Sessions.SweepPageSize = 2;
            },
            store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var month = h.CurrentMonth();
        await h.Tracker.RecordUsageAsync(Step(user, "old-session"));
        await h.Tracker.RecordUsageAsync(Standalone(user, "old-op"));
        h.Time.Advance(TimeSpan.FromDays(40));
        await h.Tracker.RecordUsageAsync(Step(user, "new-session"));

        var first = await h.Tracker.ApplyRetentionAsync();
        h.Time.Advance(TimeSpan.FromDays(25));
        var second = await h.Tracker.ApplyRetentionAsync();

        first.Should().Be(new RetentionResult(1, 0));
        second.Should().Be(new RetentionResult(0, 1));
        (await h.Tracker.GetSessionAsync(user, "old-session")).Should().BeNull();
        (await h.Tracker.GetSessionAsync(user, "new-session")).Should().NotBeNull();
        (await h.Tracker.GetOperationsAsync(user, UsageType.ApiUsage)).Items.Should().BeEmpty();
        (await h.Tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, month)).OperationCount.Should().Be(2, "summaries are kept");
    }

    [Test]
    public async Task ApplyRetentionAsync_NotConfigured_DeletesNothing()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Standalone(user, "op"));
        h.Time.Advance(TimeSpan.FromDays(3650));

        var writes = h.Store.WriteCalls;

        (await h.Tracker.ApplyRetentionAsync()).Should().Be(default(RetentionResult));
        h.Store.WriteCalls.Should().Be(writes, "nothing is deleted without a retention");
    }

    [Test]
    public async Task FinalizeSessionAsync_WithGooglePlacesPolicy_RepricesAutocompleteIntoTheDetailsCallOnce()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore(), configureBuilder: b => b.UseGooglePlacesSessionPricing());
        var user = CostTrackingHarness.NewUserId();
        var month = h.CurrentMonth();
        for (var i = 0; i < 3; i++)
        {
            await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_autocomplete", cost: ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        }

        await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_place_details", cost: ApiCosts.GoogleMaps.PlaceDetails.PerRequest));

        var session = await h.Tracker.FinalizeSessionAsync(user, "search");
        await h.Tracker.FinalizeSessionAsync(user, "search");

        session.TotalCost.Should().Be(0.017m);
        session.RepricedBy.Should().Be(GooglePlacesSessionPricingPolicy.PolicyName);
        session.Steps.Take(3).Should().OnlyContain(s => s.Cost == 0m && s.OriginalCost == 0.00283m);
        session.Steps[3].OriginalCost.Should().BeNull();
        var summary = await h.Tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, month);
        summary.TotalCost.Should().Be(0.017m, "the month is adjusted exactly once");
        summary.OperationCount.Should().Be(4);
    }

    [Test]
    public async Task AbandonIdleSessionsAsync_WithGooglePlacesPolicy_BillsEachAutocompleteOnItsOwn()
    {
        using var h = CostTrackingHarness.Create(o => o.Sessions.IdleTimeout = TimeSpan.FromMinutes(5), store: CreateStore(), configureBuilder: b => b.UseGooglePlacesSessionPricing());
        var user = CostTrackingHarness.NewUserId();

        // Recorded at a discounted price by mistake: abandoning bills each request at the per-request price.
        await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_autocomplete", cost: 0.001m));
        await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_autocomplete", cost: ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        h.Time.Advance(TimeSpan.FromMinutes(6));

        (await h.Sessions.AbandonIdleSessionsAsync()).Should().Be(1);

        var session = await h.Tracker.GetSessionAsync(user, "search");
        session!.Status.Should().Be(SessionStatus.Abandoned);
        session.TotalCost.Should().Be(2 * ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest);
        session.Steps[0].OriginalCost.Should().Be(0.001m);
        (await h.Tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, h.CurrentMonth())).TotalCost.Should().Be(0.00566m);
    }

    [Test]
    public async Task AbandonIdleSessionsAsync_RepricingRaisesTheMonthPastAThreshold_RaisesTheAlert()
    {
        var handler = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(
            o => { o.Sessions.IdleTimeout = TimeSpan.FromMinutes(5); o.Budgets.MonthlyCostLimit = 0.01m; },
            store: CreateStore(),
            configureBuilder: b => b.UseGooglePlacesSessionPricing().Services.AddSingleton<IBudgetAlertHandler>(handler));
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_autocomplete", cost: 0.001m));
        await h.Tracker.RecordUsageAsync(Step(user, "search", feature: "google_maps_autocomplete", cost: ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        handler.Alerts.Should().BeEmpty("$0.00383 is 38% of the limit");
        h.Time.Advance(TimeSpan.FromMinutes(6));

        (await h.Sessions.AbandonIdleSessionsAsync()).Should().Be(1);

        var alert = handler.Alerts.Should().ContainSingle("re-priced to $0.00566, the month crossed 50%").Subject;
        alert.Kind.Should().Be(BudgetAlertKind.CostThreshold);
        alert.ThresholdPercent.Should().Be(50);
        alert.Value.Should().Be(0.00566m);
    }

    [Test]
    public async Task FinalizeSessionAsync_PolicyChangesNothing_LeavesTheSessionAlone()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore(), configureBuilder: b => b.UseGooglePlacesSessionPricing());
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Step(user, "vectors", feature: "pinecone_query", cost: 0.000016m));

        var session = await h.Tracker.FinalizeSessionAsync(user, "vectors");

        session.RepricedBy.Should().BeNull();
        session.TotalCost.Should().Be(0.000016m);
    }

    private static DateTimeOffset Truncated(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    private static UsageRecord Step(string user, string sessionId, string feature = "google_maps_autocomplete", decimal cost = 0.00283m) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = feature,
        Cost = cost,
        Provider = "google_maps",
        SessionId = sessionId,
    };

    private static UsageRecord Standalone(string user, string id) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = "geocoding",
        Cost = 0.005m,
        Provider = "google_maps",
        OperationId = id,
    };
}
