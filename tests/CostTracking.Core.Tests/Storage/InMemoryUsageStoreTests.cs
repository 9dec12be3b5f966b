using CostTracking.Storage;

namespace CostTracking.Tests.Storage;

/// <summary>What the in-memory store does beyond the contract suite: failures that must leave nothing half-written.</summary>
public sealed class InMemoryUsageStoreTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    // 9.2e9 USD is the most a long of nano-dollars can hold.
    private const decimal Huge = 5_000_000_000m;

    [Test]
    public async Task RecordOperationAsync_SummaryWouldOverflow_ThrowsAndStoresNothing()
    {
        var store = new InMemoryUsageStore();
        (await store.RecordOperationAsync(Operation("op-1", Huge))).Should().Be(RecordOutcome.Recorded);

        var act = async () => await store.RecordOperationAsync(Operation("op-2", Huge));

        await act.Should().ThrowAsync<OverflowException>();
        (await store.ListOperationsAsync("u", UsageType.ApiUsage, new OperationQuery())).Items.Select(o => o.OperationId).Should().Equal("op-1");
        var summary = await store.GetMonthlySummaryAsync("u", UsageType.ApiUsage, new UsageMonth(2026, 3));
        summary.TotalCost.Should().Be(Huge);
        summary.OperationCount.Should().Be(1);
        // The failed id was not taken: a smaller retry under it is recorded.
        (await store.RecordOperationAsync(Operation("op-2", 1m))).Should().Be(RecordOutcome.Recorded);
    }

    [Test]
    public async Task RecordSessionStepAsync_SessionTotalWouldOverflow_ThrowsAndAppendsNothing()
    {
        var store = new InMemoryUsageStore();
        // Two months, so that only the session's total overflows, not a monthly summary.
        (await store.RecordSessionStepAsync(Step("s-1", "step-1", Huge, At))).Should().Be(RecordOutcome.Recorded);

        var act = async () => await store.RecordSessionStepAsync(Step("s-1", "step-2", Huge, At.AddMonths(1)));

        await act.Should().ThrowAsync<OverflowException>();
        var session = await store.GetSessionAsync("u", "s-1");
        session!.Steps.Select(s => s.OperationId).Should().Equal("step-1");
        session.StepCount.Should().Be(1);
        session.TotalCost.Should().Be(Huge);
        (await store.GetMonthlySummaryAsync("u", UsageType.ApiUsage, new UsageMonth(2026, 4))).OperationCount.Should().Be(0);
        (await store.RecordSessionStepAsync(Step("s-1", "step-2", 1m, At.AddMonths(1)))).Should().Be(RecordOutcome.Recorded);
    }

    [Test]
    public async Task RecordSessionStepAsync_SummaryWouldOverflow_ThrowsAndCreatesNoSession()
    {
        var store = new InMemoryUsageStore();
        (await store.RecordOperationAsync(Operation("op-1", Huge))).Should().Be(RecordOutcome.Recorded);

        var act = async () => await store.RecordSessionStepAsync(Step("s-new", "step-1", Huge, At));

        await act.Should().ThrowAsync<OverflowException>();
        (await store.GetSessionAsync("u", "s-new")).Should().BeNull();
        var summary = await store.GetMonthlySummaryAsync("u", UsageType.ApiUsage, new UsageMonth(2026, 3));
        summary.OperationCount.Should().Be(1);
        summary.SessionOperationCount.Should().Be(0);
    }

    private static UsageOperation Operation(string id, decimal cost) => new()
    {
        OperationId = id,
        UserId = "u",
        UsageType = UsageType.ApiUsage,
        Feature = "f",
        Provider = "p",
        Cost = cost,
        Timestamp = At,
    };

    private static SessionStepEntry Step(string sessionId, string id, decimal cost, DateTimeOffset at) => new()
    {
        UserId = "u",
        SessionId = sessionId,
        SessionFeature = "p",
        Step = new SessionStep { OperationId = id, UsageType = UsageType.ApiUsage, Feature = "f", Provider = "p", Cost = cost, Timestamp = at },
    };
}
