using CostTracking.Pricing;
using CostTracking.Storage;
using FluentAssertions.Execution;

namespace CostTracking.Testing;

/// <summary>
/// The contract of the optional store interfaces behind session timeouts, retention, analytics, budgets and session
/// pricing: <see cref="IUsageMaintenanceStore"/>, <see cref="IUsageAnalyticsStore"/>, <see cref="IBudgetStore"/> and
/// <see cref="ISessionRepricingStore"/>. Every store that ships with CostTracking implements all four and passes it unchanged.
/// </summary>
/// <remarks>
/// Cross-user calls (idle listing, retention, everyone's analytics) may see other tests' data in a shared store, so
/// those tests place their data in time ranges of their own and only assert about it.
/// </remarks>
[TestFixture]
public abstract class LifecycleStoreContractTests : StoreContractTestBase
{
    private IUsageMaintenanceStore Maintenance => (IUsageMaintenanceStore)Store;

    private IUsageAnalyticsStore Analytics => (IUsageAnalyticsStore)Store;

    private IBudgetStore Budgets => (IBudgetStore)Store;

    private ISessionRepricingStore Repricing => (ISessionRepricingStore)Store;

    [Test]
    public void Store_ImplementsEveryLifecycleInterface()
    {
        Store.Should().BeAssignableTo<IUsageMaintenanceStore>()
            .And.BeAssignableTo<IUsageAnalyticsStore>()
            .And.BeAssignableTo<IBudgetStore>()
            .And.BeAssignableTo<ISessionRepricingStore>();
    }

    // ---------------------------------------------------------------- idle sessions

    [Test]
    public async Task ListIdleSessionsAsync_MixedSessions_ListsOnlyInProgressSessionsIdleBeforeTheCutOff()
    {
        var t0 = UniqueEra();
        await Store.RecordSessionStepAsync(Step("s-idle", "a", at: t0.AddMinutes(1)));
        await Store.RecordSessionStepAsync(Step("s-idle-2", "a", at: t0.AddMinutes(2)));
        await Store.RecordSessionStepAsync(Step("s-busy", "a", at: t0.AddHours(2)));
        await Store.RecordSessionStepAsync(Step("s-closed", "a", at: t0.AddMinutes(1)));
        await Store.CloseSessionAsync(UserId, "s-closed", SessionStatus.Completed, t0.AddMinutes(3));

        var listed = await ListAllIdleAsync(t0.AddHours(1), pageSize: 1);

        var mine = listed.Where(k => k.UserId == UserId).Select(k => k.SessionId).ToList();
        mine.Should().BeEquivalentTo(["s-idle", "s-idle-2"]);
        listed.Should().OnlyHaveUniqueItems("paging must never repeat a session");
    }

    [Test]
    public async Task AbandonIfIdleAsync_IdleSession_MarksItAbandonedOnce()
    {
        var t0 = UniqueEra();
        await Store.RecordSessionStepAsync(Step("s", "a", at: t0));
        var key = new SessionKey(UserId, "s");

        var first = await Maintenance.AbandonIfIdleAsync(key, t0.AddHours(1), t0.AddHours(1).AddSeconds(5));
        var second = await Maintenance.AbandonIfIdleAsync(key, t0.AddHours(2), t0.AddHours(2));

        first.Should().BeTrue();
        second.Should().BeFalse();
        var session = await Store.GetSessionAsync(UserId, "s");
        using (new AssertionScope())
        {
            session!.Status.Should().Be(SessionStatus.Abandoned);
            session.AbandonedAt.Should().Be(t0.AddHours(1).AddSeconds(5));
            session.CompletedAt.Should().BeNull();
            session.Steps.Should().ContainSingle();
        }
    }

    [Test]
    public async Task AbandonIfIdleAsync_StepArrivedAfterTheCutOff_LeavesTheSessionOpenAndKeepsTheStep()
    {
        var t0 = UniqueEra();
        await Store.RecordSessionStepAsync(Step("s", "a", at: t0));
        await Store.RecordSessionStepAsync(Step("s", "b", at: t0.AddHours(2)));

        var abandoned = await Maintenance.AbandonIfIdleAsync(new SessionKey(UserId, "s"), t0.AddHours(1), t0.AddHours(2).AddSeconds(1));

        abandoned.Should().BeFalse();
        var session = await Store.GetSessionAsync(UserId, "s");
        session!.Status.Should().Be(SessionStatus.InProgress);
        session.Steps.Select(s => s.OperationId).Should().Equal("a", "b");
    }

    [Test]
    public async Task AbandonIfIdleAsync_CompletedOrUnknownSession_ChangesNothing()
    {
        var t0 = UniqueEra();
        await Store.RecordSessionStepAsync(Step("s", "a", at: t0));
        await Store.CloseSessionAsync(UserId, "s", SessionStatus.Completed, t0.AddMinutes(1));

        (await Maintenance.AbandonIfIdleAsync(new SessionKey(UserId, "s"), t0.AddHours(1), t0.AddHours(1))).Should().BeFalse();
        (await Maintenance.AbandonIfIdleAsync(new SessionKey(UserId, "missing"), t0.AddHours(1), t0.AddHours(1))).Should().BeFalse();

        var session = await Store.GetSessionAsync(UserId, "s");
        session!.Status.Should().Be(SessionStatus.Completed);
        session.AbandonedAt.Should().BeNull();
        (await Store.GetSessionAsync(UserId, "missing")).Should().BeNull();
    }

    [Test]
    public async Task AbandonIfIdleAsync_RacingACompletion_LeavesExactlyOneFinalStatus()
    {
        var t0 = UniqueEra();
        for (var i = 0; i < 4; i++)
        {
            await Store.RecordSessionStepAsync(Step($"s{i}", "a", at: t0));
        }

        for (var i = 0; i < 4; i++)
        {
            var key = new SessionKey(UserId, $"s{i}");
            var results = await RaceAsync(2, n => n == 0
                ? Maintenance.AbandonIfIdleAsync(key, t0.AddHours(1), t0.AddHours(1))
                : Store.CloseSessionAsync(UserId, key.SessionId, SessionStatus.Completed, t0.AddHours(1)).ContinueWith(_ => false, TaskScheduler.Default));

            var session = await Store.GetSessionAsync(UserId, key.SessionId);
            using (new AssertionScope())
            {
                (session!.CompletedAt is null).Should().NotBe(session.AbandonedAt is null, "a session is never both completed and abandoned");
                session.Status.Should().Be(results[0] ? SessionStatus.Abandoned : SessionStatus.Completed);
            }
        }
    }

    [Test]
    public async Task AbandonIfIdleAsync_RacingAStep_NeverLosesTheStep()
    {
        var t0 = UniqueEra();
        for (var i = 0; i < 4; i++)
        {
            var sessionId = $"s{i}";
            await Store.RecordSessionStepAsync(Step(sessionId, "first", cost: 0.001m, at: t0));
            await RaceAsync(2, async n =>
            {
                if (n == 0)
                {
                    return await Maintenance.AbandonIfIdleAsync(new SessionKey(UserId, sessionId), t0.AddHours(1), t0.AddHours(1));
                }

                await Store.RecordSessionStepAsync(Step(sessionId, "late", cost: 0.002m, at: t0.AddHours(1)));
                return false;
            });

            var session = await Store.GetSessionAsync(UserId, sessionId);
            session!.Steps.Select(s => s.OperationId).Should().Equal("first", "late");
            session.TotalCost.Should().Be(0.003m);
        }
    }

    // ---------------------------------------------------------------- retention

    [Test]
    public async Task DeleteSessionsCreatedBeforeAsync_OldAndNewSessions_DeletesOnlyOldOnesWithTheirStepsAndKeepsSummaries()
    {
        var old = new DateTimeOffset(2020, 1, 15, 0, 0, 0, TimeSpan.Zero);
        await Store.RecordSessionStepAsync(Step("s-old-1", "a", cost: 0.5m, at: old));
        await Store.RecordSessionStepAsync(Step("s-old-2", "a", cost: 0.25m, at: old.AddDays(1)));
        await Store.RecordSessionStepAsync(Step("s-new", "a", cost: 1m, at: BaseTime));

        var deleted = 0;
        int n;
        while ((n = await Maintenance.DeleteSessionsCreatedBeforeAsync(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), maxCount: 1)) > 0)
        {
            n.Should().Be(1, "maxCount bounds one call");
            deleted += n;
        }

        deleted.Should().BeGreaterThanOrEqualTo(2);
        (await Store.GetSessionAsync(UserId, "s-old-1")).Should().BeNull();
        (await Store.GetSessionAsync(UserId, "s-old-2")).Should().BeNull();
        (await Store.GetSessionAsync(UserId, "s-new")).Should().NotBeNull();
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, new UsageMonth(2020, 1))).TotalCost.Should().Be(0.75m, "summaries are kept");

        // The ids are free again: a new step with the old session id starts a fresh session.
        (await Store.RecordSessionStepAsync(Step("s-old-1", "a", at: BaseTime))).Should().Be(RecordOutcome.Recorded);
    }

    [Test]
    public async Task DeleteOperationsRecordedBeforeAsync_OldAndNewOperations_DeletesOnlyOldOnesAndKeepsSummaries()
    {
        var old = new DateTimeOffset(2020, 2, 10, 0, 0, 0, TimeSpan.Zero);
        await Store.RecordOperationAsync(Operation("op-old-api", cost: 1m, at: old));
        await Store.RecordOperationAsync(Operation("op-old-ai", type: UsageType.AIUsage, cost: 2m, at: old));
        await Store.RecordOperationAsync(Operation("op-new", cost: 3m, at: BaseTime));

        var deleted = 0;
        int n;
        while ((n = await Maintenance.DeleteOperationsRecordedBeforeAsync(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), maxCount: 1)) > 0)
        {
            n.Should().Be(1);
            deleted += n;
        }

        deleted.Should().BeGreaterThanOrEqualTo(2);
        (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Select(o => o.OperationId).Should().Equal("op-new");
        (await Store.ListOperationsAsync(UserId, UsageType.AIUsage, new OperationQuery())).Items.Should().BeEmpty();
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, new UsageMonth(2020, 2))).TotalCost.Should().Be(2m, "summaries are kept");
    }

    // ---------------------------------------------------------------- analytics

    [Test]
    public async Task AggregateSessionsAsync_OneUser_CountsAndSumsByStatusWithinRangeAndFeature()
    {
        var t0 = UniqueEra();
        await Store.RecordSessionStepAsync(Step("c1", "a", cost: 0.1m, at: t0));
        await Store.RecordSessionStepAsync(Step("c1", "b", cost: 0.017m, at: t0.AddMinutes(1)));
        await Store.RecordSessionStepAsync(Step("c2", "a", cost: 0.2m, at: t0.AddMinutes(2)));
        await Store.RecordSessionStepAsync(Step("ab", "a", cost: 0.00283m, at: t0.AddMinutes(3)));
        await Store.RecordSessionStepAsync(Step("open", "a", cost: 0.5m, at: t0.AddMinutes(4)));
        await Store.RecordSessionStepAsync(Step("other-feature", "a", cost: 9m, at: t0.AddMinutes(5), sessionFeature: "pinecone"));
        await Store.RecordSessionStepAsync(Step("too-late", "a", cost: 9m, at: t0.AddDays(2)));
        await Store.CloseSessionAsync(UserId, "c1", SessionStatus.Completed, t0.AddMinutes(10));
        await Store.CloseSessionAsync(UserId, "c2", SessionStatus.Completed, t0.AddMinutes(10));
        await Store.CloseSessionAsync(UserId, "ab", SessionStatus.Abandoned, t0.AddMinutes(10));

        var result = await Analytics.AggregateSessionsAsync(new SessionRange(UserId, t0, t0.AddDays(1), "google_maps"));

        using (new AssertionScope())
        {
            result[SessionStatus.Completed].Should().Be(new CostBreakdown(0.317m, 2));
            result[SessionStatus.Abandoned].Should().Be(new CostBreakdown(0.00283m, 1));
            result[SessionStatus.InProgress].Should().Be(new CostBreakdown(0.5m, 1));
        }

        var all = await Analytics.AggregateSessionsAsync(new SessionRange(UserId, t0, t0.AddDays(1)));
        all[SessionStatus.InProgress].Should().Be(new CostBreakdown(9.5m, 2));
    }

    [Test]
    public async Task AggregateSessionsAsync_Everyone_CountsEveryUsersSessions()
    {
        var t0 = UniqueEra();
        var other = NewId("user");
        await Store.RecordSessionStepAsync(Step("s1", "a", cost: 0.1m, at: t0));
        await Store.RecordSessionStepAsync(ForUser(other, Step("s2", "a", cost: 0.2m, at: t0.AddSeconds(1))));
        await Store.CloseSessionAsync(UserId, "s1", SessionStatus.Completed, t0.AddMinutes(1));
        await Store.CloseSessionAsync(other, "s2", SessionStatus.Completed, t0.AddMinutes(1));

        var result = await Analytics.AggregateSessionsAsync(new SessionRange(null, t0, t0.AddMinutes(30)));

        result[SessionStatus.Completed].Should().Be(new CostBreakdown(0.3m, 2));
        result[SessionStatus.Abandoned].Should().Be(new CostBreakdown(0m, 0));
    }

    [Test]
    public async Task ReadSessionsAsync_Range_ReturnsTheSessionsWithAllTheirSteps()
    {
        var t0 = UniqueEra();
        var other = NewId("user");
        await Store.RecordSessionStepAsync(Step("s1", "a", feature: "google_maps_autocomplete", at: t0));
        await Store.RecordSessionStepAsync(Step("s1", "b", feature: "google_maps_place_details", cost: 0.017m, at: t0.AddSeconds(5)));
        await Store.RecordSessionStepAsync(ForUser(other, Step("s2", "a", at: t0.AddMinutes(1))));
        await Store.RecordSessionStepAsync(Step("outside", "a", at: t0.AddDays(3)));

        var mine = await ToListAsync(Analytics.ReadSessionsAsync(new SessionRange(UserId, t0, t0.AddDays(1))));
        var everyone = await ToListAsync(Analytics.ReadSessionsAsync(new SessionRange(null, t0, t0.AddDays(1))));

        mine.Should().ContainSingle().Which.Steps.Select(s => s.Feature).Should().Equal("google_maps_autocomplete", "google_maps_place_details");
        everyone.Select(s => (s.UserId, s.SessionId)).Should().BeEquivalentTo([(UserId, "s1"), (other, "s2")]);
    }

    // ---------------------------------------------------------------- budgets

    [Test]
    public async Task TryReserveAsync_WithinAndBeyondTheLimit_AcceptsThenDeniesCountingSpendAndReservations()
    {
        var now = BaseTime;
        await Store.RecordOperationAsync(Operation("spent-api", cost: 0.40m, billable: true, at: now));
        await Store.RecordSessionStepAsync(Step("s", "spent-step", type: UsageType.AIUsage, cost: 0.10m, billable: true, at: now));

        var first = await Budgets.TryReserveAsync(Reservation("r1", 0.30m, now));
        var second = await Budgets.TryReserveAsync(Reservation("r2", 0.30m, now));
        var exact = await Budgets.TryReserveAsync(Reservation("r3", 0.20m, now));

        using (new AssertionScope())
        {
            first.Accepted.Should().BeTrue();
            first.Usage.Should().Be(new BudgetUsage(0.50m, 2, 0.30m, 1));
            second.Accepted.Should().BeFalse("0.50 spent + 0.30 reserved + 0.30 is over 1.00");
            second.Usage.Should().Be(new BudgetUsage(0.50m, 2, 0.30m, 1));
            exact.Accepted.Should().BeTrue("reaching the limit exactly is allowed");
        }

        (await Budgets.GetBudgetUsageAsync(UserId, BaseMonth, now)).Should().Be(new BudgetUsage(0.50m, 2, 0.50m, 2));
    }

    [Test]
    public async Task TryReserveAsync_RunLimit_IsHeldLikeTheCostLimit()
    {
        await Store.RecordOperationAsync(Operation("spent", cost: 0m, billable: true, at: BaseTime));

        var fits = await Budgets.TryReserveAsync(Reservation("r1", 0m, BaseTime, runs: 2, costLimit: null, runLimit: 3));
        var over = await Budgets.TryReserveAsync(Reservation("r2", 0m, BaseTime, runs: 1, costLimit: null, runLimit: 3));

        fits.Accepted.Should().BeTrue();
        over.Accepted.Should().BeFalse();
    }

    [Test]
    public async Task TryReserveAsync_ExpiredReservations_AreNotCounted()
    {
        var now = BaseTime;
        (await Budgets.TryReserveAsync(Reservation("r1", 0.90m, now, ttl: TimeSpan.FromMinutes(10)))).Accepted.Should().BeTrue();

        var blocked = await Budgets.TryReserveAsync(Reservation("r2", 0.20m, now.AddMinutes(5)));
        var later = await Budgets.TryReserveAsync(Reservation("r3", 0.20m, now.AddMinutes(10)));

        blocked.Accepted.Should().BeFalse();
        later.Accepted.Should().BeTrue("r1 expired at 10 minutes");
        (await Budgets.GetBudgetUsageAsync(UserId, BaseMonth, now.AddMinutes(10))).ReservedCost.Should().Be(0.20m);
    }

    [Test]
    public async Task ReleaseReservationAsync_ActiveReservation_FreesItOnce()
    {
        (await Budgets.TryReserveAsync(Reservation("r1", 1.00m, BaseTime))).Accepted.Should().BeTrue();

        (await Budgets.ReleaseReservationAsync(UserId, BaseMonth, "r1")).Should().BeTrue();
        (await Budgets.ReleaseReservationAsync(UserId, BaseMonth, "r1")).Should().BeFalse();
        (await Budgets.ReleaseReservationAsync(UserId, BaseMonth, "never")).Should().BeFalse();

        (await Budgets.GetBudgetUsageAsync(UserId, BaseMonth, BaseTime)).ReservedCost.Should().Be(0m);
        (await Budgets.TryReserveAsync(Reservation("r2", 1.00m, BaseTime))).Accepted.Should().BeTrue();
    }

    [Test]
    public async Task TryReserveAsync_SameReservationIdTwice_HoldsItOnce()
    {
        (await Budgets.TryReserveAsync(Reservation("r1", 0.10m, BaseTime))).Accepted.Should().BeTrue();
        (await Budgets.TryReserveAsync(Reservation("r1", 0.10m, BaseTime))).Accepted.Should().BeFalse();

        (await Budgets.GetBudgetUsageAsync(UserId, BaseMonth, BaseTime)).ReservedCost.Should().Be(0.10m);
    }

    [Test]
    public async Task TryReserveAsync_64ConcurrentReservations_NeverAcceptMoreThanTheLimit()
    {
        var results = await RaceAsync(64, i => Budgets.TryReserveAsync(Reservation($"r{i:D2}", 0.10m, BaseTime)));

        results.Count(r => r.Accepted).Should().Be(10, "a limit of 1.00 holds exactly ten reservations of 0.10");
        (await Budgets.GetBudgetUsageAsync(UserId, BaseMonth, BaseTime)).Should().Be(new BudgetUsage(0m, 0, 1.00m, 10));
    }

    [Test]
    public async Task TryMarkAlertAsync_RacingMarks_AcceptsExactlyOne()
    {
        var results = await RaceAsync(16, _ => Budgets.TryMarkAlertAsync(UserId, "2026-03.cost.80", BaseTime));

        results.Count(r => r).Should().Be(1);
        (await Budgets.TryMarkAlertAsync(UserId, "2026-03.cost.80", BaseTime)).Should().BeFalse();
        (await Budgets.TryMarkAlertAsync(UserId, "2026-03.cost.100", BaseTime)).Should().BeTrue();
        (await Budgets.TryMarkAlertAsync(NewId("user"), "2026-03.cost.80", BaseTime)).Should().BeTrue("alerts are per user");
    }

    // ---------------------------------------------------------------- session re-pricing

    [Test]
    public async Task RepriceSessionAsync_ClosedSession_KeepsOriginalCostsAndAppliedPricesAndMovesTotalsOnce()
    {
        await Store.RecordSessionStepAsync(Step("s", "ac1", cost: 0.00283m, at: BaseTime));
        await Store.RecordSessionStepAsync(Step("s", "ac2", cost: 0.00283m, at: BaseTime.AddSeconds(1)));
        await Store.RecordSessionStepAsync(Step("s", "pd", cost: 0.017m, feature: "google_maps_place_details", billable: true, at: BaseTime.AddSeconds(2)));
        await Store.RecordOperationAsync(Operation("standalone", cost: 1m, at: BaseTime));
        await Store.CloseSessionAsync(UserId, "s", SessionStatus.Completed, BaseTime.AddSeconds(3));
        var perRequest = new StepRepricing("ac2", 0m, ApiCosts.GoogleMaps.PlacesAutocomplete.Key, new DateOnly(2024, 11, 15));
        var repricing = new SessionRepricing("test-policy", [Free("ac1"), perRequest, Free("not-a-step")]);

        var applied = await Repricing.RepriceSessionAsync(new SessionKey(UserId, "s"), repricing, BaseTime.AddSeconds(4));
        var again = await Repricing.RepriceSessionAsync(new SessionKey(UserId, "s"), repricing, BaseTime.AddSeconds(5));

        applied.Should().BeTrue();
        again.Should().BeFalse();
        var session = await Store.GetSessionAsync(UserId, "s");
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            session!.TotalCost.Should().Be(0.017m);
            session.RepricedBy.Should().Be("test-policy");
            session.RepricedAt.Should().Be(BaseTime.AddSeconds(4));
            session.Steps.Select(s => (s.OperationId, s.Cost, s.OriginalCost)).Should().Equal(
                ("ac1", 0m, 0.00283m), ("ac2", 0m, 0.00283m), ("pd", 0.017m, (decimal?)null));
            session.Steps.Select(s => (s.OperationId, s.PriceKey, s.PriceEffectiveDate)).Should().Equal(
                ("ac1", ApiCosts.GoogleMaps.AutocompleteSessionUsage.Key, new DateOnly(2025, 3, 1)),
                ("ac2", ApiCosts.GoogleMaps.PlacesAutocomplete.Key, new DateOnly(2024, 11, 15)),
                ("pd", (string?)null, (DateOnly?)null));
            summary.TotalCost.Should().Be(1.017m);
            summary.SessionCost.Should().Be(0.017m);
            summary.OperationCount.Should().Be(4, "re-pricing moves costs, not counts");
            summary.ByFeature["google_maps_autocomplete"].Should().Be(new CostBreakdown(1m, 3));
            summary.ByFeature["google_maps_place_details"].Should().Be(new CostBreakdown(0.017m, 1));
            summary.ByProvider["google_maps"].Should().Be(new CostBreakdown(1.017m, 4));
            summary.ByDay[BaseTime.Day].Should().Be(new CostBreakdown(1.017m, 4));
        }
    }

    [Test]
    public async Task RepriceSessionAsync_InProgressOrUnknownSession_ChangesNothing()
    {
        await Store.RecordSessionStepAsync(Step("s", "ac1", cost: 0.00283m, at: BaseTime));
        var repricing = new SessionRepricing("test-policy", [Free("ac1")]);

        (await Repricing.RepriceSessionAsync(new SessionKey(UserId, "s"), repricing, BaseTime)).Should().BeFalse();
        (await Repricing.RepriceSessionAsync(new SessionKey(UserId, "missing"), repricing, BaseTime)).Should().BeFalse();

        (await Store.GetSessionAsync(UserId, "s"))!.TotalCost.Should().Be(0.00283m);
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(0.00283m);
    }

    [Test]
    public async Task RepriceSessionAsync_RacingCalls_ApplyExactlyOnce()
    {
        await Store.RecordSessionStepAsync(Step("s", "ac1", cost: 0.00283m, at: BaseTime));
        await Store.RecordSessionStepAsync(Step("s", "pd", cost: 0.017m, feature: "google_maps_place_details", at: BaseTime.AddSeconds(1)));
        await Store.CloseSessionAsync(UserId, "s", SessionStatus.Completed, BaseTime.AddSeconds(2));
        var repricing = new SessionRepricing("test-policy", [Free("ac1")]);

        var results = await RaceAsync(8, _ => Repricing.RepriceSessionAsync(new SessionKey(UserId, "s"), repricing, BaseTime.AddSeconds(3)));

        results.Count(r => r).Should().Be(1);
        (await Store.GetSessionAsync(UserId, "s"))!.TotalCost.Should().Be(0.017m);
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(0.017m);
    }

    // ---------------------------------------------------------------- helpers

    private static int s_era;

    /// <summary>A week of the running test's own (from 2031 on), far from other tests' data in a shared store.</summary>
    private static DateTimeOffset UniqueEra() =>
        new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(7 * Interlocked.Increment(ref s_era));

    private static SessionStepEntry ForUser(string userId, SessionStepEntry entry) => new()
    {
        UserId = userId,
        SessionId = entry.SessionId,
        SessionFeature = entry.SessionFeature,
        Step = entry.Step,
    };

    private static StepRepricing Free(string operationId) =>
        new(operationId, 0m, ApiCosts.GoogleMaps.AutocompleteSessionUsage.Key, new DateOnly(2025, 3, 1));

    private ReservationRequest Reservation(string id, decimal cost, DateTimeOffset now, long runs = 1, decimal? costLimit = 1.00m, long? runLimit = null, TimeSpan? ttl = null) => new()
    {
        UserId = UserId,
        Month = UsageMonth.FromTimestamp(now),
        ReservationId = id,
        Cost = cost,
        Runs = runs,
        CostLimit = costLimit,
        RunLimit = runLimit,
        Now = now,
        ExpiresAt = now + (ttl ?? TimeSpan.FromMinutes(10)),
    };

    private async Task<List<SessionKey>> ListAllIdleAsync(DateTimeOffset idleBefore, int pageSize)
    {
        var all = new List<SessionKey>();
        string? token = null;
        do
        {
            var page = await Maintenance.ListIdleSessionsAsync(idleBefore, pageSize, token);
            page.Items.Count.Should().BeLessThanOrEqualTo(pageSize);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }

    private static async Task<List<UsageSession>> ToListAsync(IAsyncEnumerable<UsageSession> sessions)
    {
        var list = new List<UsageSession>();
        await foreach (var session in sessions)
        {
            list.Add(session);
        }

        return list;
    }
}
