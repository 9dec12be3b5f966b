using System.Collections.Concurrent;
using CostTracking.Firestore.Tests.Support;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>Two app instances (two stores, two connection pools) writing to one user, month and session at once.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    [Test]
    public async Task RecordAsync_TwoStoresSixteenWritersEach_TotalsExactToTheNanoAndEveryStepPresent()
    {
        const int writers = 16;
        const int perWriter = 6;
        var stores = new[] { NewStore(), NewStore() };
        var outcomes = new ConcurrentBag<(string Id, RecordOutcome Outcome)>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = stores.SelectMany((store, s) => Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < perWriter; i++)
            {
                // Each writer's own step, a step both instances record under the same id, and a standalone operation.
                var own = $"step-{s}-{w:D2}-{i}";
                outcomes.Add((own, await store.RecordSessionStepAsync(Step(_user, "s-shared", own, cost: 0.000000007m, billable: i == 0, at: BaseTime.AddSeconds(i)))));
                var shared = $"both-{w:D2}-{i}";
                outcomes.Add((shared, await store.RecordSessionStepAsync(Step(_user, "s-shared", shared, cost: 0.00283m, type: UsageType.AIUsage, at: BaseTime.AddSeconds(i)))));
                var op = $"op-{s}-{w:D2}-{i}";
                outcomes.Add((op, await store.RecordOperationAsync(Operation(_user, op, cost: 0.123456789m, billable: true, at: BaseTime.AddSeconds(i)))));
            }
        }))).ToArray();
        start.SetResult();
        await Task.WhenAll(running);

        var ownSteps = 2 * writers * perWriter;
        var sharedSteps = writers * perWriter;
        var operations = 2 * writers * perWriter;
        using (new AssertionScope())
        {
            outcomes.Where(o => o.Id.StartsWith("step-", StringComparison.Ordinal)).Should().OnlyContain(o => o.Outcome == RecordOutcome.Recorded);
            outcomes.Where(o => o.Id.StartsWith("op-", StringComparison.Ordinal)).Should().OnlyContain(o => o.Outcome == RecordOutcome.Recorded);
            outcomes.Where(o => o.Id.StartsWith("both-", StringComparison.Ordinal)).GroupBy(o => o.Id)
                .Should().HaveCount(sharedSteps)
                .And.OnlyContain(g => g.Count(o => o.Outcome == RecordOutcome.Recorded) == 1, "the same step sent by both instances counts once");
        }

        var session = await _store.GetSessionAsync(_user, "s-shared");
        var api = await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        var ai = await _store.GetMonthlySummaryAsync(_user, UsageType.AIUsage, BaseMonth);
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(ownSteps + sharedSteps);
            session.Steps.Select(s => s.OperationId).Should().OnlyHaveUniqueItems().And.HaveCount(ownSteps + sharedSteps);
            session.TotalCost.Should().Be((ownSteps * 0.000000007m) + (sharedSteps * 0.00283m));
            session.TotalRuns.Should().Be(2 * writers);
            foreach (var writer in session.Steps.Where(s => s.OperationId.StartsWith("step-", StringComparison.Ordinal)).GroupBy(s => s.OperationId[..^2]))
            {
                writer.Select(s => s.OperationId).Should().BeInAscendingOrder("one writer's steps are appended in the order it sent them");
            }

            api.OperationCount.Should().Be(operations + ownSteps);
            api.TotalCost.Should().Be((operations * 0.123456789m) + (ownSteps * 0.000000007m));
            api.SessionCost.Should().Be(ownSteps * 0.000000007m);
            api.BillableRuns.Should().Be(operations + (2 * writers));
            ai.SessionOperationCount.Should().Be(sharedSteps);
            ai.TotalCost.Should().Be(sharedSteps * 0.00283m);
            (await Raw.ListIdsAsync($"ApiUsage/{_user}/operations")).Should().HaveCount(operations);
        }
    }
}
