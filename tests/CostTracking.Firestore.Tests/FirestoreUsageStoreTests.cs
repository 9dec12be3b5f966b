using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>The Firestore store against the real emulator: behaviour here, document layout, faults, concurrency, big sessions and indexes in the other parts.</summary>
public sealed partial class FirestoreUsageStoreTests : EmulatorFixture
{
    private FirestoreUsageStore _store = null!;
    private string _user = "";

    [OneTimeSetUp]
    public void CreateStore() => _store = NewStore();

    [OneTimeTearDown]
    public void DisposeStore() => _store?.Dispose();

    [SetUp]
    public void NewUser() => _user = NewId("user");

    [Test]
    public async Task RecordOperationAsync_NewThenSameId_RecordsOnceAndSumsTheMonth()
    {
        var first = Operation(_user, "op-1", cost: 0.017m, billable: true, metadata: new Dictionary<string, object?> { ["query"] = "pizza" });

        (await _store.RecordOperationAsync(first)).Should().Be(RecordOutcome.Recorded);
        (await _store.RecordOperationAsync(Operation(_user, "op-1", cost: 9m))).Should().Be(RecordOutcome.AlreadyRecorded);
        (await _store.RecordOperationAsync(Operation(_user, "op-2", cost: 0.00283m, feature: "autocomplete", provider: "google maps"))).Should().Be(RecordOutcome.Recorded);

        var summary = await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.TotalCost.Should().Be(0.01983m);
            summary.OperationCount.Should().Be(2);
            summary.BillableRuns.Should().Be(1);
            summary.SessionCost.Should().Be(0m);
            summary.ByFeature.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["google_maps_autocomplete"] = new(0.017m, 1),
                ["autocomplete"] = new(0.00283m, 1),
            });
            summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown>
            {
                ["google_maps"] = new(0.017m, 1),
                ["google maps"] = new(0.00283m, 1),
            });
        }

        var listed = (await _store.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items;
        listed.Select(o => o.OperationId).Should().Equal("op-2", "op-1");
        listed[1].Cost.Should().Be(0.017m);
        listed[1].Timestamp.Should().Be(BaseTime);
        listed[1].Metadata.Should().ContainKey("query").WhoseValue.Should().Be("pizza");
    }

    [Test]
    public async Task RecordSessionStepAsync_StepsWithAndWithoutSession_CreateTheSessionAndCountEachOnce()
    {
        (await _store.RecordSessionStepAsync(Step(_user, "s-1", "a", cost: 0.00283m, sessionFeature: "maps_search"))).Should().Be(RecordOutcome.Recorded);
        (await _store.RecordSessionStepAsync(Step(_user, "s-1", "b", cost: 0.017m, billable: true, at: BaseTime.AddSeconds(5)))).Should().Be(RecordOutcome.Recorded);
        (await _store.RecordSessionStepAsync(Step(_user, "s-1", "a", cost: 5m))).Should().Be(RecordOutcome.AlreadyRecorded);

        var session = await _store.GetSessionAsync(_user, "s-1");

        session.Should().NotBeNull();
        using (new AssertionScope())
        {
            session!.Feature.Should().Be("maps_search");
            session.Status.Should().Be(SessionStatus.InProgress);
            session.CreatedAt.Should().Be(BaseTime);
            session.LastUpdatedAt.Should().Be(BaseTime.AddSeconds(5));
            session.TotalCost.Should().Be(0.01983m);
            session.TotalRuns.Should().Be(1);
            session.StepCount.Should().Be(2);
            session.Steps.Select(s => s.OperationId).Should().Equal("a", "b");
        }

        var summary = await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.SessionCost.Should().Be(0.01983m);
        summary.SessionOperationCount.Should().Be(2);
        summary.OperationCount.Should().Be(2);
    }

    [Test]
    public async Task CreateSessionAsync_ThenClose_FirstCloseWins()
    {
        (await _store.CreateSessionAsync(_user, "s-1", "maps_search", BaseTime)).Should().BeTrue();
        (await _store.CreateSessionAsync(_user, "s-1", "other", BaseTime)).Should().BeFalse();

        var closed = await _store.CloseSessionAsync(_user, "s-1", SessionStatus.Completed, BaseTime.AddMinutes(1));
        var again = await _store.CloseSessionAsync(_user, "s-1", SessionStatus.Abandoned, BaseTime.AddMinutes(2));

        closed!.Status.Should().Be(SessionStatus.Completed);
        closed.CompletedAt.Should().Be(BaseTime.AddMinutes(1));
        closed.LastUpdatedAt.Should().Be(BaseTime.AddMinutes(1));
        again!.Status.Should().Be(SessionStatus.Completed);
        again.AbandonedAt.Should().BeNull();
        (await _store.CloseSessionAsync(_user, "s-missing", SessionStatus.Completed, BaseTime)).Should().BeNull();
        (await _store.GetSessionAsync(_user, "s-missing")).Should().BeNull();
    }

    [Test]
    public async Task CloseSessionAsync_SixteenRacingCloses_OneStatusWinsEverywhere()
    {
        await _store.CreateSessionAsync(_user, "s-race", "maps_search", BaseTime);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => _store.CloseSessionAsync(
            _user, "s-race", i % 2 == 0 ? SessionStatus.Completed : SessionStatus.Abandoned, BaseTime.AddSeconds(i + 1)))));

        var read = await _store.GetSessionAsync(_user, "s-race");
        read!.Status.Should().NotBe(SessionStatus.InProgress);
        (read.CompletedAt is null).Should().NotBe(read.AbandonedAt is null);
        results.Should().AllSatisfy(r =>
        {
            r!.Status.Should().Be(read.Status);
            r.ClosedAt.Should().Be(read.ClosedAt);
        });
    }

    [Test]
    public async Task ListSessionsAsync_FiltersAndPages_ReturnNewestFirstWithoutRepeats()
    {
        for (var i = 0; i < 7; i++)
        {
            await _store.CreateSessionAsync(_user, $"s-{i}", i % 2 == 0 ? "maps" : "pinecone", BaseTime.AddSeconds(i / 2));
            if (i % 3 == 0)
            {
                await _store.CloseSessionAsync(_user, $"s-{i}", SessionStatus.Completed, BaseTime.AddMinutes(1));
            }
        }

        async Task<List<string>> AllAsync(SessionStatus? status, string? feature)
        {
            var ids = new List<string>();
            var page = await _store.ListSessionsAsync(_user, new SessionQuery { Status = status, Feature = feature, PageSize = 2 });
            ids.AddRange(page.Items.Select(s => s.SessionId));
            while (page.ContinuationToken is { } token)
            {
                page = await _store.ListSessionsAsync(_user, new SessionQuery { Status = status, Feature = feature, PageSize = 2, ContinuationToken = token });
                ids.AddRange(page.Items.Select(s => s.SessionId));
            }

            return ids;
        }

        (await AllAsync(null, null)).Should().Equal("s-6", "s-5", "s-4", "s-3", "s-2", "s-1", "s-0");
        (await AllAsync(SessionStatus.Completed, null)).Should().Equal("s-6", "s-3", "s-0");
        (await AllAsync(null, "maps")).Should().Equal("s-6", "s-4", "s-2", "s-0");
        (await AllAsync(SessionStatus.InProgress, "pinecone")).Should().Equal("s-5", "s-1");
        var listed = (await _store.ListSessionsAsync(_user, new SessionQuery { PageSize = 1 })).Items.Single();
        listed.Status.Should().Be(SessionStatus.Completed);
        listed.CompletedAt.Should().Be(BaseTime.AddMinutes(1));
    }

    [Test]
    public async Task ListOperationsAsync_PagedThroughTies_ReturnsEachOnceNewestFirst()
    {
        for (var i = 0; i < 9; i++)
        {
            await _store.RecordOperationAsync(Operation(_user, $"op-{i}", type: UsageType.AIUsage, at: BaseTime.AddSeconds(i / 3)));
        }

        var ids = new List<string>();
        var page = await _store.ListOperationsAsync(_user, UsageType.AIUsage, new OperationQuery { PageSize = 4 });
        ids.AddRange(page.Items.Select(o => o.OperationId));
        while (page.ContinuationToken is { } token)
        {
            page = await _store.ListOperationsAsync(_user, UsageType.AIUsage, new OperationQuery { PageSize = 4, ContinuationToken = token });
            ids.AddRange(page.Items.Select(o => o.OperationId));
        }

        ids.Should().Equal(Enumerable.Range(0, 9).Reverse().Select(i => $"op-{i}"));
        (await _store.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items.Should().BeEmpty();
    }

    [Test]
    public async Task ListAsync_TokenOfTheOtherListingOrForeign_ThrowsArgumentException()
    {
        await _store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        await _store.CreateSessionAsync(_user, "s-2", "maps", BaseTime);
        var sessionToken = (await _store.ListSessionsAsync(_user, new SessionQuery { PageSize = 1 })).ContinuationToken;

        sessionToken.Should().NotBeNull();
        await FluentActions.Awaiting(() => _store.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery { ContinuationToken = sessionToken }))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => _store.ListSessionsAsync(_user, new SessionQuery { ContinuationToken = "bTE6MTIzOmFiYw==" }))
            .Should().ThrowAsync<ArgumentException>();
    }

    [Test]
    public async Task RecordAsync_MetadataOfEveryType_RoundTripsInTheNormalizedTypes()
    {
        var metadata = new Dictionary<string, object?>
        {
            ["text"] = "café ☕",
            ["count"] = long.MaxValue,
            ["negative"] = long.MinValue,
            ["ratio"] = 0.1,
            ["integral_double"] = 3.0,
            ["nan"] = double.NaN,
            ["inf"] = double.PositiveInfinity,
            ["-inf"] = double.NegativeInfinity,
            ["tiny"] = double.Epsilon,
            ["flag"] = true,
            ["nothing"] = null,
            ["dotted.key"] = "a.b",
            ["`tick\\"] = "quoted",
            ["nested"] = new Dictionary<string, object?> { ["list"] = new List<object?> { 1L, "x", new Dictionary<string, object?> { ["k"] = false } }, ["empty"] = new Dictionary<string, object?>() },
            ["empty_list"] = new List<object?>(),
        };

        await _store.RecordOperationAsync(Operation(_user, "op-meta", metadata: metadata));
        await _store.RecordSessionStepAsync(Step(_user, "s-1", "step-meta", metadata: metadata));

        var operation = (await _store.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items.Single();
        var step = (await _store.GetSessionAsync(_user, "s-1"))!.Steps.Single();
        foreach (var read in new[] { operation.Metadata, step.Metadata })
        {
            read.Keys.Should().BeEquivalentTo(metadata.Keys);
            read["count"].Should().BeOfType<long>().Which.Should().Be(long.MaxValue);
            read["negative"].Should().BeOfType<long>().Which.Should().Be(long.MinValue);
            read["integral_double"].Should().BeOfType<double>().Which.Should().Be(3.0);
            BitConverter.DoubleToInt64Bits((double)read["ratio"]!).Should().Be(BitConverter.DoubleToInt64Bits(0.1));
            double.IsNaN((double)read["nan"]!).Should().BeTrue();
            read["inf"].Should().Be(double.PositiveInfinity);
            read["-inf"].Should().Be(double.NegativeInfinity);
            read["tiny"].Should().Be(double.Epsilon);
            read["nothing"].Should().BeNull();
            read["`tick\\"].Should().Be("quoted");
            var nested = read["nested"].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Subject;
            var list = nested["list"].Should().BeAssignableTo<IReadOnlyList<object?>>().Subject;
            list[0].Should().Be(1L);
            list[2].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which["k"].Should().Be(false);
            nested["empty"].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which.Should().BeEmpty();
            read["empty_list"].Should().BeAssignableTo<IReadOnlyList<object?>>().Which.Should().BeEmpty();
        }
    }

    [Test]
    public async Task GetMonthlySummaryAsync_NothingRecorded_ReturnsEmpty()
    {
        var summary = await _store.GetMonthlySummaryAsync(_user, UsageType.AIUsage, BaseMonth);

        summary.TotalCost.Should().Be(0m);
        summary.OperationCount.Should().Be(0);
        summary.ByFeature.Should().BeEmpty();
        (await _store.GetSessionAsync(_user, "none")).Should().BeNull();
        (await _store.ListSessionsAsync(_user, new SessionQuery())).Items.Should().BeEmpty();
    }

    [Test]
    public async Task Writes_PreCancelledToken_ThrowOperationCanceledAndSendNothing()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await FluentActions.Awaiting(async () => await _store.RecordOperationAsync(Operation(_user, "op-1"), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(async () => await _store.RecordSessionStepAsync(Step(_user, "s-1", "a"), cts.Token)).Should().ThrowAsync<OperationCanceledException>();
        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(0);
    }

    [Test]
    public async Task ListSessionsAsync_Query_SelectsTheHeaderWithoutTheInlineStepsAndPagesByCursor()
    {
        BodyRecordingHandler recording = null!;
        var store = NewStore(inner => recording = new BodyRecordingHandler(inner, ":runQuery"));
        await store.RecordSessionStepAsync(Step(_user, "s-1", "a"));
        await store.RecordSessionStepAsync(Step(_user, "s-2", "a"));

        var first = await store.ListSessionsAsync(_user, new SessionQuery { PageSize = 1 });
        await store.ListSessionsAsync(_user, new SessionQuery { PageSize = 1, ContinuationToken = first.ContinuationToken });

        recording.Bodies.Should().HaveCount(2);
        foreach (var body in recording.Bodies)
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            var query = json.RootElement.GetProperty("structuredQuery");
            var selected = query.GetProperty("select").GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("fieldPath").GetString()).ToList();
            selected.Should().Contain(["status", "createdAt", "totalCostNanos", "stepCount"]).And.NotContain("steps");
            query.TryGetProperty("offset", out _).Should().BeFalse("listings page with cursors, never offsets");
        }

        var cursor = System.Text.Json.JsonDocument.Parse(recording.Bodies[1]).RootElement.GetProperty("structuredQuery").GetProperty("startAt");
        cursor.GetProperty("before").GetBoolean().Should().BeFalse("the next page starts after the last item");
        cursor.GetProperty("values")[1].GetProperty("referenceValue").GetString().Should().EndWith($"/SessionUsage/{_user}/sessions/s-2");
    }
}
