using System.Text;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Pricing;
using CostTracking.Storage;

namespace CostTracking.Firestore.Tests;

/// <summary>Ids that would change a document path are refused before any request leaves the process.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    private static readonly string[] BadIds =
    [
        "a/b",
        "../other-user",
        ".",
        "..",
        "__x__",
        "__name__",
        "",
        " ",
        "tab\there",
        new string('x', 1501),
        string.Concat(Enumerable.Repeat("é", 751)), // 1,502 bytes in UTF-8
    ];

    private static IEnumerable<TestCaseData> BadIdCases() => BadIds.Select(id => new TestCaseData(id).SetArgDisplayNames(Display(id)));

    [TestCaseSource(nameof(BadIdCases))]
    public async Task Calls_IdThatIsNotAPathSegment_ThrowArgumentExceptionAndSendNothing(string bad)
    {
        CountingHandler counting = null!;
        var store = NewStore(inner => counting = new CountingHandler(inner));
        var calls = new Func<Task>[]
        {
            async () => await store.RecordOperationAsync(Operation(bad, "op-1")),
            async () => await store.RecordOperationAsync(Operation(_user, bad)),
            async () => await store.RecordSessionStepAsync(Step(bad, "s-1", "step-1")),
            async () => await store.RecordSessionStepAsync(Step(_user, bad, "step-1")),
            async () => await store.RecordSessionStepAsync(Step(_user, "s-1", bad)),
            () => store.CreateSessionAsync(bad, "s-1", "maps", BaseTime),
            () => store.CreateSessionAsync(_user, bad, "maps", BaseTime),
            () => store.CloseSessionAsync(bad, "s-1", SessionStatus.Completed, BaseTime),
            () => store.CloseSessionAsync(_user, bad, SessionStatus.Completed, BaseTime),
            () => store.GetSessionAsync(bad, "s-1"),
            () => store.GetSessionAsync(_user, bad),
            () => store.ListSessionsAsync(bad, new SessionQuery()),
            () => store.ListOperationsAsync(bad, UsageType.ApiUsage, new OperationQuery()),
            () => store.GetMonthlySummaryAsync(bad, UsageType.ApiUsage, BaseMonth),
            // A continuation token is opaque, but a forged one naming a bad id is refused too.
            () => store.ListSessionsAsync(_user, new SessionQuery { ContinuationToken = Forge("fs-s1:0:" + bad) }),
            () => store.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery { ContinuationToken = Forge("fs-o1:0:" + bad) }),

            // The lifecycle calls: idle sweep, analytics, budgets and alerts.
            () => store.AbandonIfIdleAsync(new SessionKey(bad, "s-1"), BaseTime, BaseTime),
            () => store.AbandonIfIdleAsync(new SessionKey(_user, bad), BaseTime, BaseTime),
            () => store.AggregateSessionsAsync(new SessionRange(bad, BaseTime, BaseTime.AddDays(1))),
            async () => await store.ReadSessionsAsync(new SessionRange(bad, BaseTime, BaseTime.AddDays(1))).ToListAsync(),
            () => store.TryReserveAsync(Reservation(bad, "rsv-1")),
            () => store.TryReserveAsync(Reservation(_user, bad)),
            () => store.ReleaseReservationAsync(bad, BaseMonth, "rsv-1"),
            () => store.ReleaseReservationAsync(_user, BaseMonth, bad),
            () => store.GetBudgetUsageAsync(bad, BaseMonth, BaseTime),
            () => store.TryMarkAlertAsync(bad, "cost-50", BaseTime),
            () => store.TryMarkAlertAsync(_user, bad, BaseTime),
            () => store.RepriceSessionAsync(new SessionKey(bad, "s-1"), Repricing("step-1"), BaseTime),
            () => store.RepriceSessionAsync(new SessionKey(_user, bad), Repricing("step-1"), BaseTime),

            // (A re-priced step id that is not a valid id names no step: it never becomes a path, and is ignored as any id
            // not in the session is, by the lifecycle contract.)
        };

        for (var i = 0; i < calls.Length; i++)
        {
            await calls[i].Should().ThrowAsync<ArgumentException>("call {0} must refuse id '{1}'", i, Display(bad));
        }

        counting.Count.Should().Be(0, "nothing may reach Firestore with an unsafe id");
    }

    [Test]
    public async Task Calls_ReservedFeatureOrProviderName_ThrowArgumentExceptionAndSendNothing()
    {
        CountingHandler counting = null!;
        var store = NewStore(inner => counting = new CountingHandler(inner));

        await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1", feature: "__x__"))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1", provider: ""))).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.RecordSessionStepAsync(Step(_user, "s-1", "a", sessionFeature: "__s__"))).Should().ThrowAsync<ArgumentException>();

        counting.Count.Should().Be(0);
    }

    [Test]
    public async Task Calls_IdsWithUnusualCharacters_AreStoredUnderExactlyThatId()
    {
        var user = "user é 漢 %20 ?#+()" + Guid.NewGuid().ToString("N")[..6];

        await _store.RecordOperationAsync(Operation(user, "op %2F é", cost: 1m));
        await _store.RecordSessionStepAsync(Step(user, "session ?#", "step + ()", cost: 2m));

        (await Raw.GetAsync($"ApiUsage/{user}/operations/op %2F é")).Should().NotBeNull();
        (await Raw.GetAsync($"SessionUsage/{user}/sessions/session ?#/steps/step + ()")).Should().NotBeNull();
        (await _store.ListOperationsAsync(user, UsageType.ApiUsage, new OperationQuery())).Items.Single().OperationId.Should().Be("op %2F é");
        (await _store.GetSessionAsync(user, "session ?#"))!.Steps.Single().OperationId.Should().Be("step + ()");
        (await _store.ListSessionsAsync(user, new SessionQuery())).Items.Single().SessionId.Should().Be("session ?#");
    }

    private static ReservationRequest Reservation(string userId, string reservationId) => new()
    {
        UserId = userId,
        Month = BaseMonth,
        ReservationId = reservationId,
        Cost = 1m,
        Runs = 1,
        CostLimit = 10m,
        Now = BaseTime,
        ExpiresAt = BaseTime.AddMinutes(10),
    };

        private static SessionRepricing Repricing(string stepId) => new("test-policy", [new StepRepricing(stepId, 0m, "google_maps.places_autocomplete_session", new DateOnly(2025, 3, 1))]);

        private static string Forge(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Display(string id) => id.Length > 20 ? $"{id[..8]}…({Encoding.UTF8.GetByteCount(id)} bytes)" : id.Replace("\t", "\\t", StringComparison.Ordinal);
}
