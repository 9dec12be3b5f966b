using System.Collections.Concurrent;
using CostTracking.Storage;
using FluentAssertions.Execution;

namespace CostTracking.Testing;

/// <summary>The contract every <see cref="IUsageStore"/> must pass unchanged: one test per clause of the store's XML remarks.</summary>
/// <remarks>
/// Subclass it in a test project and return a store from <see cref="CreateStoreAsync"/>. Each test uses a fresh, unique
/// user id, so one store instance (or one database) may be shared by all tests. Entries are built directly, the way the
/// trackers hand them over: timestamps in UTC truncated to whole microseconds, costs with at most 9 decimals, metadata
/// already normalized. Each test writes at most a few hundred records (times <see cref="ConcurrencyScale"/>).
/// </remarks>
[TestFixture]
public abstract class UsageStoreContractTests : StoreContractTestBase
{
    // ---------------------------------------------------------------- atomic: operation and summary together

    [Test]
    public async Task RecordOperationAsync_NewOperation_StoresItAndAddsItToItsMonthlySummary()
    {
        var metadata = new Dictionary<string, object?> { ["query"] = "pizza", ["results"] = 5L };
        var operation = Operation("op-1", cost: 0.00283m, feature: "places_autocomplete", provider: "google_maps", billable: true, metadata: metadata);

        var outcome = await Store.RecordOperationAsync(operation);

        outcome.Should().Be(RecordOutcome.Recorded);
        var listed = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items;
        listed.Should().ContainSingle();
        AssertSameOperation(listed[0], operation);

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.UserId.Should().Be(UserId);
            summary.UsageType.Should().Be(UsageType.ApiUsage);
            summary.Month.Should().Be(BaseMonth);
            summary.TotalCost.Should().Be(0.00283m);
            summary.OperationCount.Should().Be(1);
            summary.BillableRuns.Should().Be(1);
            summary.SessionCost.Should().Be(0m);
            summary.SessionOperationCount.Should().Be(0);
            summary.ByFeature.Should().Equal(new Dictionary<string, CostBreakdown> { ["places_autocomplete"] = new(0.00283m, 1) });
            summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown> { ["google_maps"] = new(0.00283m, 1) });
        }
    }

    [Test]
    public async Task RecordOperationAsync_ZeroCost_IsCountedWithoutCost()
    {
        (await Store.RecordOperationAsync(Operation("op-free", cost: 0m, feature: "neo4j_query", provider: "neo4j"))).Should().Be(RecordOutcome.Recorded);

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0m);
        summary.OperationCount.Should().Be(1);
        summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown> { ["neo4j"] = new(0m, 1) });
    }

    // ---------------------------------------------------------------- exactly once

    [Test]
    public async Task RecordOperationAsync_SameIdTwice_SecondIsAlreadyRecordedAndChangesNothing()
    {
        var first = Operation("op-dup", cost: 0.017m, feature: "place_details", billable: true);
        var retry = Operation("op-dup", cost: 5m, feature: "other_feature", provider: "other_provider", at: BaseTime.AddMinutes(1), billable: false);

        (await Store.RecordOperationAsync(first)).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordOperationAsync(retry)).Should().Be(RecordOutcome.AlreadyRecorded);
        (await Store.RecordOperationAsync(first)).Should().Be(RecordOutcome.AlreadyRecorded);

        var listed = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items;
        listed.Should().ContainSingle();
        AssertSameOperation(listed[0], first);
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0.017m);
        summary.OperationCount.Should().Be(1);
        summary.BillableRuns.Should().Be(1);
        summary.ByFeature.Keys.Should().Equal("place_details");
        summary.ByProvider.Keys.Should().Equal("google_maps");
    }

    [Test]
    public async Task RecordOperationAsync_SixteenRacingDuplicates_ExactlyOneIsRecorded()
    {
        var operation = Operation("op-race", cost: 0.00283m, billable: true);

        var outcomes = await RaceAsync(16, _ => Store.RecordOperationAsync(operation).AsTask());

        outcomes.Count(o => o == RecordOutcome.Recorded).Should().Be(1);
        outcomes.Count(o => o == RecordOutcome.AlreadyRecorded).Should().Be(15);
        (await ReadAllOperationsAsync(UsageType.ApiUsage)).Should().ContainSingle();
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0.00283m);
        summary.OperationCount.Should().Be(1);
        summary.BillableRuns.Should().Be(1);
    }

    [Test]
    public async Task RecordOperationAsync_SameIdForAnotherUser_IsRecordedForEachUser()
    {
        var otherUser = NewId("user");

        (await Store.RecordOperationAsync(Operation("op-shared", cost: 1m))).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordOperationAsync(Operation("op-shared", cost: 2m, userId: otherUser))).Should().Be(RecordOutcome.Recorded);

        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(1m);
        (await Store.GetMonthlySummaryAsync(otherUser, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(2m);
        (await Store.ListOperationsAsync(otherUser, UsageType.ApiUsage, new OperationQuery())).Items.Should().ContainSingle()
            .Which.Cost.Should().Be(2m);
    }

    [Test]
    public async Task RecordOperationAsync_SameIdAsApiAndAsAIUsage_KeepsTheUsageTypesApart()
    {
        var api = Operation("op-1", type: UsageType.ApiUsage, cost: 0.017m, feature: "place_details", provider: "google_maps");
        var ai = Operation("op-1", type: UsageType.AIUsage, cost: 0.0042m, feature: "summarize", provider: "openai", billable: true);

        (await Store.RecordOperationAsync(api)).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordOperationAsync(ai)).Should().Be(RecordOutcome.Recorded);

        var apiListed = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items;
        var aiListed = (await Store.ListOperationsAsync(UserId, UsageType.AIUsage, new OperationQuery())).Items;
        apiListed.Should().ContainSingle();
        AssertSameOperation(apiListed[0], api);
        aiListed.Should().ContainSingle();
        AssertSameOperation(aiListed[0], ai);

        var apiSummary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        var aiSummary = await Store.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, BaseMonth);
        apiSummary.UsageType.Should().Be(UsageType.ApiUsage);
        apiSummary.TotalCost.Should().Be(0.017m);
        apiSummary.OperationCount.Should().Be(1);
        apiSummary.BillableRuns.Should().Be(0);
        apiSummary.ByProvider.Keys.Should().Equal("google_maps");
        aiSummary.UsageType.Should().Be(UsageType.AIUsage);
        aiSummary.TotalCost.Should().Be(0.0042m);
        aiSummary.OperationCount.Should().Be(1);
        aiSummary.BillableRuns.Should().Be(1);
        aiSummary.ByProvider.Keys.Should().Equal("openai");
    }

    [Test]
    public async Task RecordSessionStepAsync_SameStepTwice_SecondIsAlreadyRecordedAndChangesNothing()
    {
        var first = Step("s-1", "step-1", cost: 0.00283m, billable: true);
        var retry = Step("s-1", "step-1", cost: 9m, feature: "other", at: BaseTime.AddSeconds(5));

        (await Store.RecordSessionStepAsync(first)).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordSessionStepAsync(retry)).Should().Be(RecordOutcome.AlreadyRecorded);

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session!.Steps.Should().ContainSingle();
        AssertSameStep(session.Steps[0], first.Step);
        session.TotalCost.Should().Be(0.00283m);
        session.TotalRuns.Should().Be(1);
        session.StepCount.Should().Be(1);
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0.00283m);
        summary.OperationCount.Should().Be(1);
        summary.SessionOperationCount.Should().Be(1);
    }

    [Test]
    public async Task RecordSessionStepAsync_SixteenRacingDuplicates_ExactlyOneIsRecorded()
    {
        var entry = Step("s-race", "step-race", cost: 0.017m);

        var outcomes = await RaceAsync(16, _ => Store.RecordSessionStepAsync(entry).AsTask());

        outcomes.Count(o => o == RecordOutcome.Recorded).Should().Be(1);
        var session = await Store.GetSessionAsync(UserId, "s-race");
        session!.Steps.Should().ContainSingle();
        session.TotalCost.Should().Be(0.017m);
        session.StepCount.Should().Be(1);
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.SessionCost.Should().Be(0.017m);
        summary.OperationCount.Should().Be(1);
    }

    [Test]
    public async Task RecordSessionStepAsync_SameStepIdInTwoSessions_IsRecordedInEach()
    {
        (await Store.RecordSessionStepAsync(Step("s-a", "step-1", cost: 1m))).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordSessionStepAsync(Step("s-b", "step-1", cost: 2m))).Should().Be(RecordOutcome.Recorded);

        (await Store.GetSessionAsync(UserId, "s-a"))!.TotalCost.Should().Be(1m);
        (await Store.GetSessionAsync(UserId, "s-b"))!.TotalCost.Should().Be(2m);
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).SessionCost.Should().Be(3m);
    }

    // ---------------------------------------------------------------- exact money

    [Test]
    public async Task RecordOperationAsync_ManySmallCosts_SumExactlyToTheNano()
    {
        var count = 100;
        await RunConcurrentlyAsync(4, count / 4, async (t, i) =>
        {
            await Store.RecordOperationAsync(Operation($"maps-{t}-{i}", cost: 0.00283m, feature: "autocomplete"));
            await Store.RecordOperationAsync(Operation($"nano-{t}-{i}", cost: 0.000000001m, feature: "nano"));
        });

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0.283000100m);
        summary.OperationCount.Should().Be(2 * count);
        summary.ByFeature["autocomplete"].Should().Be(new CostBreakdown(0.283m, count));
        summary.ByFeature["nano"].Should().Be(new CostBreakdown(0.0000001m, count));
    }

    [Test]
    public async Task RecordOperationAsync_LargeAndTinyCosts_SumWithoutLosingANano()
    {
        // Beyond 2^53 nano-dollars: a store summing in double would lose the last digits.
        (await Store.RecordOperationAsync(Operation("big", cost: 123_456_789.123456789m))).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordOperationAsync(Operation("max", cost: 9_999.999999999m))).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordOperationAsync(Operation("tiny", cost: 0.000000001m))).Should().Be(RecordOutcome.Recorded);

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(123_466_789.123456789m);
        var costs = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Select(o => o.Cost);
        costs.Should().BeEquivalentTo(new[] { 123_456_789.123456789m, 9_999.999999999m, 0.000000001m });
    }

    [Test]
    public async Task RecordSessionStepAsync_ManySmallCosts_SessionAndSummarySumExactly()
    {
        for (var i = 0; i < 50; i++)
        {
            await Store.RecordSessionStepAsync(Step("s-sum", $"a-{i}", cost: 0.00283m));
            await Store.RecordSessionStepAsync(Step("s-sum", $"b-{i}", cost: 0.000000001m));
        }

        var session = await Store.GetSessionAsync(UserId, "s-sum");
        session!.TotalCost.Should().Be(0.14150005m);
        session.StepCount.Should().Be(100);
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.TotalCost.Should().Be(0.14150005m);
        summary.SessionCost.Should().Be(0.14150005m);
    }

    // ---------------------------------------------------------------- concurrent writers

    [Test]
    public async Task RecordOperationAsync_ConcurrentDistinctWriters_LoseNoUpdate()
    {
        const int tasks = 8;
        var perTask = 25 * ConcurrencyScale;
        var total = tasks * perTask;

        await RunConcurrentlyAsync(tasks, perTask, async (t, i) =>
        {
            var outcome = await Store.RecordOperationAsync(Operation(
                $"op-{t:D2}-{i:D5}",
                cost: 0.00283m,
                feature: t % 2 == 0 ? "even" : "odd",
                provider: $"provider-{t % 4}",
                billable: i % 5 == 0,
                at: BaseTime.AddSeconds(i)));
            outcome.Should().Be(RecordOutcome.Recorded);
        });

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(total);
        summary.TotalCost.Should().Be(0.00283m * total);
        summary.BillableRuns.Should().Be(tasks * ((perTask + 4) / 5));
        summary.ByFeature["even"].Should().Be(new CostBreakdown(0.00283m * total / 2, total / 2));
        summary.ByFeature["odd"].Should().Be(new CostBreakdown(0.00283m * total / 2, total / 2));
        summary.ByProvider.Values.Sum(b => b.Count).Should().Be(total);
        summary.ByProvider.Values.Sum(b => b.Cost).Should().Be(0.00283m * total);
        var listed = await ReadAllOperationsAsync(UsageType.ApiUsage, pageSize: 100);
        listed.Select(o => o.OperationId).Should().OnlyHaveUniqueItems().And.HaveCount(total);
    }

    [Test]
    public async Task RecordSessionStepAsync_ConcurrentStepsOnOneSession_KeepEveryStepAndExactTotals()
    {
        const int tasks = 8;
        var perTask = 25 * ConcurrencyScale;
        var total = tasks * perTask;

        await RunConcurrentlyAsync(tasks, perTask, async (t, i) =>
        {
            var outcome = await Store.RecordSessionStepAsync(Step(
                "s-busy",
                $"step-{t:D2}-{i:D5}",
                cost: 0.00283m,
                billable: i % 5 == 0,
                type: t % 2 == 0 ? UsageType.ApiUsage : UsageType.AIUsage,
                at: BaseTime.AddSeconds(i)));
            outcome.Should().Be(RecordOutcome.Recorded);
        });

        var session = await Store.GetSessionAsync(UserId, "s-busy");
        session.Should().NotBeNull();
        session!.Steps.Select(s => s.OperationId).Should().OnlyHaveUniqueItems().And.HaveCount(total);
        session.StepCount.Should().Be(total);
        session.TotalCost.Should().Be(0.00283m * total);
        session.TotalRuns.Should().Be(tasks * ((perTask + 4) / 5));
        session.Status.Should().Be(SessionStatus.InProgress);
        var api = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        var ai = await Store.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, BaseMonth);
        api.SessionOperationCount.Should().Be(total / 2);
        api.SessionCost.Should().Be(0.00283m * total / 2);
        ai.SessionOperationCount.Should().Be(total / 2);
        ai.SessionCost.Should().Be(0.00283m * total / 2);
        (api.TotalCost + ai.TotalCost).Should().Be(session.TotalCost);
    }

    [Test]
    public async Task RecordAsync_ConcurrentOperationsAndStepsOfOneUser_AllLandInOneMonthlySummary()
    {
        const int tasks = 8;
        var perTask = 25 * ConcurrencyScale;

        await RunConcurrentlyAsync(tasks, perTask, async (t, i) =>
        {
            var outcome = t % 2 == 0
                ? await Store.RecordOperationAsync(Operation($"op-{t}-{i}", cost: 0.017m))
                : await Store.RecordSessionStepAsync(Step($"s-{t % 4}", $"step-{t}-{i}", cost: 0.017m));
            outcome.Should().Be(RecordOutcome.Recorded);
        });

        var total = tasks * perTask;
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(total);
        summary.TotalCost.Should().Be(0.017m * total);
        summary.SessionOperationCount.Should().Be(total / 2);
        summary.SessionCost.Should().Be(0.017m * total / 2);
        summary.StandaloneCost.Should().Be(0.017m * total / 2);
    }

    // ---------------------------------------------------------------- sessions

    [Test]
    public async Task RecordSessionStepAsync_FirstStep_CreatesAnInProgressSessionWithTheEntrysFeature()
    {
        var entry = Step("s-new", "step-1", cost: 0.00283m, feature: "google_maps_autocomplete", provider: "google_maps", sessionFeature: "maps_search", billable: true);

        (await Store.RecordSessionStepAsync(entry)).Should().Be(RecordOutcome.Recorded);

        var session = await Store.GetSessionAsync(UserId, "s-new");
        session.Should().NotBeNull();
        using (new AssertionScope())
        {
            session!.UserId.Should().Be(UserId);
            session.SessionId.Should().Be("s-new");
            session.Feature.Should().Be("maps_search");
            session.Status.Should().Be(SessionStatus.InProgress);
            session.CreatedAt.Should().Be(BaseTime);
            session.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
            session.LastUpdatedAt.Should().Be(BaseTime);
            session.CompletedAt.Should().BeNull();
            session.AbandonedAt.Should().BeNull();
            session.ClosedAt.Should().BeNull();
            session.TotalCost.Should().Be(0.00283m);
            session.TotalRuns.Should().Be(1);
            session.StepCount.Should().Be(1);
            session.Steps.Should().ContainSingle();
        }

        AssertSameStep(session!.Steps[0], entry.Step);
    }

    [Test]
    public async Task RecordSessionStepAsync_LaterSteps_KeepTheSessionsFeatureAndCreationTime()
    {
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", sessionFeature: "first_feature"));
        await Store.RecordSessionStepAsync(Step("s-1", "step-2", sessionFeature: "second_feature", at: BaseTime.AddMinutes(3)));

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session!.Feature.Should().Be("first_feature");
        session.CreatedAt.Should().Be(BaseTime);
        session.LastUpdatedAt.Should().Be(BaseTime.AddMinutes(3));
        session.StepCount.Should().Be(2);
    }

    [Test]
    public async Task RecordSessionStepAsync_Step_CountsInTheMonthlySummaryAsSessionCostAndIsNotAnOperation()
    {
        await Store.RecordOperationAsync(Operation("op-1", cost: 0.1m, feature: "standalone_feature", provider: "p1", billable: true));
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.02m, feature: "step_feature", provider: "p2", billable: true));
        await Store.RecordSessionStepAsync(Step("s-1", "step-2", cost: 0.003m, feature: "step_feature", provider: "p1"));

        var operations = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items;
        operations.Select(o => o.OperationId).Should().Equal("op-1");
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.TotalCost.Should().Be(0.123m);
            summary.OperationCount.Should().Be(3);
            summary.BillableRuns.Should().Be(2);
            summary.SessionCost.Should().Be(0.023m);
            summary.SessionOperationCount.Should().Be(2);
            summary.StandaloneCost.Should().Be(0.1m);
            summary.ByFeature.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["standalone_feature"] = new(0.1m, 1),
                ["step_feature"] = new(0.023m, 2),
            });
            summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["p1"] = new(0.103m, 2),
                ["p2"] = new(0.02m, 1),
            });
        }
    }

    [Test]
    public async Task CreateSessionAsync_NewThenExisting_ReturnsTrueThenFalseAndKeepsTheFirst()
    {
        (await Store.CreateSessionAsync(UserId, "s-1", "google_maps", BaseTime)).Should().BeTrue();
        (await Store.CreateSessionAsync(UserId, "s-1", "pinecone", BaseTime.AddHours(1))).Should().BeFalse();

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session.Should().NotBeNull();
        using (new AssertionScope())
        {
            session!.UserId.Should().Be(UserId);
            session.SessionId.Should().Be("s-1");
            session.Feature.Should().Be("google_maps");
            session.Status.Should().Be(SessionStatus.InProgress);
            session.CreatedAt.Should().Be(BaseTime);
            session.LastUpdatedAt.Should().Be(BaseTime);
            session.TotalCost.Should().Be(0m);
            session.TotalRuns.Should().Be(0);
            session.StepCount.Should().Be(0);
            session.Steps.Should().BeEmpty();
            session.ClosedAt.Should().BeNull();
        }
    }

    [Test]
    public async Task CreateSessionAsync_SessionCreatedByAStep_ReturnsFalseAndKeepsTheStep()
    {
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.5m));

        (await Store.CreateSessionAsync(UserId, "s-1", "other", BaseTime.AddHours(1))).Should().BeFalse();

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session!.StepCount.Should().Be(1);
        session.TotalCost.Should().Be(0.5m);
        session.Feature.Should().Be("google_maps");
    }

    [Test]
    public async Task CreateSessionAsync_Racing_ExactlyOneCreates()
    {
        var created = await RaceAsync(16, i => Store.CreateSessionAsync(UserId, "s-race", $"feature-{i}", BaseTime.AddSeconds(i)));

        created.Count(c => c).Should().Be(1);
        var winner = Array.IndexOf(created, true);
        var session = await Store.GetSessionAsync(UserId, "s-race");
        session!.Feature.Should().Be($"feature-{winner}");
        session.CreatedAt.Should().Be(BaseTime.AddSeconds(winner));
    }

    [Test]
    public async Task CreateSessionAsync_ThenSteps_AddsThemToTheCreatedSession()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.00283m, sessionFeature: "ignored", at: BaseTime.AddSeconds(1)));

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session!.Feature.Should().Be("maps_search");
        session.CreatedAt.Should().Be(BaseTime);
        session.LastUpdatedAt.Should().Be(BaseTime.AddSeconds(1));
        session.TotalCost.Should().Be(0.00283m);
    }

    [Test]
    public async Task RecordSessionStepAsync_ClosedSession_AppendsAndCountsTheStepAndKeepsTheStatus()
    {
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.00283m));
        var closedAt = BaseTime.AddMinutes(1);
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, closedAt);

        var late = Step("s-1", "step-late", cost: 0.017m, billable: true, at: BaseTime.AddMinutes(2));
        (await Store.RecordSessionStepAsync(late)).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordSessionStepAsync(late)).Should().Be(RecordOutcome.AlreadyRecorded);

        var session = await Store.GetSessionAsync(UserId, "s-1");
        using (new AssertionScope())
        {
            session!.Status.Should().Be(SessionStatus.Completed);
            session.CompletedAt.Should().Be(closedAt);
            session.AbandonedAt.Should().BeNull();
            session.Steps.Select(s => s.OperationId).Should().Equal("step-1", "step-late");
            session.StepCount.Should().Be(2);
            session.TotalCost.Should().Be(0.01983m);
            session.TotalRuns.Should().Be(1);
            session.StepsAfterClose.Select(s => s.OperationId).Should().Equal("step-late");
        }

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.SessionCost.Should().Be(0.01983m);
        summary.OperationCount.Should().Be(2);
    }

    [Test]
    public async Task RecordSessionStepAsync_AbandonedSession_AppendsAndCountsTheStepAndKeepsTheStatus()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Abandoned, BaseTime.AddMinutes(1));

        (await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.017m, at: BaseTime.AddMinutes(2)))).Should().Be(RecordOutcome.Recorded);

        var session = await Store.GetSessionAsync(UserId, "s-1");
        session!.Status.Should().Be(SessionStatus.Abandoned);
        session.AbandonedAt.Should().Be(BaseTime.AddMinutes(1));
        session.TotalCost.Should().Be(0.017m);
        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).SessionCost.Should().Be(0.017m);
    }

    [Test]
    public async Task CloseSessionAsync_Completed_SetsStatusCompletedAtAndLastUpdatedAt()
    {
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.017m));
        var closedAt = BaseTime.AddMinutes(5);

        var closed = await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, closedAt);

        closed.Should().NotBeNull();
        using (new AssertionScope())
        {
            closed!.Status.Should().Be(SessionStatus.Completed);
            closed.CompletedAt.Should().Be(closedAt);
            closed.AbandonedAt.Should().BeNull();
            closed.ClosedAt.Should().Be(closedAt);
            closed.LastUpdatedAt.Should().Be(closedAt);
            closed.Steps.Should().ContainSingle();
            closed.TotalCost.Should().Be(0.017m);
        }

        var read = await Store.GetSessionAsync(UserId, "s-1");
        read!.Status.Should().Be(SessionStatus.Completed);
        read.CompletedAt.Should().Be(closedAt);
    }

    [Test]
    public async Task CloseSessionAsync_Abandoned_SetsStatusAndAbandonedAt()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);
        var closedAt = BaseTime.AddHours(2);

        var closed = await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Abandoned, closedAt);

        closed!.Status.Should().Be(SessionStatus.Abandoned);
        closed.AbandonedAt.Should().Be(closedAt);
        closed.CompletedAt.Should().BeNull();
        closed.ClosedAt.Should().Be(closedAt);
    }

    [Test]
    public async Task CloseSessionAsync_CompletedThenAbandoned_StaysCompleted()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, BaseTime.AddMinutes(1));

        var second = await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Abandoned, BaseTime.AddMinutes(2));

        second!.Status.Should().Be(SessionStatus.Completed);
        second.CompletedAt.Should().Be(BaseTime.AddMinutes(1));
        second.AbandonedAt.Should().BeNull();
        second.LastUpdatedAt.Should().Be(BaseTime.AddMinutes(1));
        var read = await Store.GetSessionAsync(UserId, "s-1");
        read!.Status.Should().Be(SessionStatus.Completed);
        read.AbandonedAt.Should().BeNull();
    }

    [Test]
    public async Task CloseSessionAsync_CompletedTwice_KeepsTheFirstCompletionTime()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, BaseTime.AddMinutes(1));

        var second = await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, BaseTime.AddMinutes(9));

        second!.CompletedAt.Should().Be(BaseTime.AddMinutes(1));
    }

    [Test]
    public async Task CloseSessionAsync_RacingCompleteAndAbandon_OneCloseWinsEverywhere()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);

        var results = await RaceAsync(16, i => Store.CloseSessionAsync(
            UserId, "s-1", i % 2 == 0 ? SessionStatus.Completed : SessionStatus.Abandoned, BaseTime.AddSeconds(i + 1)));

        var read = await Store.GetSessionAsync(UserId, "s-1");
        read!.Status.Should().NotBe(SessionStatus.InProgress);
        (read.CompletedAt is null).Should().NotBe(read.AbandonedAt is null, "a session is never both completed and abandoned");
        results.Should().AllSatisfy(r =>
        {
            r!.Status.Should().Be(read.Status);
            r.ClosedAt.Should().Be(read.ClosedAt);
        });
    }

    [Test]
    public async Task CloseSessionAsync_UnknownSession_ReturnsNullAndCreatesNothing()
    {
        (await Store.CloseSessionAsync(UserId, "s-missing", SessionStatus.Completed, BaseTime)).Should().BeNull();

        (await Store.GetSessionAsync(UserId, "s-missing")).Should().BeNull();
        (await Store.ListSessionsAsync(UserId, new SessionQuery())).Items.Should().BeEmpty();
    }

    [Test]
    public async Task GetSessionAsync_UnknownSessionOrUser_ReturnsNull()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps_search", BaseTime);

        (await Store.GetSessionAsync(UserId, "s-2")).Should().BeNull();
        (await Store.GetSessionAsync(NewId("user"), "s-1")).Should().BeNull();
    }

    [Test]
    public async Task GetSessionAsync_Steps_ComeBackInAppendOrderWithEveryField()
    {
        var metadata = RichMetadata();
        var entries = new[]
        {
            Step("s-1", "step-c", type: UsageType.ApiUsage, feature: "google_maps_autocomplete", provider: "google_maps", cost: 0.00283m, billable: false, at: BaseTime, metadata: metadata),
            // Appended later with an earlier timestamp: order is the order of appending, not of time.
            Step("s-1", "step-a", type: UsageType.AIUsage, feature: "rank_results", provider: "openai", cost: 0.000123456m, billable: true, at: BaseTime.AddTicks(-10)),
            Step("s-1", "step-b", type: UsageType.ApiUsage, feature: "google_maps_place_details", provider: "google_maps", cost: 0.017m, billable: true, at: BaseTime.AddSeconds(30).AddTicks(999_990)),
        };
        foreach (var entry in entries)
        {
            (await Store.RecordSessionStepAsync(entry)).Should().Be(RecordOutcome.Recorded);
        }

        var session = await Store.GetSessionAsync(UserId, "s-1");

        session!.Steps.Select(s => s.OperationId).Should().Equal("step-c", "step-a", "step-b");
        for (var i = 0; i < entries.Length; i++)
        {
            AssertSameStep(session.Steps[i], entries[i].Step);
        }

        session.TotalCost.Should().Be(0.019953456m);
        session.TotalRuns.Should().Be(2);
        session.StepCount.Should().Be(3);
    }

    // ---------------------------------------------------------------- metadata and timestamps round-trip

    [Test]
    public async Task RecordOperationAsync_MetadataOfEveryNormalizedType_RoundTrips()
    {
        var operation = Operation("op-meta", metadata: RichMetadata());

        await Store.RecordOperationAsync(operation);

        var read = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Single();
        MetadataAssert.Equivalent(read.Metadata, operation.Metadata);
    }

    [Test]
    public async Task RecordSessionStepAsync_MetadataOfEveryNormalizedType_RoundTrips()
    {
        var entry = Step("s-1", "step-meta", metadata: RichMetadata());

        await Store.RecordSessionStepAsync(entry);

        var read = (await Store.GetSessionAsync(UserId, "s-1"))!.Steps.Single();
        MetadataAssert.Equivalent(read.Metadata, entry.Step.Metadata);
    }

    [Test]
    public async Task RecordOperationAsync_NonFiniteDoubles_RoundTrip()
    {
        var metadata = new Dictionary<string, object?>
        {
            ["nan"] = double.NaN,
            ["positive_infinity"] = double.PositiveInfinity,
            ["negative_infinity"] = double.NegativeInfinity,
            ["epsilon"] = double.Epsilon,
        };

        await Store.RecordOperationAsync(Operation("op-doubles", metadata: metadata));

        var read = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Single();
        MetadataAssert.Equivalent(read.Metadata, metadata);
    }

    [Test]
    public async Task RecordAsync_NoMetadata_ReadsBackAsAnEmptyMap()
    {
        await Store.RecordOperationAsync(Operation("op-1"));
        await Store.RecordSessionStepAsync(Step("s-1", "step-1"));

        (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Single().Metadata.Should().NotBeNull().And.BeEmpty();
        (await Store.GetSessionAsync(UserId, "s-1"))!.Steps.Single().Metadata.Should().NotBeNull().And.BeEmpty();
    }

    [Test]
    public async Task RecordAsync_MicrosecondTimestamps_RoundTripExactlyInUtc()
    {
        var at = new DateTimeOffset(2026, 7, 4, 23, 59, 58, TimeSpan.Zero).AddTicks(9_999_990);
        await Store.RecordOperationAsync(Operation("op-1", at: at));
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", at: at));
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, at.AddTicks(10));

        var operation = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Single();
        var session = await Store.GetSessionAsync(UserId, "s-1");
        var listedSession = (await Store.ListSessionsAsync(UserId, new SessionQuery())).Items.Single();

        using (new AssertionScope())
        {
            operation.Timestamp.Should().Be(at);
            operation.Timestamp.Offset.Should().Be(TimeSpan.Zero);
            operation.Timestamp.UtcTicks.Should().Be(at.UtcTicks);
            session!.Steps.Single().Timestamp.UtcTicks.Should().Be(at.UtcTicks);
            session.Steps.Single().Timestamp.Offset.Should().Be(TimeSpan.Zero);
            session.CreatedAt.UtcTicks.Should().Be(at.UtcTicks);
            session.CompletedAt!.Value.UtcTicks.Should().Be(at.AddTicks(10).UtcTicks);
            session.CompletedAt.Value.Offset.Should().Be(TimeSpan.Zero);
            listedSession.CreatedAt.UtcTicks.Should().Be(at.UtcTicks);
            listedSession.CompletedAt!.Value.UtcTicks.Should().Be(at.AddTicks(10).UtcTicks);
        }
    }

    // ---------------------------------------------------------------- monthly summaries

    [Test]
    public async Task GetMonthlySummaryAsync_NoUsage_ReturnsAnEmptySummary()
    {
        await Store.RecordOperationAsync(Operation("op-other-month", at: new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)));

        foreach (var user in new[] { UserId, NewId("user") })
        {
            var summary = await Store.GetMonthlySummaryAsync(user, UsageType.AIUsage, BaseMonth);
            using (new AssertionScope())
            {
                summary.UserId.Should().Be(user);
                summary.UsageType.Should().Be(UsageType.AIUsage);
                summary.Month.Should().Be(BaseMonth);
                summary.TotalCost.Should().Be(0m);
                summary.OperationCount.Should().Be(0);
                summary.BillableRuns.Should().Be(0);
                summary.SessionCost.Should().Be(0m);
                summary.SessionOperationCount.Should().Be(0);
                summary.ByFeature.Should().BeEmpty();
                summary.ByProvider.Should().BeEmpty();
            }
        }

        (await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(0);
    }

    [Test]
    public async Task GetMonthlySummaryAsync_LastMicrosecondOfDecemberAndFirstOfJanuary_FallInTheirOwnMonths()
    {
        var lastOfDecember = new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990);
        var firstOfJanuary = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await Store.RecordOperationAsync(Operation("op-dec", cost: 1m, at: lastOfDecember));
        await Store.RecordOperationAsync(Operation("op-jan", cost: 2m, at: firstOfJanuary));
        await Store.RecordSessionStepAsync(Step("s-1", "step-dec", cost: 0.1m, at: lastOfDecember));
        await Store.RecordSessionStepAsync(Step("s-1", "step-jan", cost: 0.2m, at: firstOfJanuary));

        var december = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, new UsageMonth(2025, 12));
        var january = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, new UsageMonth(2026, 1));
        december.TotalCost.Should().Be(1.1m);
        december.OperationCount.Should().Be(2);
        december.SessionCost.Should().Be(0.1m);
        january.TotalCost.Should().Be(2.2m);
        january.OperationCount.Should().Be(2);
        january.SessionCost.Should().Be(0.2m);
        (await Store.GetSessionAsync(UserId, "s-1"))!.TotalCost.Should().Be(0.3m);
    }

    [Test]
    public async Task GetMonthlySummaryAsync_ManyFeaturesAndProviders_BreaksCostAndCountDownByEach()
    {
        await Store.RecordOperationAsync(Operation("o1", type: UsageType.AIUsage, cost: 0.0025m, feature: "summarize", provider: "openai", billable: true));
        await Store.RecordOperationAsync(Operation("o2", type: UsageType.AIUsage, cost: 0.0035m, feature: "summarize", provider: "anthropic", billable: true));
        await Store.RecordOperationAsync(Operation("o3", type: UsageType.AIUsage, cost: 0.01m, feature: "classify", provider: "openai"));
        await Store.RecordSessionStepAsync(Step("s-1", "st1", type: UsageType.AIUsage, cost: 0.000001m, feature: "classify", provider: "google"));
        await Store.RecordOperationAsync(Operation("o4", type: UsageType.ApiUsage, cost: 7m, feature: "summarize", provider: "openai"));

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, BaseMonth);

        using (new AssertionScope())
        {
            summary.TotalCost.Should().Be(0.016001m);
            summary.OperationCount.Should().Be(4);
            summary.BillableRuns.Should().Be(2);
            summary.SessionCost.Should().Be(0.000001m);
            summary.SessionOperationCount.Should().Be(1);
            summary.ByFeature.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["summarize"] = new(0.006m, 2),
                ["classify"] = new(0.010001m, 2),
            });
            summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["openai"] = new(0.0125m, 2),
                ["anthropic"] = new(0.0035m, 1),
                ["google"] = new(0.000001m, 1),
            });
        }
    }

    [Test]
    public async Task GetMonthlySummaryAsync_FeatureAndProviderNamesWithPathCharacters_AreKeptAsTheyAre()
    {
        await Store.RecordOperationAsync(Operation("o1", cost: 1m, feature: "maps.autocomplete v2", provider: "google maps"));
        await Store.RecordOperationAsync(Operation("o2", cost: 2m, feature: "café-☕", provider: "a.b.c"));
        await Store.RecordSessionStepAsync(Step("s-1", "st1", cost: 3m, feature: "tick`back\\slash", provider: "1234"));
        await Store.RecordOperationAsync(Operation("o3", cost: 4m, feature: "tick`back\\slash", provider: "[x]*~"));

        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);

        summary.ByFeature.Should().Equal(new Dictionary<string, CostBreakdown>
        {
            ["maps.autocomplete v2"] = new(1m, 1),
            ["café-☕"] = new(2m, 1),
            ["tick`back\\slash"] = new(7m, 2),
        });
        summary.ByProvider.Keys.Should().BeEquivalentTo("google maps", "a.b.c", "1234", "[x]*~");
    }

    // ---------------------------------------------------------------- listings

    [Test]
    public async Task ListOperationsAsync_OperationsInAnyOrder_AreListedNewestFirstThenByIdDescending()
    {
        var recorded = new List<UsageOperation>();
        var shuffled = new[] { 3, 0, 4, 1, 2, 5 };
        foreach (var i in shuffled)
        {
            // Pairs share a timestamp, so the id decides between them.
            var op = Operation($"op-{(char)('a' + i)}", at: BaseTime.AddSeconds(i / 2));
            recorded.Add(op);
            await Store.RecordOperationAsync(op);
        }

        var listed = (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items;

        listed.Select(o => o.OperationId).Should().Equal("op-f", "op-e", "op-d", "op-c", "op-b", "op-a");
    }

    [Test]
    public async Task ListOperationsAsync_Paged_ReturnsEveryOperationOnceInOrder()
    {
        var expected = await RecordOperationsForPagingAsync(23);

        foreach (var pageSize in new[] { 1, 5, 23, 50 })
        {
            var pages = await ReadOperationPagesAsync(UsageType.ApiUsage, pageSize);
            pages.Should().AllSatisfy(p => p.Count.Should().BeLessThanOrEqualTo(pageSize));
            pages.SelectMany(p => p).Select(o => o.OperationId).Should().Equal(expected, "page size {0} must neither repeat nor skip", pageSize);
        }
    }

    [Test]
    public async Task ListOperationsAsync_LastPage_HasNoContinuationToken()
    {
        await RecordOperationsForPagingAsync(4);

        var page = await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery { PageSize = 10 });

        page.Items.Should().HaveCount(4);
        page.ContinuationToken.Should().BeNull();
        var empty = await Store.ListOperationsAsync(NewId("user"), UsageType.ApiUsage, new OperationQuery());
        empty.Items.Should().BeEmpty();
        empty.ContinuationToken.Should().BeNull();
    }

    [Test]
    public async Task ListOperationsAsync_WritesBetweenPages_NeitherRepeatNorSkipWhatExisted()
    {
        var expected = await RecordOperationsForPagingAsync(12);
        var seen = new List<string>();
        var page = await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery { PageSize = 5 });
        seen.AddRange(page.Items.Select(o => o.OperationId));

        // A newer, an older and a same-time operation arrive while the caller pages.
        await Store.RecordOperationAsync(Operation("zz-newest", at: BaseTime.AddHours(1)));
        await Store.RecordOperationAsync(Operation("aa-oldest", at: BaseTime.AddHours(-1)));
        await Store.RecordOperationAsync(Operation("op-05x", at: BaseTime.AddSeconds(2)));
        for (var guard = 0; page.ContinuationToken is not null; guard++)
        {
            guard.Should().BeLessThan(10, "the listing must end");
            page = await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery { PageSize = 5, ContinuationToken = page.ContinuationToken });
            seen.AddRange(page.Items.Select(o => o.OperationId));
        }

        seen.Should().OnlyHaveUniqueItems();
        seen.Should().Contain(expected);
        seen.Where(expected.Contains).Should().Equal(expected, "what existed keeps its order");
    }

    [Test]
    public async Task ListSessionsAsync_Sessions_AreListedNewestFirstThenByIdDescending()
    {
        await Store.CreateSessionAsync(UserId, "s-b", "maps", BaseTime);
        await Store.RecordSessionStepAsync(Step("s-c", "step-1", at: BaseTime.AddMinutes(2)));
        await Store.CreateSessionAsync(UserId, "s-a", "maps", BaseTime);
        await Store.CreateSessionAsync(UserId, "s-d", "maps", BaseTime.AddMinutes(-1));
        await Store.CreateSessionAsync(UserId, "s-c2", "maps", BaseTime.AddMinutes(2));

        var listed = (await Store.ListSessionsAsync(UserId, new SessionQuery())).Items;

        listed.Select(s => s.SessionId).Should().Equal("s-c2", "s-c", "s-b", "s-a", "s-d");
    }

    [Test]
    public async Task ListSessionsAsync_Summary_CarriesTheSessionsHeaderWithoutSteps()
    {
        await Store.RecordSessionStepAsync(Step("s-1", "step-1", cost: 0.00283m, billable: true, sessionFeature: "maps_search"));
        await Store.RecordSessionStepAsync(Step("s-1", "step-2", cost: 0.017m, billable: true, at: BaseTime.AddSeconds(10)));
        await Store.CloseSessionAsync(UserId, "s-1", SessionStatus.Completed, BaseTime.AddSeconds(11));

        var listed = (await Store.ListSessionsAsync(UserId, new SessionQuery())).Items.Single();

        using (new AssertionScope())
        {
            listed.UserId.Should().Be(UserId);
            listed.SessionId.Should().Be("s-1");
            listed.Feature.Should().Be("maps_search");
            listed.Status.Should().Be(SessionStatus.Completed);
            listed.TotalCost.Should().Be(0.01983m);
            listed.TotalRuns.Should().Be(2);
            listed.StepCount.Should().Be(2);
            listed.CreatedAt.Should().Be(BaseTime);
            listed.LastUpdatedAt.Should().Be(BaseTime.AddSeconds(11));
            listed.CompletedAt.Should().Be(BaseTime.AddSeconds(11));
            listed.AbandonedAt.Should().BeNull();
        }
    }

    [Test]
    public async Task ListSessionsAsync_StatusAndFeatureFilters_ReturnOnlyMatchingSessions()
    {
        await CreateSessionAsync("s-1", "google_maps", 1, null);
        await CreateSessionAsync("s-2", "google_maps", 2, SessionStatus.Completed);
        await CreateSessionAsync("s-3", "google_maps", 3, SessionStatus.Abandoned);
        await CreateSessionAsync("s-4", "pinecone", 4, null);
        await CreateSessionAsync("s-5", "pinecone", 5, SessionStatus.Completed);
        await CreateSessionAsync("s-6", "google_maps", 6, null);

        async Task<IEnumerable<string>> ListAsync(SessionStatus? status, string? feature) =>
            (await ReadAllSessionsAsync(new SessionQuery { Status = status, Feature = feature, PageSize = 2 })).Select(s => s.SessionId);

        (await ListAsync(null, null)).Should().Equal("s-6", "s-5", "s-4", "s-3", "s-2", "s-1");
        (await ListAsync(SessionStatus.InProgress, null)).Should().Equal("s-6", "s-4", "s-1");
        (await ListAsync(SessionStatus.Completed, null)).Should().Equal("s-5", "s-2");
        (await ListAsync(SessionStatus.Abandoned, null)).Should().Equal("s-3");
        (await ListAsync(null, "google_maps")).Should().Equal("s-6", "s-3", "s-2", "s-1");
        (await ListAsync(SessionStatus.InProgress, "google_maps")).Should().Equal("s-6", "s-1");
        (await ListAsync(SessionStatus.Completed, "pinecone")).Should().Equal("s-5");
        (await ListAsync(SessionStatus.Abandoned, "pinecone")).Should().BeEmpty();
        (await ListAsync(null, "unknown_feature")).Should().BeEmpty();
    }

    [Test]
    public async Task ListSessionsAsync_Paged_ReturnsEverySessionOnceInOrder()
    {
        var expected = new List<string>();
        for (var i = 0; i < 11; i++)
        {
            // Three sessions per instant, so pages cut through ties.
            await Store.CreateSessionAsync(UserId, $"s-{i:D2}", "maps", BaseTime.AddSeconds(i / 3));
        }

        expected.AddRange(Enumerable.Range(0, 11).Reverse().Select(i => $"s-{i:D2}"));
        foreach (var pageSize in new[] { 1, 2, 3, 4, 11, 12 })
        {
            var listed = await ReadAllSessionsAsync(new SessionQuery { PageSize = pageSize });
            listed.Select(s => s.SessionId).Should().Equal(expected, "page size {0} must neither repeat nor skip", pageSize);
        }
    }

    [Test]
    public async Task ListSessionsAsync_UnknownUser_ReturnsAnEmptyLastPage()
    {
        var page = await Store.ListSessionsAsync(NewId("user"), new SessionQuery());

        page.Items.Should().BeEmpty();
        page.ContinuationToken.Should().BeNull();
    }

    [TestCase("garbage")]
    [TestCase("!!!not base64!!!")]
    [TestCase("bm90LWEtdG9rZW4=")]
    [TestCase("")]
    public async Task ListAsync_ContinuationTokenTheStoreDidNotIssue_ThrowsArgumentException(string token)
    {
        await RecordOperationsForPagingAsync(3);
        await Store.CreateSessionAsync(UserId, "s-1", "maps", BaseTime);

        var listOperations = async () => await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery { ContinuationToken = token });
        var listSessions = async () => await Store.ListSessionsAsync(UserId, new SessionQuery { ContinuationToken = token });

        await listOperations.Should().ThrowAsync<ArgumentException>();
        await listSessions.Should().ThrowAsync<ArgumentException>();
    }

    // ---------------------------------------------------------------- cancellation

    [Test]
    public async Task Writes_PreCancelledToken_ThrowOperationCanceledAndWriteNothing()
    {
        await Store.CreateSessionAsync(UserId, "s-open", "maps", BaseTime);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var record = async () => await Store.RecordOperationAsync(Operation("op-1"), cts.Token);
        var step = async () => await Store.RecordSessionStepAsync(Step("s-new", "step-1"), cts.Token);
        var stepIntoExisting = async () => await Store.RecordSessionStepAsync(Step("s-open", "step-1"), cts.Token);
        var create = async () => await Store.CreateSessionAsync(UserId, "s-created", "maps", BaseTime, cts.Token);
        var close = async () => await Store.CloseSessionAsync(UserId, "s-open", SessionStatus.Completed, BaseTime, cts.Token);

        await record.Should().ThrowAsync<OperationCanceledException>();
        await step.Should().ThrowAsync<OperationCanceledException>();
        await stepIntoExisting.Should().ThrowAsync<OperationCanceledException>();
        await create.Should().ThrowAsync<OperationCanceledException>();
        await close.Should().ThrowAsync<OperationCanceledException>();

        (await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery())).Items.Should().BeEmpty();
        (await Store.GetSessionAsync(UserId, "s-new")).Should().BeNull();
        (await Store.GetSessionAsync(UserId, "s-created")).Should().BeNull();
        var open = await Store.GetSessionAsync(UserId, "s-open");
        open!.Status.Should().Be(SessionStatus.InProgress);
        open.Steps.Should().BeEmpty();
        var summary = await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(0);
        summary.TotalCost.Should().Be(0m);

        // The same calls without the cancelled token go through: nothing was half-written that blocks them.
        (await Store.RecordOperationAsync(Operation("op-1"))).Should().Be(RecordOutcome.Recorded);
        (await Store.RecordSessionStepAsync(Step("s-open", "step-1"))).Should().Be(RecordOutcome.Recorded);
    }

    [Test]
    public async Task Reads_PreCancelledToken_ThrowOperationCanceled()
    {
        await Store.CreateSessionAsync(UserId, "s-1", "maps", BaseTime);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(async () => await Store.GetSessionAsync(UserId, "s-1", cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.ListSessionsAsync(UserId, new SessionQuery(), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, BaseMonth, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await Store.ListOperationsAsync(UserId, UsageType.ApiUsage, new OperationQuery(), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Reads every standalone operation of the running test's user, following continuation tokens.</summary>
    /// <returns>The operations, newest first.</returns>
    protected async Task<List<UsageOperation>> ReadAllOperationsAsync(UsageType type, int pageSize = 100) =>
        (await ReadOperationPagesAsync(type, pageSize).ConfigureAwait(false)).SelectMany(p => p).ToList();

    /// <summary>Reads every session of the running test's user, following continuation tokens.</summary>
    /// <returns>The sessions, newest first.</returns>
    protected async Task<List<UsageSessionSummary>> ReadAllSessionsAsync(SessionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var all = new List<UsageSessionSummary>();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        var page = await Store.ListSessionsAsync(UserId, query).ConfigureAwait(false);
        all.AddRange(page.Items);
        while (page.ContinuationToken is { } token)
        {
            seenTokens.Add(token).Should().BeTrue("a continuation token must move the listing on");
            page.Items.Should().NotBeEmpty("a page with a continuation token holds items");
            page = await Store.ListSessionsAsync(UserId, query with { ContinuationToken = token }).ConfigureAwait(false);
            all.AddRange(page.Items);
        }

        return all;
    }

    private async Task<List<IReadOnlyList<UsageOperation>>> ReadOperationPagesAsync(UsageType type, int pageSize)
    {
        var pages = new List<IReadOnlyList<UsageOperation>>();
        var seenTokens = new HashSet<string>(StringComparer.Ordinal);
        var page = await Store.ListOperationsAsync(UserId, type, new OperationQuery { PageSize = pageSize }).ConfigureAwait(false);
        pages.Add(page.Items);
        while (page.ContinuationToken is { } token)
        {
            seenTokens.Add(token).Should().BeTrue("a continuation token must move the listing on");
            page.Items.Should().NotBeEmpty("a page with a continuation token holds items");
            page = await Store.ListOperationsAsync(UserId, type, new OperationQuery { PageSize = pageSize, ContinuationToken = token }).ConfigureAwait(false);
            pages.Add(page.Items);
        }

        return pages;
    }

    /// <summary>Records operations whose timestamps repeat in threes; returns their ids newest first.</summary>
    private async Task<List<string>> RecordOperationsForPagingAsync(int count)
    {
        var order = Enumerable.Range(0, count).OrderBy(i => (i * 7) % count).ToList();
        foreach (var i in order)
        {
            await Store.RecordOperationAsync(Operation($"op-{i:D2}", at: BaseTime.AddSeconds(i / 3))).ConfigureAwait(false);
        }

        return Enumerable.Range(0, count).Reverse().Select(i => $"op-{i:D2}").ToList();
    }

    private async Task CreateSessionAsync(string sessionId, string feature, int minute, SessionStatus? close)
    {
        await Store.CreateSessionAsync(UserId, sessionId, feature, BaseTime.AddMinutes(minute)).ConfigureAwait(false);
        if (close is { } status)
        {
            await Store.CloseSessionAsync(UserId, sessionId, status, BaseTime.AddMinutes(minute).AddSeconds(30)).ConfigureAwait(false);
        }
    }

    private static void AssertSameOperation(UsageOperation actual, UsageOperation expected)
    {
        using (new AssertionScope())
        {
            actual.OperationId.Should().Be(expected.OperationId);
            actual.UserId.Should().Be(expected.UserId);
            actual.UsageType.Should().Be(expected.UsageType);
            actual.Feature.Should().Be(expected.Feature);
            actual.Provider.Should().Be(expected.Provider);
            actual.Cost.Should().Be(expected.Cost);
            actual.IsBillableRun.Should().Be(expected.IsBillableRun);
            actual.Timestamp.UtcTicks.Should().Be(expected.Timestamp.UtcTicks);
            actual.Timestamp.Offset.Should().Be(TimeSpan.Zero);
        }

        MetadataAssert.Equivalent(actual.Metadata, expected.Metadata);
    }

    private static void AssertSameStep(SessionStep actual, SessionStep expected)
    {
        using (new AssertionScope())
        {
            actual.OperationId.Should().Be(expected.OperationId);
            actual.UsageType.Should().Be(expected.UsageType);
            actual.Feature.Should().Be(expected.Feature);
            actual.Provider.Should().Be(expected.Provider);
            actual.Cost.Should().Be(expected.Cost);
            actual.IsBillableRun.Should().Be(expected.IsBillableRun);
            actual.Timestamp.UtcTicks.Should().Be(expected.Timestamp.UtcTicks);
            actual.Timestamp.Offset.Should().Be(TimeSpan.Zero);
        }

        MetadataAssert.Equivalent(actual.Metadata, expected.Metadata);
    }
}
