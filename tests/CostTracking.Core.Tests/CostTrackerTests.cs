using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Testing;
using FluentAssertions.Execution;

namespace CostTracking.Tests;

public sealed partial class CostTrackerTests
{
    private CostTrackingHarness _harness = null!;
    private string _userId = null!;

    private ICostTracker Tracker => _harness.Tracker;

    [SetUp]
    public void SetUp()
    {
        _harness = CostTrackingHarness.Create();
        _userId = CostTrackingHarness.NewUserId();
    }

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public async Task RecordUsageAsync_WithoutSessionId_StoresAStandaloneOperationAndCountsItInTheMonth()
    {
        var result = await Tracker.RecordUsageAsync(Record(cost: ApiCosts.GoogleMaps.PlaceDetails.PerRequest, feature: "place_details", billable: true, operationId: "op-1"));

        result.Should().Be(new RecordUsageResult("op-1", RecordOutcome.Recorded));
        var operation = (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items.Should().ContainSingle().Subject;
        using (new AssertionScope())
        {
            operation.OperationId.Should().Be("op-1");
            operation.UserId.Should().Be(_userId);
            operation.UsageType.Should().Be(UsageType.ApiUsage);
            operation.Feature.Should().Be("place_details");
            operation.Provider.Should().Be("google_maps");
            operation.Cost.Should().Be(0.017m);
            operation.IsBillableRun.Should().BeTrue();
            operation.Timestamp.Should().Be(Microseconds(CostTrackingHarness.DefaultStart));
        }

        var summary = await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.TotalCost.Should().Be(0.017m);
        summary.OperationCount.Should().Be(1);
        summary.BillableRuns.Should().Be(1);
        summary.SessionCost.Should().Be(0m);
        summary.StandaloneCost.Should().Be(0.017m);
        (await Tracker.GetUserSessionsAsync(_userId)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task RecordUsageAsync_WithSessionId_IsAStepOnlyButCountsInTheMonthAsSessionCost()
    {
        await Tracker.RecordUsageAsync(Record(cost: 0.00283m, feature: "google_maps_autocomplete", sessionId: "search-1", operationId: "step-1"));
        await Tracker.RecordUsageAsync(Record(cost: 0.017m, feature: "google_maps_place_details", sessionId: "search-1", operationId: "step-2", billable: true));
        await Tracker.RecordUsageAsync(Record(cost: 0.5m, feature: "standalone", operationId: "op-1"));

        var operations = (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items;
        operations.Select(o => o.OperationId).Should().Equal(new[] { "op-1" }, "a step is stored only in its session");
        var session = await Tracker.GetSessionAsync(_userId, "search-1");
        session!.Steps.Select(s => s.OperationId).Should().Equal("step-1", "step-2");
        session.Feature.Should().Be("google_maps", "a session created by its first step takes that step's provider as its feature");
        session.Status.Should().Be(SessionStatus.InProgress);
        session.TotalCost.Should().Be(0.01983m);
        session.TotalRuns.Should().Be(1);
        var summary = await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        using (new AssertionScope())
        {
            summary.TotalCost.Should().Be(0.51983m);
            summary.OperationCount.Should().Be(3);
            summary.SessionCost.Should().Be(0.01983m);
            summary.SessionOperationCount.Should().Be(2);
            summary.StandaloneCost.Should().Be(0.5m);
            summary.BillableRuns.Should().Be(1);
            summary.ByFeature.Keys.Should().BeEquivalentTo("google_maps_autocomplete", "google_maps_place_details", "standalone");
        }
    }

    [Test]
    public async Task RecordUsageAsync_AIAndApiUsage_AreSummedApart()
    {
        await Tracker.RecordUsageAsync(Record(type: UsageType.AIUsage, cost: 0.0042m, feature: "summarize", provider: "openai"));
        await Tracker.RecordUsageAsync(Record(type: UsageType.ApiUsage, cost: 0.017m));

        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.AIUsage, _harness.CurrentMonth())).TotalCost.Should().Be(0.0042m);
        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).TotalCost.Should().Be(0.017m);
        (await Tracker.GetOperationsAsync(_userId, UsageType.AIUsage)).Items.Should().ContainSingle().Which.Provider.Should().Be("openai");
    }

    [Test]
    public async Task RecordUsageAsync_AcrossUtcMidnightFromDecemberToJanuary_CountsInEachMonth()
    {
        using var harness = CostTrackingHarness.Create(start: new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999));
        var tracker = harness.Tracker;

        await tracker.RecordUsageAsync(Record(cost: 1m, operationId: "dec"));
        await tracker.RecordUsageAsync(Record(cost: 0.1m, sessionId: "s-1", operationId: "dec-step"));
        harness.Time.Advance(TimeSpan.FromTicks(1));
        await tracker.RecordUsageAsync(Record(cost: 2m, operationId: "jan"));
        await tracker.RecordUsageAsync(Record(cost: 0.2m, sessionId: "s-1", operationId: "jan-step"));

        var december = await tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, new UsageMonth(2025, 12));
        var january = await tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, UsageMonth.Parse("2026-01"));
        december.TotalCost.Should().Be(1.1m);
        december.SessionCost.Should().Be(0.1m);
        january.TotalCost.Should().Be(2.2m);
        january.SessionCost.Should().Be(0.2m);
        var operations = (await tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items;
        operations.Select(o => o.OperationId).Should().Equal("jan", "dec");
        operations[1].Timestamp.Should().Be(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990), "timestamps are truncated to whole microseconds");
        operations[0].Timestamp.Should().Be(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        (await tracker.GetSessionAsync(_userId, "s-1"))!.TotalCost.Should().Be(0.3m);
    }

    [Test]
    public async Task RecordUsageAsync_SameOperationIdTwice_ReturnsAlreadyRecordedAndCountsOnce()
    {
        var first = await Tracker.RecordUsageAsync(Record(cost: 0.017m, operationId: "op-1"));
        var second = await Tracker.RecordUsageAsync(Record(cost: 0.017m, operationId: "op-1"));

        first.Outcome.Should().Be(RecordOutcome.Recorded);
        first.IsRecorded.Should().BeTrue();
        second.Should().Be(new RecordUsageResult("op-1", RecordOutcome.AlreadyRecorded));
        second.IsRecorded.Should().BeFalse();
        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).TotalCost.Should().Be(0.017m);
    }

    [Test]
    public async Task RecordUsageAsync_SameStepIdTwice_ReturnsAlreadyRecordedAndCountsOnce()
    {
        var first = await Tracker.RecordUsageAsync(Record(cost: 0.017m, sessionId: "s-1", operationId: "step-1"));
        var second = await Tracker.RecordUsageAsync(Record(cost: 0.017m, sessionId: "s-1", operationId: "step-1"));

        first.Should().Be(new RecordUsageResult("step-1", RecordOutcome.Recorded));
        second.Should().Be(new RecordUsageResult("step-1", RecordOutcome.AlreadyRecorded));
        (await Tracker.GetSessionAsync(_userId, "s-1"))!.TotalCost.Should().Be(0.017m);
        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).SessionCost.Should().Be(0.017m);
    }

    [Test]
    public async Task RecordUsageAsync_NoOperationId_GeneratesAUniqueValidIdAndStoresUnderIt()
    {
        var first = await Tracker.RecordUsageAsync(Record(cost: 0.01m));
        var second = await Tracker.RecordUsageAsync(Record(cost: 0.01m));
        var step = await Tracker.RecordUsageAsync(Record(cost: 0.01m, sessionId: "s-1"));

        new[] { first, second, step }.Should().AllSatisfy(r =>
        {
            r.Outcome.Should().Be(RecordOutcome.Recorded);
            UsageIds.IsValid(r.OperationId).Should().BeTrue();
        });
        new[] { first.OperationId, second.OperationId, step.OperationId }.Should().OnlyHaveUniqueItems();
        (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items.Select(o => o.OperationId)
            .Should().BeEquivalentTo(first.OperationId, second.OperationId);
        (await Tracker.GetSessionAsync(_userId, "s-1"))!.Steps.Single().OperationId.Should().Be(step.OperationId);
        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).TotalCost.Should().Be(0.03m);
    }

    [Test]
    public async Task RecordUsageAsync_CostFinerThanANano_IsRoundedToTheNearestNanoAwayFromZero()
    {
        await Tracker.RecordUsageAsync(Record(cost: 0.0000000015m, operationId: "up"));
        await Tracker.RecordUsageAsync(Record(cost: 0.0000000014999m, operationId: "down"));
        await Tracker.RecordUsageAsync(Record(cost: 0.00283m, operationId: "exact"));

        var costs = (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items.ToDictionary(o => o.OperationId, o => o.Cost);
        costs["up"].Should().Be(0.000000002m);
        costs["down"].Should().Be(0.000000001m);
        costs["exact"].Should().Be(0.00283m);
        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).TotalCost.Should().Be(0.002830003m);
    }

    [Test]
    public async Task RecordUsageAsync_Metadata_IsNormalizedToStoreTypes()
    {
        var metadata = new Dictionary<string, object?>
        {
            ["int"] = 5,
            ["short"] = (short)-3,
            ["byte"] = (byte)200,
            ["uint"] = 7u,
            ["ulong"] = 9UL,
            ["float"] = 0.5f,
            ["array"] = new[] { 1, 2 },
            ["map"] = new Dictionary<string, int> { ["x"] = 1 },
            ["text"] = "pizza",
        };

        await Tracker.RecordUsageAsync(Record(operationId: "op-1", metadata: metadata));

        var stored = (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items.Single().Metadata;
        MetadataAssert.Equivalent(stored, new Dictionary<string, object?>
        {
            ["int"] = 5L,
            ["short"] = -3L,
            ["byte"] = 200L,
            ["uint"] = 7L,
            ["ulong"] = 9L,
            ["float"] = 0.5,
            ["array"] = new List<object?> { 1L, 2L },
            ["map"] = new Dictionary<string, object?> { ["x"] = 1L },
            ["text"] = "pizza",
        });
    }

    [Test]
    public async Task RecordUsageAsync_PreCancelledToken_ThrowsAndWritesNothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var standalone = async () => await Tracker.RecordUsageAsync(Record(operationId: "op-1"), cts.Token);
        var step = async () => await Tracker.RecordUsageAsync(Record(operationId: "op-2", sessionId: "s-1"), cts.Token);

        await standalone.Should().ThrowAsync<OperationCanceledException>();
        await step.Should().ThrowAsync<OperationCanceledException>();
        await AssertNothingStoredAsync();
    }

    [Test]
    public async Task FinalizeSessionAsync_CalledTwice_CompletesOnceAndKeepsTheFirstCompletionTime()
    {
        await Tracker.RecordUsageAsync(Record(cost: 0.00283m, sessionId: "s-1"));
        _harness.Time.Advance(TimeSpan.FromSeconds(10));
        var completedAt = Microseconds(_harness.Time.GetUtcNow());

        var first = await Tracker.FinalizeSessionAsync(_userId, "s-1");
        _harness.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await Tracker.FinalizeSessionAsync(_userId, "s-1");

        foreach (var session in new[] { first, second, (await Tracker.GetSessionAsync(_userId, "s-1"))! })
        {
            session.Status.Should().Be(SessionStatus.Completed);
            session.CompletedAt.Should().Be(completedAt);
            session.LastUpdatedAt.Should().Be(completedAt);
            session.AbandonedAt.Should().BeNull();
            session.TotalCost.Should().Be(0.00283m);
        }
    }

    [Test]
    public async Task FinalizeSessionAsync_AbandonedSession_StaysAbandoned()
    {
        await _harness.Sessions.StartSessionAsync(_userId, "maps", "s-1");
        await _harness.Sessions.FinalizeSessionAsync(_userId, "s-1", SessionStatus.Abandoned);

        var session = await Tracker.FinalizeSessionAsync(_userId, "s-1");

        session.Status.Should().Be(SessionStatus.Abandoned);
        session.CompletedAt.Should().BeNull();
    }

    [Test]
    public async Task FinalizeSessionAsync_UnknownSession_ThrowsSessionNotFoundAndCreatesNothing()
    {
        var act = async () => await Tracker.FinalizeSessionAsync(_userId, "s-missing");

        var thrown = await act.Should().ThrowAsync<SessionNotFoundException>();
        thrown.Which.UserId.Should().Be(_userId);
        thrown.Which.SessionId.Should().Be("s-missing");
        thrown.Which.Message.Should().Contain("s-missing").And.Contain(_userId);
        (await Tracker.GetSessionAsync(_userId, "s-missing")).Should().BeNull();
        await AssertNothingStoredAsync();
    }

    [Test]
    public async Task GetUserSessionsAsync_FiltersAndPages_NewestFirst()
    {
        for (var i = 0; i < 5; i++)
        {
            await Tracker.RecordUsageAsync(Record(sessionId: $"s-{i}", provider: i % 2 == 0 ? "google_maps" : "pinecone"));
            _harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await Tracker.FinalizeSessionAsync(_userId, "s-2");

        var page1 = await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { PageSize = 2 });
        var page2 = await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { PageSize = 2, ContinuationToken = page1.ContinuationToken });
        var page3 = await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { PageSize = 2, ContinuationToken = page2.ContinuationToken });
        page1.Items.Select(s => s.SessionId).Concat(page2.Items.Select(s => s.SessionId)).Concat(page3.Items.Select(s => s.SessionId))
            .Should().Equal("s-4", "s-3", "s-2", "s-1", "s-0");
        page3.ContinuationToken.Should().BeNull();
        (await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { Feature = "google_maps" })).Items.Select(s => s.SessionId)
            .Should().Equal("s-4", "s-2", "s-0");
        (await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { Status = SessionStatus.Completed })).Items.Select(s => s.SessionId)
            .Should().Equal("s-2");
        (await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { Status = SessionStatus.InProgress, Feature = "pinecone" })).Items.Select(s => s.SessionId)
            .Should().Equal("s-3", "s-1");
    }

    [Test]
    public async Task GetOperationsAsync_GarbageContinuationToken_ThrowsArgumentException()
    {
        await Tracker.RecordUsageAsync(Record());

        var act = async () => await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage, new OperationQuery { ContinuationToken = "garbage" });

        await act.Should().ThrowAsync<ArgumentException>();
    }

    // ---------------------------------------------------------------- concurrency and exactness at scale

    [Test]
    public async Task RecordUsageAsync_64TasksOf1000StandaloneRecordsOnOneUser_TotalsExactAndNoneLost()
    {
        const int tasks = 64;
        const int perTask = 1000;

        var ids = await RunConcurrentlyAsync(tasks, perTask, (t, i) => Record(cost: 0.00283m, feature: $"feature-{t % 4}", billable: i % 10 == 0));

        ids.Should().HaveCount(tasks * perTask).And.OnlyHaveUniqueItems();
        var summary = await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.OperationCount.Should().Be(64_000);
        summary.TotalCost.Should().Be(181.12m);
        summary.BillableRuns.Should().Be(6_400);
        summary.ByFeature.Values.Should().AllSatisfy(b => b.Should().Be(new CostBreakdown(45.28m, 16_000)));
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage, new OperationQuery { PageSize = SessionQuery.MaxPageSize, ContinuationToken = token });
            listed.AddRange(page.Items.Select(o => o.OperationId));
            token = page.ContinuationToken;
        }
        while (token is not null);

        // Sorted comparison: BeEquivalentTo on 64,000 items is quadratic.
        listed.Order(StringComparer.Ordinal).Should().Equal(ids.Order(StringComparer.Ordinal));
    }

    [Test]
    public async Task RecordUsageAsync_64TasksOf1000StepsOnOneSession_TotalsExactAndNoStepLost()
    {
        const int tasks = 64;
        const int perTask = 1000;

        var ids = await RunConcurrentlyAsync(tasks, perTask, (t, i) => Record(cost: 0.00283m, sessionId: "s-busy", billable: i % 10 == 0));

        ids.Should().HaveCount(tasks * perTask).And.OnlyHaveUniqueItems();
        var session = await Tracker.GetSessionAsync(_userId, "s-busy");
        session!.StepCount.Should().Be(64_000);
        session.Steps.Select(s => s.OperationId).Order(StringComparer.Ordinal).Should().Equal(ids.Order(StringComparer.Ordinal));
        session.TotalCost.Should().Be(181.12m);
        session.TotalRuns.Should().Be(6_400);
        var summary = await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.OperationCount.Should().Be(64_000);
        summary.SessionOperationCount.Should().Be(64_000);
        summary.TotalCost.Should().Be(181.12m);
        summary.SessionCost.Should().Be(181.12m);
        (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task RecordUsageAsync_OneMillionRecordsOf0_00283_TotalExactly2830()
    {
        const int tasks = 8;
        const int perTask = 125_000;
        var tracker = Tracker;

        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < perTask; i++)
            {
                var result = await tracker.RecordUsageAsync(new UsageRecord
                {
                    UserId = _userId,
                    UsageType = UsageType.ApiUsage,
                    Feature = "google_maps_autocomplete",
                    Provider = ApiCosts.GoogleMaps.Provider,
                    Cost = ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest,
                    OperationId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"op-{t}-{i}"),
                });
                if (!result.IsRecorded)
                {
                    Assert.Fail($"Record {t}-{i} was not recorded.");
                }
            }
        })));

        var summary = await tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.OperationCount.Should().Be(1_000_000);
        summary.TotalCost.Should().Be(2830m);
        summary.ByFeature["google_maps_autocomplete"].Cost.Should().Be(2830m);
        summary.ByProvider["google_maps"].Cost.Should().Be(2830m);
    }

    // ---------------------------------------------------------------- helpers

    private UsageRecord Record(
        UsageType type = UsageType.ApiUsage,
        decimal cost = 0.00283m,
        string feature = "google_maps_autocomplete",
        string provider = "google_maps",
        string? sessionId = null,
        string? operationId = null,
        bool billable = false,
        IReadOnlyDictionary<string, object?>? metadata = null,
        string? userId = null) => new()
        {
            UserId = userId ?? _userId,
            UsageType = type,
            Feature = feature,
            Provider = provider,
            Cost = cost,
            SessionId = sessionId,
            OperationId = operationId,
            IsBillableRun = billable,
            Metadata = metadata,
        };

    private async Task<List<string>> RunConcurrentlyAsync(int tasks, int perTask, Func<int, int, UsageRecord> record)
    {
        var tracker = Tracker;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            await start.Task;
            var ids = new List<string>(perTask);
            for (var i = 0; i < perTask; i++)
            {
                var result = await tracker.RecordUsageAsync(record(t, i));
                result.Outcome.Should().Be(RecordOutcome.Recorded);
                ids.Add(result.OperationId);
            }

            return ids;
        })).ToArray();
        start.SetResult();
        return (await Task.WhenAll(running)).SelectMany(ids => ids).ToList();
    }

    /// <summary>Proves that nothing of the test's user reached the store: no write call at all, no data for the user.</summary>
    private async Task AssertNothingStoredAsync()
    {
        var store = _harness.Store.Inner;
        var month = _harness.CurrentMonth();
        (await store.ListOperationsAsync(_userId, UsageType.ApiUsage, new OperationQuery())).Items.Should().BeEmpty();
        (await store.ListOperationsAsync(_userId, UsageType.AIUsage, new OperationQuery())).Items.Should().BeEmpty();
        (await store.ListSessionsAsync(_userId, new SessionQuery())).Items.Should().BeEmpty();
        (await store.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, month)).OperationCount.Should().Be(0);
        (await store.GetMonthlySummaryAsync(_userId, UsageType.AIUsage, month)).OperationCount.Should().Be(0);
    }

    private static DateTimeOffset Microseconds(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), TimeSpan.Zero);
}
