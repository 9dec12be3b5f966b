using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Pricing;
using CostTracking.Storage;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>The lifecycle parts of the Firestore store beyond the shared contract: the documents they write, lost responses, other apps' collections, big sessions, exact sums, several instances.</summary>
public sealed class FirestoreLifecycleTests : EmulatorFixture
{
    private IUsageStore? _shared;
    private string _user = "";

    /// <summary>Gets the fixture's store (kept as an <see cref="IUsageStore"/> and disposed if it is disposable).</summary>
    private FirestoreUsageStore Store => (FirestoreUsageStore)_shared!;

    [OneTimeSetUp]
    public void CreateStore() => _shared = NewStore();

    [OneTimeTearDown]
    public void DisposeStore() => (_shared as IDisposable)?.Dispose();

    [SetUp]
    public void NewUser() => _user = NewId("user");

    // ---------------------------------------------------------------- documents

    [Test]
    public async Task Budgets_ReserveReleaseAndAlert_WriteTheBudgetAndAlertDocuments()
    {
        await Store.RecordOperationAsync(Operation(_user, "spent", cost: 0.25m, billable: true));

        (await Store.TryReserveAsync(Reservation("r-old", 0.10m, BaseTime, TimeSpan.FromMinutes(1)))).Accepted.Should().BeTrue();
        (await Store.TryReserveAsync(Reservation("r.1 odd`id", 0.123456789m, BaseTime.AddMinutes(2), TimeSpan.FromMinutes(10), runs: 2))).Accepted.Should().BeTrue();
        (await Store.TryMarkAlertAsync(_user, "2026-03.cost.80", BaseTime.AddMinutes(3))).Should().BeTrue();

        var budget = await Raw.FieldsAsync($"CostBudgets/{_user}/months/2026-03");
        var reservations = budget.Map("reservations");
        using (new AssertionScope())
        {
            budget.String("userId").Should().Be(_user);
            budget.String("month").Should().Be("2026-03");
            budget.Kind("updatedAt").Should().Be("timestampValue");
            reservations.EnumerateObject().Select(p => p.Name).Should().Equal(["r.1 odd`id"], "r-old had expired when r.1 was written, so it was pruned");
            var r = reservations.Map("r.1 odd`id");
            r.IntegerText("costNanos").Should().Be("123456789");
            r.Double("cost").Should().BeApproximately(0.123456789, 1e-15);
            r.Integer("runs").Should().Be(2);
            r.Timestamp("expiresAt").Should().Be("2026-03-10T12:12:00.123456Z");
            r.Kind("writeToken").Should().Be("stringValue");
        }

        (await Store.GetBudgetUsageAsync(_user, BaseMonth, BaseTime.AddMinutes(2))).Should().Be(new BudgetUsage(0.25m, 1, 0.123456789m, 2));
        (await Store.ReleaseReservationAsync(_user, BaseMonth, "r.1 odd`id")).Should().BeTrue();
        var released = (await Raw.FieldsAsync($"CostBudgets/{_user}/months/2026-03")).Map("reservations");
        (released.ValueKind == JsonValueKind.Undefined || !released.EnumerateObject().Any()).Should().BeTrue("the released entry is removed from the map");

        var alert = await Raw.FieldsAsync($"CostBudgets/{_user}/alerts/2026-03.cost.80");
        alert.String("userId").Should().Be(_user);
        alert.String("alertKey").Should().Be("2026-03.cost.80");
        alert.Timestamp("raisedAt").Should().Be("2026-03-10T12:03:00.123456Z");
    }

    [Test]
    public async Task RepriceSessionAsync_ClosedSession_WritesOriginalCostsAppliedPricesTheMarkerAndMovesEveryMonthlyFigureByTheDifference()
    {
        var metadata = new Dictionary<string, object?> { ["query"] = "pizza", ["nan"] = double.NaN, ["nested"] = new Dictionary<string, object?> { ["n"] = 3L, ["list"] = new List<object?> { 1L, "x", null } } };
        await Store.RecordSessionStepAsync(Step(_user, "s", "ac1", cost: 0.00283m, metadata: metadata));
        await Store.RecordSessionStepAsync(Step(_user, "s", "ac2", cost: 0.00283m, at: BaseTime.AddDays(1)));
        await Store.RecordSessionStepAsync(Step(_user, "s", "pd", cost: 0.017m, feature: "google_maps_place_details", billable: true, at: BaseTime.AddDays(1)));
        await Store.RecordSessionStepAsync(Step(_user, "s", "ai", cost: 0.5m, type: UsageType.AIUsage, feature: "summarize", provider: "openai", at: BaseTime.AddDays(1)));
        await Store.CloseSessionAsync(_user, "s", SessionStatus.Completed, BaseTime.AddDays(1).AddSeconds(1));
        var inlineBefore = (await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s")).Array("steps");
        var repricing = new SessionRepricing("test-policy", [Price("ac1", 0m), Price("ac2", 0.001m), new StepRepricing("ai", 0.25m, "openai.gpt-test", new DateOnly(2024, 12, 31))]);

        (await Store.RepriceSessionAsync(new SessionKey(_user, "s"), repricing, BaseTime.AddDays(2))).Should().BeTrue();

        var session = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s");
        var ac1 = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s/steps/ac1");
        var pd = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s/steps/pd");
        var marker = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s/state/repriced");
        var api = await Raw.FieldsAsync($"ApiUsage/{_user}/monthly/2026-03");
        var ai = await Raw.FieldsAsync($"AIUsage/{_user}/monthly/2026-03");
        var inline = session.Array("steps").Select(e => e.GetProperty("mapValue").GetProperty("fields")).ToArray();
        using (new AssertionScope())
        {
            session.String("repricedBy").Should().Be("test-policy");
            session.Timestamp("repricedAt").Should().Be("2026-03-12T12:00:00.123456Z");
            session.IntegerText("totalCostNanos").Should().Be("268000000", "0 + 0.001 + 0.017 + 0.25");
            session.Double("totalCost").Should().BeApproximately(0.268, 1e-12);
            session.String("status").Should().Be("completed");

            ac1.IntegerText("costNanos").Should().Be("0");
            ac1.Double("cost").Should().Be(0d);
            ac1.IntegerText("originalCostNanos").Should().Be("2830000");
            ac1.Double("originalCost").Should().Be(0.00283);
            ac1.String("priceKey").Should().Be("test.price");
            ac1.String("priceEffectiveDate").Should().Be("2025-03-01", "an effective date is a day, written YYYY-MM-DD");
            pd.TryGetProperty("originalCostNanos", out _).Should().BeFalse("a step not listed keeps its cost and gets no original");
            pd.TryGetProperty("priceKey", out _).Should().BeFalse("a step not listed gets no applied price");
            pd.TryGetProperty("priceEffectiveDate", out _).Should().BeFalse("a step not listed gets no applied price");

            marker.String("policy").Should().Be("test-policy");
            marker.Integer("stepCount").Should().Be(3);
            marker.IntegerText("deltaNanos").Should().Be("-254660000");

            // The inline copies: re-priced ones carry both costs, everything else is copied byte for byte (NaN, nested lists).
            inline.Select(e => e.IntegerText("costNanos")).Should().Equal("0", "1000000", "17000000", "250000000");
            inline.Select(e => e.TryGetProperty("originalCostNanos", out var o) ? o.GetProperty("integerValue").GetString() : null)
                .Should().Equal("2830000", "2830000", null, "500000000");
            inline.Select(e => e.TryGetProperty("priceKey", out var k) ? k.GetProperty("stringValue").GetString() : null)
                .Should().Equal("test.price", "test.price", null, "openai.gpt-test");
            inline.Select(e => e.TryGetProperty("priceEffectiveDate", out var d) ? d.GetProperty("stringValue").GetString() : null)
                .Should().Equal("2025-03-01", "2025-03-01", null, "2024-12-31");
            inline[0].Value("metadata").GetRawText().Should().Be(inlineBefore[0].GetProperty("mapValue").GetProperty("fields").Value("metadata").GetRawText());
            inline[0].Value("timestamp").GetRawText().Should().Be(inlineBefore[0].GetProperty("mapValue").GetProperty("fields").Value("timestamp").GetRawText());

            // ApiUsage: 0.00283 × 2 + 0.017 became 0 + 0.001 + 0.017; counts unchanged; the days moved separately.
            api.IntegerText("totalCostNanos").Should().Be("18000000");
            api.IntegerText("sessionCostNanos").Should().Be("18000000");
            api.Integer("operationCount").Should().Be(3);
            api.Integer("sessionOperationCount").Should().Be(3);
            api.Integer("totalRuns").Should().Be(1);
            api.Map("featureBreakdown").Map("google_maps_autocomplete").IntegerText("costNanos").Should().Be("1000000");
            api.Map("featureBreakdown").Map("google_maps_autocomplete").Integer("count").Should().Be(2);
            api.Map("featureBreakdown").Map("google_maps_place_details").IntegerText("costNanos").Should().Be("17000000");
            api.Map("providerBreakdown").Map("google_maps").IntegerText("costNanos").Should().Be("18000000");
            api.Map("dayBreakdown").Map("10").IntegerText("costNanos").Should().Be("0");
            api.Map("dayBreakdown").Map("10").Integer("count").Should().Be(1);
            api.Map("dayBreakdown").Map("11").IntegerText("costNanos").Should().Be("18000000");

            // AIUsage moved on its own document.
            ai.IntegerText("totalCostNanos").Should().Be("250000000");
            ai.Map("providerBreakdown").Map("openai").IntegerText("costNanos").Should().Be("250000000");
            ai.Integer("operationCount").Should().Be(1);
        }

        var read = await Store.GetSessionAsync(_user, "s");
        read!.Steps.Select(s => (s.OperationId, s.Cost, s.OriginalCost)).Should().Equal(
            ("ac1", 0m, 0.00283m), ("ac2", 0.001m, 0.00283m), ("pd", 0.017m, (decimal?)null), ("ai", 0.25m, 0.5m));
        read.Steps.Select(s => (s.OperationId, s.PriceKey, s.PriceEffectiveDate)).Should().Equal(
            ("ac1", "test.price", new DateOnly(2025, 3, 1)), ("ac2", "test.price", new DateOnly(2025, 3, 1)),
            ("pd", (string?)null, (DateOnly?)null), ("ai", "openai.gpt-test", new DateOnly(2024, 12, 31)));
        var listed = (await Store.ListSessionsAsync(_user, new SessionQuery())).Items.Single();
        listed.RepricedBy.Should().Be("test-policy");
        listed.RepricedAt.Should().Be(BaseTime.AddDays(2));
        listed.TotalCost.Should().Be(0.268m);
    }

    [Test]
    public async Task AbandonIfIdleAsync_IdleSession_WritesTheCloseMarkerAndTheStatus()
    {
        await Store.RecordSessionStepAsync(Step(_user, "s", "a"));

        (await Store.AbandonIfIdleAsync(new SessionKey(_user, "s"), BaseTime.AddMinutes(30), BaseTime.AddMinutes(31))).Should().BeTrue();
        (await Store.CloseSessionAsync(_user, "s", SessionStatus.Completed, BaseTime.AddMinutes(32)))!.Status.Should().Be(SessionStatus.Abandoned, "the abandon won the close marker");

        var marker = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s/state/close");
        var session = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s");
        using (new AssertionScope())
        {
            marker.String("status").Should().Be("abandoned");
            marker.Timestamp("closedAt").Should().Be("2026-03-10T12:31:00.123456Z");
            marker.Kind("writeToken").Should().Be("stringValue");
            session.String("status").Should().Be("abandoned");
            session.Timestamp("abandonedAt").Should().Be("2026-03-10T12:31:00.123456Z");
            session.TryGetProperty("completedAt", out _).Should().BeFalse();
            session.IntegerText("lastUpdatedMicros").Should().Be(FirestoreMicros(BaseTime.AddMinutes(31)));
        }
    }

    // ---------------------------------------------------------------- lost responses

    [TestCase("abandon")]
    [TestCase("reserve")]
    [TestCase("release")]
    [TestCase("alert")]
    [TestCase("reprice")]
    [TestCase("delete-session")]
    public async Task LifecycleWrite_ResponseLostAfterTheCommitLanded_ReportsThatThisCallDidIt(string operation)
    {
        // A project of its own: the retention delete runs across users.
        var projectId = FirestoreEmulator.NewProjectId();
        var plain = NewStore(configure: o => o.ProjectId = projectId);
        var era = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await plain.RecordSessionStepAsync(Step(_user, "s", "a", at: era));
        if (operation == "reprice")
        {
            await plain.CloseSessionAsync(_user, "s", SessionStatus.Completed, era.AddMinutes(1));
        }

        if (operation == "release")
        {
            (await plain.TryReserveAsync(Reservation("r", 0.5m, BaseTime, TimeSpan.FromMinutes(5)))).Accepted.Should().BeTrue();
        }

        LoseCommitResponsesHandler lose = null!;
        var store = NewStore(inner => lose = new LoseCommitResponsesHandler(inner), o =>
        {
            o.ProjectId = projectId;
            o.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });

        var did = operation switch
        {
            "abandon" => await store.AbandonIfIdleAsync(new SessionKey(_user, "s"), era.AddHours(1), era.AddHours(1)),
            "reserve" => (await store.TryReserveAsync(Reservation("r", 0.5m, BaseTime, TimeSpan.FromMinutes(5)))).Accepted,
            "release" => await store.ReleaseReservationAsync(_user, BaseMonth, "r"),
            "alert" => await store.TryMarkAlertAsync(_user, "2026-03.cost.50", BaseTime),
            "reprice" => await store.RepriceSessionAsync(new SessionKey(_user, "s"), new SessionRepricing("p", [Price("a", 0m)]), era.AddMinutes(2)),
            _ => await store.DeleteSessionsCreatedBeforeAsync(era.AddSeconds(1), 5) == 1,
        };

        lose.Lost.Should().Be(1, "the first commit landed and its response was thrown away");
        did.Should().BeTrue("this call's own first attempt did it, and the retry must not report otherwise");
        switch (operation)
        {
            case "abandon":
                (await plain.GetSessionAsync(_user, "s"))!.Status.Should().Be(SessionStatus.Abandoned);
                break;
            case "reserve":
                (await plain.GetBudgetUsageAsync(_user, BaseMonth, BaseTime)).ReservedCost.Should().Be(0.5m, "held once");
                break;
            case "release":
                (await plain.GetBudgetUsageAsync(_user, BaseMonth, BaseTime)).ReservedCost.Should().Be(0m);
                break;
            case "alert":
                (await plain.TryMarkAlertAsync(_user, "2026-03.cost.50", BaseTime)).Should().BeFalse();
                break;
            case "reprice":
                (await plain.GetSessionAsync(_user, "s"))!.TotalCost.Should().Be(0m);
                (await plain.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, UsageMonth.FromTimestamp(era))).TotalCost.Should().Be(0m, "moved once");
                break;
            default:
                (await plain.GetSessionAsync(_user, "s")).Should().BeNull();
                break;
        }
    }

    // ---------------------------------------------------------------- collection groups

    [Test]
    public async Task CrossUserQueries_OtherCollectionsNamedSessionsOrOperations_AreNeverListedReadOrDeleted()
    {
        // Another app in the same database, with collections of the same names and look-alike fields.
        // A project of its own, whose cross-user queries see exactly this test's documents.
        var projectId = FirestoreEmulator.NewProjectId();
        var store = NewStore(configure: o => o.ProjectId = projectId);
        using var http = new HttpClient();
        var raw = new RawFirestore(http, FirestoreEmulator.Host, projectId);
        var old = "2018-06-01T00:00:00Z";
        await CommitRawAsync(
            projectId,
            RawUpdate(projectId, "apps/chat/sessions/other", $$$"""{"status":{"stringValue":"in-progress"},"lastUpdatedMicros":{"integerValue":"1"},"createdAt":{"timestampValue":"{{{old}}}"},"totalCostNanos":{"integerValue":"5"}}"""),
            RawUpdate(projectId, "apps/chat/operations/other", $$$"""{"timestamp":{"timestampValue":"{{{old}}}"}}"""));
        var era = new DateTimeOffset(2018, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await store.RecordSessionStepAsync(Step(_user, "mine", "a", at: era));
        await store.RecordOperationAsync(Operation(_user, "mine", at: era));

        var idle = await ListAllIdleAsync(store, era.AddHours(1));
        var read = new List<UsageSession>();
        await foreach (var session in store.ReadSessionsAsync(new SessionRange(null, era.AddDays(-1), era.AddDays(1))))
        {
            read.Add(session);
        }

        var deletedSessions = await store.DeleteSessionsCreatedBeforeAsync(era.AddDays(1), 100);
        var deletedOperations = await store.DeleteOperationsRecordedBeforeAsync(era.AddDays(1), 100);

        using (new AssertionScope())
        {
            idle.Should().Equal(new SessionKey(_user, "mine"));
            read.Select(s => s.SessionId).Should().Equal("mine");
            deletedSessions.Should().Be(1);
            deletedOperations.Should().Be(1);
            (await raw.GetAsync("apps/chat/sessions/other")).Should().NotBeNull("another app's document is never deleted");
            (await raw.GetAsync("apps/chat/operations/other")).Should().NotBeNull();
        }
    }

    [Test]
    public async Task DeleteSessionsCreatedBeforeAsync_SessionOf1100Steps_DeletesEveryStepAndMarkerAcrossCommits()
    {
        var projectId = FirestoreEmulator.NewProjectId();
        var store = NewStore(configure: o => o.ProjectId = projectId);
        using var http = new HttpClient();
        var raw = new RawFirestore(http, FirestoreEmulator.Host, projectId);
        var era = new DateTimeOffset(2017, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await store.RecordSessionStepAsync(Step(_user, "big", "step-0000", at: era));
        await store.CloseSessionAsync(_user, "big", SessionStatus.Completed, era.AddMinutes(1));
        await store.RepriceSessionAsync(new SessionKey(_user, "big"), new SessionRepricing("p", [Price("step-0000", 0m)]), era.AddMinutes(2));

        // 1,099 more step documents, written raw in one commit (the store would take ~20 s on the emulator).
        await CommitRawAsync(projectId, Enumerable.Range(1, 1099)
            .Select(i => RawUpdate(projectId, $"SessionUsage/{_user}/sessions/big/steps/step-{i:D4}", """{"costNanos":{"integerValue":"1"}}"""))
            .ToArray());
        (await raw.ListIdsAsync($"SessionUsage/{_user}/sessions/big/steps")).Should().HaveCount(1100);

        (await store.DeleteSessionsCreatedBeforeAsync(era.AddSeconds(1), 1)).Should().Be(1);

        (await raw.ListIdsAsync($"SessionUsage/{_user}/sessions/big/steps")).Should().BeEmpty();
        (await raw.ListIdsAsync($"SessionUsage/{_user}/sessions/big/state")).Should().BeEmpty("the close and re-pricing markers go too");
        (await raw.GetAsync($"SessionUsage/{_user}/sessions/big")).Should().BeNull();
        (await store.RecordSessionStepAsync(Step(_user, "big", "step-0000", at: BaseTime))).Should().Be(RecordOutcome.Recorded, "the ids are free again");
        (await store.GetSessionAsync(_user, "big"))!.Status.Should().Be(SessionStatus.InProgress);
    }

    [Test]
    public async Task IdleSweep_SessionsTheSeedWroteWithoutLastUpdatedMicros_AreListedAfterThisStoresAndAbandoned()
    {
        // A project of its own: the listing is across users, and this test counts exactly what it lists.
        var projectId = FirestoreEmulator.NewProjectId();
        var store = NewStore(configure: o => o.ProjectId = projectId);
        using var http = new HttpClient();
        var raw = new RawFirestore(http, FirestoreEmulator.Host, projectId);
        var idleBefore = BaseTime.AddHours(-1);

        // Ours: idle, and busy. The seed's (status, feature, totals, createdAt, lastUpdatedAt only): idle twice, and busy.
        for (var i = 0; i < 3; i++)
        {
            await store.RecordSessionStepAsync(Step(_user, $"ours-idle-{i}", "step-1", at: BaseTime.AddHours(-3).AddMinutes(i)));
        }

        await store.RecordSessionStepAsync(Step(_user, "ours-busy", "step-1", at: BaseTime));
        foreach (var (id, lastUpdated) in new[] { ("seed-idle-a", BaseTime.AddHours(-5)), ("seed-idle-b", BaseTime.AddHours(-2)), ("seed-busy", BaseTime.AddMinutes(-5)) })
        {
            await raw.PutAsync($"SessionUsage/{_user}/sessions/{id}", $$$"""
                {"feature":{"stringValue":"google_maps"},"status":{"stringValue":"in-progress"},"totalCost":{"doubleValue":0.00283},"totalRuns":{"integerValue":"0"},
                 "steps":{"arrayValue":{}},"createdAt":{"timestampValue":"{{{FormatTimestamp(lastUpdated)}}}"},"lastUpdatedAt":{"timestampValue":"{{{FormatTimestamp(lastUpdated)}}}"}}
                """);
        }

        // One session a page, so that the listing crosses from this store's query to the seed's one mid-way.
        var listed = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListIdleSessionsAsync(idleBefore, 1, token);
            listed.AddRange(page.Items.Select(k => k.SessionId));
            token = page.ContinuationToken;
        }
        while (token is not null);

        listed.Should().Equal(["ours-idle-0", "ours-idle-1", "ours-idle-2", "seed-idle-a", "seed-idle-b"], "this store's sessions by lastUpdatedMicros, then the seed's by lastUpdatedAt, each once");
        (await ListAllIdleAsync(store, idleBefore)).Select(k => k.SessionId).Should().Equal(listed, "a big page gives the same sessions");
        (await store.AbandonIfIdleAsync(new SessionKey(_user, "seed-idle-b"), idleBefore, BaseTime)).Should().BeTrue();
        (await store.AbandonIfIdleAsync(new SessionKey(_user, "seed-busy"), idleBefore, BaseTime)).Should().BeFalse("it was updated five minutes ago");
        var abandoned = await store.GetSessionAsync(_user, "seed-idle-b");
        abandoned!.Status.Should().Be(SessionStatus.Abandoned);
        abandoned.AbandonedAt.Should().Be(BaseTime);
        (await ListAllIdleAsync(store, idleBefore)).Select(k => k.SessionId).Should().NotContain("seed-idle-b");
    }

    // ---------------------------------------------------------------- analytics

    [Test]
    public async Task AggregateSessionsAsync_CostsADoubleCannotHold_SumsExactlyToTheNano()
    {
        var era = new DateTimeOffset(2016, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.RecordSessionStepAsync(Step(_user, "a", "x", cost: 123_456_789.123456789m, at: era));
        await Store.RecordSessionStepAsync(Step(_user, "b", "x", cost: 0.000000001m, at: era.AddSeconds(1)));
        await Store.RecordSessionStepAsync(Step(_user, "c", "x", cost: 0.000000001m, at: era.AddSeconds(2)));

        var mine = await Store.AggregateSessionsAsync(new SessionRange(_user, era, era.AddMinutes(1)));
        var everyone = await Store.AggregateSessionsAsync(new SessionRange(null, era, era.AddSeconds(2)));

        mine[SessionStatus.InProgress].Should().Be(new CostBreakdown(123_456_789.123456791m, 3));
        everyone[SessionStatus.InProgress].Should().Be(new CostBreakdown(123_456_789.12345679m, 2), "the range's end is excluded");
        mine[SessionStatus.Completed].Should().Be(new CostBreakdown(0m, 0));
    }

    // ---------------------------------------------------------------- several instances

    [Test]
    public async Task TryReserveAsync_TwoInstancesRacing32Each_NeverAcceptMoreThanTheLimit()
    {
        var stores = new[] { NewStore(), NewStore() };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await stores[i % 2].TryReserveAsync(Reservation($"r{i:D2}", 0.10m, BaseTime, TimeSpan.FromMinutes(10)));
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(racers);

        results.Count(r => r.Accepted).Should().Be(10);
        results.Where(r => r.Accepted).Should().OnlyContain(r => r.Usage.ReservedCost <= 1.00m);
        (await Store.GetBudgetUsageAsync(_user, BaseMonth, BaseTime)).Should().Be(new BudgetUsage(0m, 0, 1.00m, 10));
        (await Raw.FieldsAsync($"CostBudgets/{_user}/months/2026-03")).Map("reservations").EnumerateObject().Should().HaveCount(10);
    }

    // ---------------------------------------------------------------- helpers

    private ReservationRequest Reservation(string id, decimal cost, DateTimeOffset now, TimeSpan ttl, long runs = 1) => new()
    {
        UserId = _user,
        Month = UsageMonth.FromTimestamp(now),
        ReservationId = id,
        Cost = cost,
        Runs = runs,
        CostLimit = 1.00m,
        Now = now,
        ExpiresAt = now + ttl,
    };

    private static StepRepricing Price(string operationId, decimal cost) => new(operationId, cost, "test.price", new DateOnly(2025, 3, 1));

    private static string FormatTimestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string FirestoreMicros(DateTimeOffset t) => ((t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<SessionKey>> ListAllIdleAsync(FirestoreUsageStore store, DateTimeOffset idleBefore)
    {
        var all = new List<SessionKey>();
        string? token = null;
        do
        {
            var page = await store.ListIdleSessionsAsync(idleBefore, 50, token);
            all.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        return all;
    }

    private static string RawUpdate(string projectId, string path, string fieldsJson) => $$$"""{"update":{"name":"projects/{{{projectId}}}/databases/(default)/documents/{{{path}}}","fields":{{{fieldsJson}}}}}""";

    /// <summary>Commits raw writes in one request, past the store.</summary>
    private static async Task CommitRawAsync(string projectId, params string[] writes)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{FirestoreEmulator.Host}/v1/projects/{projectId}/databases/(default)/documents:commit")
        {
            Content = new StringContent("{\"writes\":[" + string.Join(",", writes) + "]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }
}
