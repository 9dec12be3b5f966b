using System.Collections.Concurrent;
using CostTracking.Budgets;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Pricing;
using CostTracking.Storage;
using FluentAssertions.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>The trackers as an app wires them (<c>AddCostTracking().UseFirestore(…)</c>) on the emulator, with a fake clock: session pricing, the idle sweep, budgets and alerts.</summary>
/// <remarks>The sweep and retention run across users, so each test has a Firestore project of its own.</remarks>
public sealed class FirestoreLifecycleTrackerTests : EmulatorFixture
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5_358_979);

    [Test]
    public async Task FinalizeSessionAsync_GooglePlacesPolicyOnFirestore_RepricesTheSessionOnceAndAdjustsTheMonthOnce()
    {
        using var app = App.Create(configureBuilder: b => b.UseGooglePlacesSessionPricing());
        var user = NewId("user");
        for (var i = 0; i < 3; i++)
        {
            await app.Tracker.RecordUsageAsync(PlacesStep(user, "search", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
            app.Time.Advance(TimeSpan.FromSeconds(2));
        }

        await app.Tracker.RecordUsageAsync(PlacesStep(user, "search", "google_maps_place_details", ApiCosts.GoogleMaps.PlaceDetails.PerRequest));
        var monthBefore = await app.Tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, new UsageMonth(2026, 3));

        var session = await app.Tracker.FinalizeSessionAsync(user, "search");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var again = await app.Tracker.FinalizeSessionAsync(user, "search");
        var direct = await app.Store.RepriceSessionAsync(new SessionKey(user, "search"), new SessionRepricing("other", [new StepRepricing(session.Steps[0].OperationId, 1m, "x", default)]), app.Time.GetUtcNow());

        var month = await app.Tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, new UsageMonth(2026, 3));
        var raw = new RawFirestore(app.Http, FirestoreEmulator.Host, app.ProjectId);
        var monthly = await raw.FieldsAsync($"ApiUsage/{user}/monthly/2026-03");
        using (new AssertionScope())
        {
            monthBefore.TotalCost.Should().Be(3 * 0.00283m + 0.017m);
            session.TotalCost.Should().Be(0.017m, "autocomplete is billed with the Place Details call that ends the session");
            session.RepricedBy.Should().Be(GooglePlacesSessionPricingPolicy.PolicyName);
            session.RepricedAt.Should().NotBeNull();
            session.Steps.Take(3).Should().OnlyContain(s => s.Cost == 0m && s.OriginalCost == 0.00283m);
            session.Steps[3].OriginalCost.Should().BeNull();
            again.TotalCost.Should().Be(0.017m);
            again.RepricedAt.Should().Be(session.RepricedAt, "a second finalize does not re-price");
            direct.Should().BeFalse("a session is re-priced once");
            month.TotalCost.Should().Be(0.017m, "the month is adjusted exactly once");
            month.SessionCost.Should().Be(0.017m);
            month.OperationCount.Should().Be(4);
            month.ByFeature["google_maps_autocomplete"].Should().Be(new CostBreakdown(0m, 3));
            month.ByDay[14].Should().Be(new CostBreakdown(0.017m, 4));
            monthly.IntegerText("totalCostNanos").Should().Be("17000000");
            (await raw.FieldsAsync($"SessionUsage/{user}/sessions/search/state/repriced")).String("policy").Should().Be(GooglePlacesSessionPricingPolicy.PolicyName);
        }
    }

    [Test]
    public async Task AbandonIdleSessionsAsync_OnFirestoreWithAFakeClock_AbandonsOnlyIdleSessionsAcrossUsersAndBillsTheirAutocompleteOnItsOwn()
    {
        using var app = App.Create(o => { o.Sessions.IdleTimeout = TimeSpan.FromMinutes(5); o.Sessions.SweepPageSize = 2; }, b => b.UseGooglePlacesSessionPricing());
        var (alice, bob) = (NewId("alice"), NewId("bob"));

        // Recorded at a discounted price by mistake: abandoning bills each request at the per-request price.
        await app.Tracker.RecordUsageAsync(PlacesStep(alice, "idle-1", "google_maps_autocomplete", 0.001m));
        await app.Tracker.RecordUsageAsync(PlacesStep(alice, "idle-1", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        await app.Tracker.RecordUsageAsync(PlacesStep(alice, "idle-2", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        await app.Tracker.RecordUsageAsync(PlacesStep(bob, "idle-3", "pinecone_query", 0.000016m));
        await app.Tracker.RecordUsageAsync(PlacesStep(bob, "done", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        await app.Tracker.FinalizeSessionAsync(bob, "done");
        app.Time.Advance(TimeSpan.FromMinutes(3));
        await app.Tracker.RecordUsageAsync(PlacesStep(alice, "busy", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        app.Time.Advance(TimeSpan.FromMinutes(3));
        var now = app.Time.GetUtcNow();

        var marked = await app.Sessions.AbandonIdleSessionsAsync();
        var markedAgain = await app.Sessions.AbandonIdleSessionsAsync();

        var idle1 = await app.Tracker.GetSessionAsync(alice, "idle-1");
        using (new AssertionScope())
        {
            marked.Should().Be(3, "idle-1, idle-2 and idle-3 were idle for 6 minutes; busy only for 3, done is closed");
            markedAgain.Should().Be(0);
            idle1!.Status.Should().Be(SessionStatus.Abandoned);
            idle1.AbandonedAt.Should().Be(new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero));
            idle1.TotalCost.Should().Be(2 * ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest);
            idle1.RepricedBy.Should().Be(GooglePlacesSessionPricingPolicy.PolicyName);
            idle1.Steps[0].OriginalCost.Should().Be(0.001m);
            idle1.Steps[1].OriginalCost.Should().BeNull("it was priced right already");
            (await app.Tracker.GetSessionAsync(alice, "idle-2"))!.Status.Should().Be(SessionStatus.Abandoned);
            (await app.Tracker.GetSessionAsync(bob, "idle-3"))!.RepricedBy.Should().BeNull("not a Places session");
            (await app.Tracker.GetSessionAsync(alice, "busy"))!.Status.Should().Be(SessionStatus.InProgress);
            (await app.Tracker.GetSessionAsync(bob, "done"))!.Status.Should().Be(SessionStatus.Completed);
            (await app.Tracker.GetMonthlySummaryAsync(alice, UsageType.ApiUsage, new UsageMonth(2026, 3))).TotalCost.Should().Be(4 * ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest);
        }

        // A late step for an abandoned session is kept and counted; the session stays abandoned.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await app.Tracker.RecordUsageAsync(PlacesStep(alice, "idle-2", "google_maps_autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest));
        var late = await app.Tracker.GetSessionAsync(alice, "idle-2");
        late!.Status.Should().Be(SessionStatus.Abandoned);
        late.StepsAfterClose.Should().ContainSingle();
    }

    [Test]
    public async Task Budgets_TwoAppInstancesOnOneFirestore_HoldTheLimitAndRaiseEachAlertOnce()
    {
        var alerts = new ConcurrentQueue<BudgetAlert>();
        var projectId = FirestoreEmulator.NewProjectId();
        void Limits(CostTrackingOptions o) => o.Budgets.MonthlyCostLimit = 1.00m;
        using var first = App.Create(Limits, alerts: alerts, projectId: projectId);
        using var second = App.Create(Limits, alerts: alerts, projectId: projectId);
        var user = NewId("user");

        var reservation = await first.Budgets.ReserveAsync(user, 0.60m);
        var tooMuch = await second.Budgets.ReserveAsync(user, 0.50m);
        await first.Budgets.SettleAsync(reservation, Standalone(user, "call-1", 0.55m));
        var status = await second.Budgets.GetStatusAsync(user);

        // Both instances push the month over 80% and 100% at once: each threshold is raised once, not once per instance.
        await Task.WhenAll(
            first.Tracker.RecordUsageAsync(Standalone(user, "call-2", 0.30m)).AsTask(),
            second.Tracker.RecordUsageAsync(Standalone(user, "call-3", 0.30m)).AsTask());

        using (new AssertionScope())
        {
            reservation.IsAccepted.Should().BeTrue();
            tooMuch.IsAccepted.Should().BeFalse("0.60 is reserved of 1.00");
            tooMuch.Status.RemainingCost.Should().Be(0.40m);
            status.SpentCost.Should().Be(0.55m);
            status.ReservedCost.Should().Be(0m, "settling released the reservation");
            alerts.Where(a => a.UserId == user).Select(a => a.ThresholdPercent).Should().BeEquivalentTo([50, 80, 100]);
        }
    }

    private static UsageRecord PlacesStep(string user, string sessionId, string feature, decimal cost) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = feature,
        Provider = "google_maps",
        Cost = cost,
        SessionId = sessionId,
    };

    private static UsageRecord Standalone(string user, string id, decimal cost) => new()
    {
        UserId = user,
        UsageType = UsageType.ApiUsage,
        Feature = "place_search",
        Provider = "google_maps",
        Cost = cost,
        OperationId = id,
    };

    /// <summary>An app's container: a fake clock, cost tracking on Firestore in a project (its own unless given), and optional parts.</summary>
    private sealed class App : IDisposable
    {
        private App(ServiceProvider services, FakeTimeProvider time, string projectId)
        {
            Services = services;
            Time = time;
            ProjectId = projectId;
        }

        public ServiceProvider Services { get; }

        public FakeTimeProvider Time { get; }

        public string ProjectId { get; }

        public HttpClient Http { get; } = new();

        public ICostTracker Tracker => Services.GetRequiredService<ICostTracker>();

        public ISessionTracker Sessions => Services.GetRequiredService<ISessionTracker>();

        public IBudgetService Budgets => Services.GetRequiredService<IBudgetService>();

        public FirestoreUsageStore Store => Services.GetRequiredService<FirestoreUsageStore>();

        public static App Create(Action<CostTrackingOptions>? configure = null, Action<ICostTrackingBuilder>? configureBuilder = null, ConcurrentQueue<BudgetAlert>? alerts = null, string? projectId = null)
        {
            projectId ??= FirestoreEmulator.NewProjectId();
            var time = new FakeTimeProvider(Start);
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(time);
            if (alerts is not null)
            {
                services.AddSingleton<IBudgetAlertHandler>(new CollectingAlertHandler(alerts));
            }

            var builder = (configure is null ? services.AddCostTracking() : services.AddCostTracking(configure))
                .UseFirestore(o =>
                {
                    o.ProjectId = projectId;
                    o.EmulatorHost = FirestoreEmulator.Host;
                });
            configureBuilder?.Invoke(builder);
            return new App(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), time, projectId);
        }

        public void Dispose()
        {
            Services.Dispose();
            Http.Dispose();
        }
    }

    private sealed class CollectingAlertHandler(ConcurrentQueue<BudgetAlert> alerts) : IBudgetAlertHandler
    {
        public ValueTask HandleAsync(BudgetAlert alert, CancellationToken cancellationToken = default)
        {
            alerts.Enqueue(alert);
            return ValueTask.CompletedTask;
        }
    }
}
