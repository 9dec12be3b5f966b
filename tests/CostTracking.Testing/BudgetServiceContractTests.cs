using System.Collections.Concurrent;
using CostTracking.Budgets;
using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CostTracking.Testing;

/// <summary>
/// <see cref="IBudgetService"/> and budget alerts through the trackers, as an app uses them: pre-flight checks,
/// reservations under concurrency, settle and release, expiry, per-user limits, threshold and unusual-spending alerts
/// (handled and logged). Subclasses run it against each store.
/// </summary>
[TestFixture]
public abstract class BudgetServiceContractTests<TStores> : StoreSuite<TStores>
    where TStores : IUsageStoreSource, new()
{
    [Test]
    public async Task CheckAsync_WithinAndBeyondTheLimit_AllowsThenDeniesWithWhatRemains()
    {
        using var h = CostTrackingHarness.Create(o => { o.Budgets.MonthlyCostLimit = 1.00m; o.Budgets.MonthlyRunLimit = 5; }, store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        await h.Tracker.RecordUsageAsync(Record(user, 0.60m, billable: true));
        var budgets = h.Services.GetRequiredService<IBudgetService>();

        var fits = await budgets.CheckAsync(user, 0.40m);
        var over = await budgets.CheckAsync(user, 0.41m);
        var tooManyRuns = await budgets.CheckAsync(user, 0m, runs: 5);

        fits.IsAllowed.Should().BeTrue();
        fits.Status.RemainingCost.Should().Be(0.40m);
        fits.Status.RemainingRuns.Should().Be(4);
        over.IsAllowed.Should().BeFalse();
        tooManyRuns.IsAllowed.Should().BeFalse();
    }

    [Test]
    public async Task ReserveAsync_64ConcurrentCalls_NeverAcceptMoreThanTheLimit()
    {
        using var h = CostTrackingHarness.Create(o => o.Budgets.MonthlyCostLimit = 2.00m, store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var budgets = h.Services.GetRequiredService<IBudgetService>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var calls = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await budgets.ReserveAsync(user, 0.25m);
        })).ToArray();
        start.SetResult();
        var reservations = await Task.WhenAll(calls);

        reservations.Count(r => r.IsAccepted).Should().Be(8);
        (await budgets.GetStatusAsync(user)).ReservedCost.Should().Be(2.00m);
    }

    [Test]
    public async Task SettleAsync_AcceptedReservation_RecordsTheActualCostAndReleasesTheHold()
    {
        using var h = CostTrackingHarness.Create(o => o.Budgets.MonthlyCostLimit = 1.00m, store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var budgets = h.Services.GetRequiredService<IBudgetService>();
        var reservation = await budgets.ReserveAsync(user, 0.50m);

        var result = await budgets.SettleAsync(reservation, Record(user, 0.30m));

        result.IsRecorded.Should().BeTrue();
        var status = await budgets.GetStatusAsync(user);
        status.SpentCost.Should().Be(0.30m);
        status.ReservedCost.Should().Be(0m);
        status.RemainingCost.Should().Be(0.70m);
    }

    [Test]
    public async Task SettleAsync_RecordOfAnotherUser_IsRefusedAndNothingIsRecorded()
    {
        using var h = CostTrackingHarness.Create(o => o.Budgets.MonthlyCostLimit = 1.00m, store: CreateStore());
        var budgets = h.Services.GetRequiredService<IBudgetService>();
        var reservation = await budgets.ReserveAsync("alice", 0.50m);
        var writes = h.Store.WriteCalls;

        var act = () => budgets.SettleAsync(reservation, Record("bob", 0.30m));

        (await act.Should().ThrowAsync<ArgumentException>()).WithParameterName("actual").WithMessage("*bob*alice*");
        h.Store.WriteCalls.Should().Be(writes);
    }

    [Test]
    public async Task ReserveAsync_NeverSettled_ExpiresAfterTheTimeout()
    {
        using var h = CostTrackingHarness.Create(o => { o.Budgets.MonthlyCostLimit = 1.00m; o.Budgets.ReservationTimeout = TimeSpan.FromMinutes(2); }, store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var budgets = h.Services.GetRequiredService<IBudgetService>();
        (await budgets.ReserveAsync(user, 1.00m)).IsAccepted.Should().BeTrue();
        (await budgets.ReserveAsync(user, 0.01m)).IsAccepted.Should().BeFalse();

        h.Time.Advance(TimeSpan.FromMinutes(2));

        (await budgets.ReserveAsync(user, 0.01m)).IsAccepted.Should().BeTrue();
    }

    [Test]
    public async Task ReserveAsync_LimitProviderPerUser_UsesTheUsersTier()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore(), configureBuilder: b => b.Services.AddSingleton<IBudgetLimitProvider>(new TierLimits()));
        var budgets = h.Services.GetRequiredService<IBudgetService>();

        (await budgets.ReserveAsync("free-user", 0.20m)).IsAccepted.Should().BeFalse();
        (await budgets.ReserveAsync("pro-user", 0.20m)).IsAccepted.Should().BeTrue();
        (await budgets.GetStatusAsync("free-user")).Limits.MonthlyCost.Should().Be(0.10m);
    }

    [Test]
    public async Task ReserveAsync_NegativeEstimate_IsRefused()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var budgets = h.Services.GetRequiredService<IBudgetService>();

        var act = () => budgets.ReserveAsync("alice", -1m);

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).WithParameterName("estimatedCost");
    }

    [Test]
    public async Task Alerts_CrossingThresholds_AreRaisedOncePerThresholdPerMonthToEveryHandler()
    {
        var first = new CollectingAlertHandler();
        var second = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(
            o => o.Budgets.MonthlyCostLimit = 1.00m,
            start: new DateTimeOffset(2026, 12, 30, 12, 0, 0, TimeSpan.Zero),
            store: CreateStore(),
            configureBuilder: b => b.Services.AddSingleton<IBudgetAlertHandler>(first).AddSingleton<IBudgetAlertHandler>(second).AddFakeLogging());
        var user = CostTrackingHarness.NewUserId();

        await h.Tracker.RecordUsageAsync(Record(user, 0.30m));
        await h.Tracker.RecordUsageAsync(Record(user, 0.30m));   // 0.60: crosses 50%
        await h.Tracker.RecordUsageAsync(Record(user, 0.10m));   // 0.70: nothing new
        await h.Tracker.RecordUsageAsync(Record(user, 0.50m));   // 1.20: crosses 80% and 100% at once
        await h.Tracker.RecordUsageAsync(Record(user, 0.50m));   // still over: nothing new
        h.Time.Advance(TimeSpan.FromDays(2));                    // January: a new month
        await h.Tracker.RecordUsageAsync(Record(user, 0.55m));

        first.Alerts.Select(a => (a.Month.ToString(), a.ThresholdPercent)).Should().Equal(
            ("2026-12", 50), ("2026-12", 80), ("2026-12", 100), ("2027-01", 50));
        second.Alerts.Should().HaveCount(4);
        first.Alerts[2].Value.Should().Be(1.20m);
        first.Alerts[2].Limit.Should().Be(1.00m);
        AlertLogs(h).Should().SatisfyRespectively(
            r => r.Message.Should().Match($"Budget alert CostThreshold for user {user} in 2026-12: threshold 50%, value 0.6* against 1*"),
            r => r.Message.Should().Match($"Budget alert CostThreshold for user {user} in 2026-12: threshold 80%, value 1.2* against 1*"),
            r => r.Message.Should().Match($"Budget alert CostThreshold for user {user} in 2026-12: threshold 100%, value 1.2* against 1*"),
            r => r.Message.Should().Match($"Budget alert CostThreshold for user {user} in 2027-01: threshold 50%, value 0.55* against 1*"));
        AlertLogs(h).Should().OnlyContain(r => r.Level == LogLevel.Warning, "each alert is logged once, however many handlers it has");
    }

    [Test]
    public async Task Alerts_ConcurrentRecordsCrossingAThreshold_RaiseItExactlyOnce()
    {
        var handler = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(o => o.Budgets.MonthlyCostLimit = 1.00m, store: CreateStore(), configureBuilder: b => b.Services.AddSingleton<IBudgetAlertHandler>(handler));
        var user = CostTrackingHarness.NewUserId();

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await h.Tracker.RecordUsageAsync(Record(user, 0.02m)))));

        handler.Alerts.Select(a => a.ThresholdPercent).Should().BeEquivalentTo([50, 80, 100]);
    }

    [Test]
    public async Task Alerts_HandlerThrows_RecordingAndOtherHandlersGoOn()
    {
        var good = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(
            o => o.Budgets.MonthlyCostLimit = 1.00m,
            store: CreateStore(),
            configureBuilder: b => b.Services.AddSingleton<IBudgetAlertHandler>(new ThrowingAlertHandler()).AddSingleton<IBudgetAlertHandler>(good).AddFakeLogging());
        var user = CostTrackingHarness.NewUserId();

        var result = await h.Tracker.RecordUsageAsync(Record(user, 2m));

        result.IsRecorded.Should().BeTrue();
        good.Alerts.Should().HaveCount(3);
        AlertLogs(h).Should().HaveCount(3);
        var failures = h.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        failures.Should().HaveCount(3).And.OnlyContain(r => r.Exception is InvalidOperationException && r.Message.Contains(nameof(ThrowingAlertHandler), StringComparison.Ordinal));
    }

    [Test]
    public async Task Alerts_RunLimit_AreRaisedForRuns()
    {
        var handler = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(o => o.Budgets.MonthlyRunLimit = 2, store: CreateStore(), configureBuilder: b => b.Services.AddSingleton<IBudgetAlertHandler>(handler));
        var user = CostTrackingHarness.NewUserId();

        await h.Tracker.RecordUsageAsync(Record(user, 0m, billable: true));
        await h.Tracker.RecordUsageAsync(Record(user, 0m, billable: true));

        handler.Alerts.Should().OnlyContain(a => a.Kind == BudgetAlertKind.RunThreshold);
        handler.Alerts.Select(a => a.ThresholdPercent).Should().Equal(50, 80, 100);
    }

    [Test]
    public async Task Alerts_NoLimitsNoUnusualSpending_CostNoStoreReads()
    {
        using var h = CostTrackingHarness.Create(store: CreateStore());
        var user = CostTrackingHarness.NewUserId();
        var reads = h.Store.ReadCalls;

        await h.Tracker.RecordUsageAsync(Record(user, 1m));

        h.Store.ReadCalls.Should().Be(reads, "alerts are off, so recording reads nothing");
    }

    [Test]
    public async Task Alerts_DaySpendingFarAboveTheTrailingAverage_RaisesUnusualSpendingOncePerDay()
    {
        var handler = new CollectingAlertHandler();
        using var h = CostTrackingHarness.Create(
            o => { o.Budgets.UnusualSpendingMultiple = 3m; o.Budgets.UnusualSpendingTrailingDays = 7; o.Budgets.UnusualSpendingMinimumCost = 1m; },
            start: new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero),
            store: CreateStore(),
            configureBuilder: b => b.Services.AddSingleton<IBudgetAlertHandler>(handler).AddFakeLogging());
        var user = CostTrackingHarness.NewUserId();
        for (var day = 0; day < 7; day++)
        {
            await h.Tracker.RecordUsageAsync(Record(user, 1m));   // 1 USD a day, across the month end
            h.Time.Advance(TimeSpan.FromDays(1));
        }

        await h.Tracker.RecordUsageAsync(Record(user, 2m));       // 2 USD: under 3x the average of 1 USD
        handler.Alerts.Should().BeEmpty();
        await h.Tracker.RecordUsageAsync(Record(user, 2m));       // 4 USD today: over 3x
        await h.Tracker.RecordUsageAsync(Record(user, 2m));       // still today: no second alert

        var alert = handler.Alerts.Should().ContainSingle().Subject;
        alert.Kind.Should().Be(BudgetAlertKind.UnusualSpending);
        alert.Value.Should().Be(4m);
        alert.Limit.Should().Be(1m);
        alert.Month.Should().Be(new UsageMonth(2026, 12));
        AlertLogs(h).Should().ContainSingle().Which.Message.Should().Match($"Budget alert UnusualSpending for user {user} in 2026-12: spent 4* today against a trailing daily average of 1*");
    }

    /// <summary>The budget alerts the trackers logged (one line per alert, whatever the handlers do), oldest first.</summary>
    private static IReadOnlyList<FakeLogRecord> AlertLogs(CostTrackingHarness h) =>
        h.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name is "BudgetAlert" or "UnusualSpendingAlert").ToList();

    private static UsageRecord Record(string user, decimal cost, bool billable = false) => new()
    {
        UserId = user,
        UsageType = UsageType.AIUsage,
        Feature = "chat",
        Cost = cost,
        Provider = "openai",
        IsBillableRun = billable,
    };

    private sealed class TierLimits : IBudgetLimitProvider
    {
        public ValueTask<BudgetLimits> GetLimitsAsync(string userId, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(userId.StartsWith("free", StringComparison.Ordinal) ? new BudgetLimits(0.10m, null) : new BudgetLimits(10m, null));
    }

    private sealed class ThrowingAlertHandler : IBudgetAlertHandler
    {
        public ValueTask HandleAsync(BudgetAlert alert, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The mail server is down.");
    }
}
