using CostTracking.Storage;
using CostTracking.Testing;
using FluentAssertions.Execution;

namespace CostTracking.Tests;

public sealed class SessionTrackerTests
{
    private CostTrackingHarness _harness = null!;
    private string _userId = null!;

    private ISessionTracker Sessions => _harness.Sessions;

    [SetUp]
    public void SetUp()
    {
        _harness = CostTrackingHarness.Create();
        _userId = CostTrackingHarness.NewUserId();
    }

    [TearDown]
    public void TearDown() => _harness.Dispose();

    [Test]
    public async Task StartSessionAsync_CallersId_CreatesAnEmptyInProgressSession()
    {
        var session = await Sessions.StartSessionAsync(_userId, "google_maps", "search-1");

        using (new AssertionScope())
        {
            session.UserId.Should().Be(_userId);
            session.SessionId.Should().Be("search-1");
            session.Feature.Should().Be("google_maps");
            session.Status.Should().Be(SessionStatus.InProgress);
            session.CreatedAt.Should().Be(Now());
            session.LastUpdatedAt.Should().Be(Now());
            session.Steps.Should().BeEmpty();
            session.StepCount.Should().Be(0);
            session.TotalCost.Should().Be(0m);
            session.ClosedAt.Should().BeNull();
        }

        (await Sessions.GetSessionAsync(_userId, "search-1")).Should().NotBeNull();
    }

    [Test]
    public async Task StartSessionAsync_NoId_GeneratesAUniqueValidId()
    {
        var first = await Sessions.StartSessionAsync(_userId, "google_maps");
        var second = await Sessions.StartSessionAsync(_userId, "google_maps");

        UsageIds.IsValid(first.SessionId).Should().BeTrue();
        UsageIds.IsValid(second.SessionId).Should().BeTrue();
        first.SessionId.Should().NotBe(second.SessionId);
        (await Sessions.GetUserSessionsAsync(_userId)).Items.Select(s => s.SessionId).Should().BeEquivalentTo(first.SessionId, second.SessionId);
    }

    [Test]
    public async Task StartSessionAsync_Twice_ReturnsTheExistingSessionUnchanged()
    {
        var first = await Sessions.StartSessionAsync(_userId, "google_maps", "search-1");
        await Sessions.AddStepAsync(Step("search-1", 0.00283m));
        _harness.Time.Advance(TimeSpan.FromMinutes(3));

        var second = await Sessions.StartSessionAsync(_userId, "pinecone", "search-1");

        second.SessionId.Should().Be("search-1");
        second.Feature.Should().Be("google_maps");
        second.CreatedAt.Should().Be(first.CreatedAt);
        second.StepCount.Should().Be(1);
        second.TotalCost.Should().Be(0.00283m);
        (await Sessions.GetUserSessionsAsync(_userId)).Items.Should().ContainSingle();
    }

    [Test]
    public async Task AddStepAsync_StartedSession_KeepsTheStartedFeatureAndAddsTheStep()
    {
        await Sessions.StartSessionAsync(_userId, "maps_search", "search-1");
        _harness.Time.Advance(TimeSpan.FromSeconds(2));

        var result = await Sessions.AddStepAsync(Step("search-1", 0.017m, operationId: "details"));

        result.Should().Be(new RecordUsageResult("details", RecordOutcome.Recorded));
        var session = await Sessions.GetSessionAsync(_userId, "search-1");
        session!.Feature.Should().Be("maps_search");
        session.Steps.Single().Timestamp.Should().Be(Now());
        session.LastUpdatedAt.Should().Be(Now());
        session.TotalCost.Should().Be(0.017m);
    }

    [Test]
    public async Task AddStepAsync_NoSessionId_ThrowsNamingItAndWritesNothing()
    {
        var record = Step(sessionId: null, 0.01m);

        var act = async () => await Sessions.AddStepAsync(record);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("record.SessionId");
        _harness.Store.WriteCalls.Should().Be(0);
    }

    [Test]
    public async Task FinalizeSessionAsync_AbandonedThenCompleted_FirstCloseWins()
    {
        await Sessions.AddStepAsync(Step("search-1", 0.00283m));
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        var abandonedAt = Now();

        var abandoned = await Sessions.FinalizeSessionAsync(_userId, "search-1", SessionStatus.Abandoned);
        _harness.Time.Advance(TimeSpan.FromMinutes(1));
        var completed = await Sessions.FinalizeSessionAsync(_userId, "search-1", SessionStatus.Completed);
        var viaCostTracker = await _harness.Tracker.FinalizeSessionAsync(_userId, "search-1");

        foreach (var session in new[] { abandoned, completed, viaCostTracker })
        {
            session.Status.Should().Be(SessionStatus.Abandoned);
            session.AbandonedAt.Should().Be(abandonedAt);
            session.CompletedAt.Should().BeNull();
        }
    }

    [Test]
    public async Task FinalizeSessionAsync_CompletedThenAbandoned_StaysCompleted()
    {
        await Sessions.StartSessionAsync(_userId, "google_maps", "search-1");
        await Sessions.FinalizeSessionAsync(_userId, "search-1");

        var second = await Sessions.FinalizeSessionAsync(_userId, "search-1", SessionStatus.Abandoned);

        second.Status.Should().Be(SessionStatus.Completed);
        second.AbandonedAt.Should().BeNull();
    }

    [Test]
    public async Task FinalizeSessionAsync_RacingCompletesAndAbandons_EveryCallSeesTheSameWinner()
    {
        await Sessions.StartSessionAsync(_userId, "google_maps", "search-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Sessions.FinalizeSessionAsync(_userId, "search-1", i % 2 == 0 ? SessionStatus.Completed : SessionStatus.Abandoned))));

        results.Select(r => r.Status).Distinct().Should().ContainSingle().Which.Should().NotBe(SessionStatus.InProgress);
        results.Should().AllSatisfy(r => (r.CompletedAt is null).Should().NotBe(r.AbandonedAt is null));
    }

    [TestCase(SessionStatus.InProgress)]
    [TestCase((SessionStatus)9)]
    public async Task FinalizeSessionAsync_StatusThatDoesNotClose_ThrowsNamingItAndWritesNothing(SessionStatus status)
    {
        await Sessions.StartSessionAsync(_userId, "google_maps", "search-1");
        var writes = _harness.Store.WriteCalls;

        var act = async () => await Sessions.FinalizeSessionAsync(_userId, "search-1", status);

        var thrown = (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which;
        thrown.ParamName.Should().Be("status");
        thrown.ActualValue.Should().Be(status);
        _harness.Store.WriteCalls.Should().Be(writes);
        (await Sessions.GetSessionAsync(_userId, "search-1"))!.Status.Should().Be(SessionStatus.InProgress);
    }

    [Test]
    public async Task FinalizeSessionAsync_UnknownSession_ThrowsSessionNotFound()
    {
        var act = async () => await Sessions.FinalizeSessionAsync(_userId, "missing", SessionStatus.Abandoned);

        var thrown = (await act.Should().ThrowAsync<SessionNotFoundException>()).Which;
        thrown.SessionId.Should().Be("missing");
        thrown.UserId.Should().Be(_userId);
        (await Sessions.GetSessionAsync(_userId, "missing")).Should().BeNull();
    }

    [Test]
    public async Task AddStepAsync_AfterClose_IsKeptCountedAndListedAsAStepAfterClose()
    {
        await Sessions.AddStepAsync(Step("search-1", 0.00283m, operationId: "autocomplete"));
        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        await Sessions.FinalizeSessionAsync(_userId, "search-1");
        var closedAt = Now();
        _harness.Time.Advance(TimeSpan.FromSeconds(5));

        var late = await Sessions.AddStepAsync(Step("search-1", 0.017m, operationId: "late-details"));

        late.IsRecorded.Should().BeTrue();
        var session = await Sessions.GetSessionAsync(_userId, "search-1");
        using (new AssertionScope())
        {
            session!.Status.Should().Be(SessionStatus.Completed);
            session.CompletedAt.Should().Be(closedAt);
            session.Steps.Select(s => s.OperationId).Should().Equal("autocomplete", "late-details");
            session.StepsAfterClose.Select(s => s.OperationId).Should().Equal("late-details");
            session.TotalCost.Should().Be(0.01983m);
        }

        var summary = await _harness.Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.SessionCost.Should().Be(0.01983m);
    }

    [Test]
    public async Task StepsAfterClose_OpenSession_IsEmpty()
    {
        await Sessions.AddStepAsync(Step("search-1", 0.00283m));
        _harness.Time.Advance(TimeSpan.FromSeconds(5));
        await Sessions.AddStepAsync(Step("search-1", 0.00283m));

        (await Sessions.GetSessionAsync(_userId, "search-1"))!.StepsAfterClose.Should().BeEmpty();
    }

    [Test]
    public async Task GetUserSessionsAsync_StatusFilter_ListsOnlyThatStatus()
    {
        await Sessions.StartSessionAsync(_userId, "google_maps", "open");
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Sessions.StartSessionAsync(_userId, "google_maps", "done");
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Sessions.StartSessionAsync(_userId, "google_maps", "gave-up");
        await Sessions.FinalizeSessionAsync(_userId, "done");
        await Sessions.FinalizeSessionAsync(_userId, "gave-up", SessionStatus.Abandoned);

        (await Sessions.GetUserSessionsAsync(_userId, new SessionQuery { Status = SessionStatus.Abandoned })).Items.Select(s => s.SessionId).Should().Equal("gave-up");
        (await Sessions.GetUserSessionsAsync(_userId, new SessionQuery { Status = SessionStatus.InProgress })).Items.Select(s => s.SessionId).Should().Equal("open");
        (await Sessions.GetUserSessionsAsync(_userId)).Items.Select(s => s.SessionId).Should().Equal("gave-up", "done", "open");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("__x__")]
    public async Task StartSessionAsync_BadFeature_ThrowsNamingItAndWritesNothing(string? feature)
    {
        var act = async () => await Sessions.StartSessionAsync(_userId, feature!, "s-1");

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("feature");
        _harness.Store.WriteCalls.Should().Be(0);
    }

    [TestCase("a/b")]
    [TestCase("..")]
    [TestCase(" ")]
    public async Task StartSessionAsync_BadIds_ThrowNamingThemAndWriteNothing(string id)
    {
        var badSession = async () => await Sessions.StartSessionAsync(_userId, "google_maps", id);
        var badUser = async () => await Sessions.StartSessionAsync(id, "google_maps", "s-1");

        (await badSession.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("sessionId");
        (await badUser.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("userId");
        _harness.Store.WriteCalls.Should().Be(0);
    }

    private UsageRecord Step(string? sessionId, decimal cost, string? operationId = null) => new()
    {
        UserId = _userId,
        UsageType = UsageType.ApiUsage,
        Feature = "google_maps_autocomplete",
        Provider = "google_maps",
        Cost = cost,
        SessionId = sessionId,
        OperationId = operationId,
    };

    private DateTimeOffset Now()
    {
        var ticks = _harness.Time.GetUtcNow().UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }
}
