using System.Diagnostics;
using CostTracking.Firestore.Tests.Support;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>Sessions whose steps would not fit in one 1 MiB document: every step kept, exact totals, the seed's inline array marked truncated.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    [Test]
    public async Task RecordSessionStepAsync_FiveThousandStepsWithMetadata_KeepsEveryStepInAppendOrderWithExactTotals()
    {
        const int writers = 4;
        const int perWriter = 1250;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var metadata = new Dictionary<string, object?>
                {
                    ["query"] = $"pizza near me, page {i} of writer {w}, with some padding to make the step realistic",
                    ["results"] = (long)i,
                    ["latency_ms"] = 12.5 + i,
                    ["tags"] = new List<object?> { "maps", "autocomplete", w.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                };
                var outcome = await _store.RecordSessionStepAsync(Step(_user, "s-big", $"w{w}-{i:D5}", cost: 0.00283m, billable: i % 10 == 0, at: BaseTime.AddMilliseconds(i), metadata: metadata));
                outcome.Should().Be(RecordOutcome.Recorded);
            }
        })));
        var writeTime = clock.Elapsed;

        clock.Restart();
        var session = await _store.GetSessionAsync(_user, "s-big");
        var readTime = clock.Elapsed;
        TestContext.Out.WriteLine($"5,000 steps: written in {writeTime.TotalSeconds:0.0} s by {writers} writers, read back in {readTime.TotalSeconds:0.0} s.");

        const int total = writers * perWriter;
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(total);
            session.Steps.Should().HaveCount(total);
            session.Steps.Select(s => s.OperationId).Should().OnlyHaveUniqueItems();
            session.TotalCost.Should().Be(0.00283m * total);
            session.Steps.Sum(s => s.Cost).Should().Be(session.TotalCost);
            session.TotalRuns.Should().Be(writers * (perWriter / 10));
            for (var w = 0; w < writers; w++)
            {
                var prefix = $"w{w}-";
                session.Steps.Select(s => s.OperationId).Where(id => id.StartsWith(prefix, StringComparison.Ordinal))
                    .Should().BeInAscendingOrder("each writer's steps come back in the order they were appended");
            }

            session.Steps[^1].Metadata["results"].Should().BeOfType<long>();
        }

        var summary = await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.SessionOperationCount.Should().Be(total);
        summary.SessionCost.Should().Be(0.00283m * total);

        // The seed's document stayed under the 1 MiB limit: its inline array holds a prefix, flagged as truncated.
        var fields = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-big");
        fields.Boolean("stepsTruncated").Should().BeTrue();
        fields.Integer("stepCount").Should().Be(total);
        fields.IntegerText("totalCostNanos").Should().Be((2_830_000L * total).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var inline = fields.Array("steps").Length;
        inline.Should().BeGreaterThan(100).And.BeLessThan(total);
        var size = await Raw.StorageSizeAsync($"SessionUsage/{_user}/sessions/s-big");
        size.Should().BeLessThan(1_048_576 / 2, "the inline copies stop well before the 1 MiB limit");
        TestContext.Out.WriteLine($"{inline} of {total} steps are inline in the session document ({size:N0} bytes stored).");
    }

    [Test]
    public async Task RecordSessionStepAsync_StepTooBigToCopyInline_IsKeptAndTheInlineArrayIsMarkedTruncated()
    {
        var big = new Dictionary<string, object?> { ["prompt"] = new string('p', 20_000) };

        await _store.RecordSessionStepAsync(Step(_user, "s-1", "small-1", cost: 1m));
        await _store.RecordSessionStepAsync(Step(_user, "s-1", "big", cost: 2m, metadata: big));
        await _store.RecordSessionStepAsync(Step(_user, "s-2", "big-first", cost: 4m, metadata: big));

        var one = await _store.GetSessionAsync(_user, "s-1");
        one!.Steps.Select(s => s.OperationId).Should().Equal("small-1", "big");
        one.Steps[1].Metadata["prompt"].Should().Be(new string('p', 20_000));
        one.TotalCost.Should().Be(3m);
        var fields = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        fields.Boolean("stepsTruncated").Should().BeTrue();
        fields.Array("steps").Should().ContainSingle();
        var created = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-2");
        created.Boolean("stepsTruncated").Should().BeTrue();
        created.Array("steps").Should().BeEmpty();
        (await _store.GetSessionAsync(_user, "s-2"))!.Steps.Single().OperationId.Should().Be("big-first");
    }

    [Test]
    public async Task RecordSessionStepAsync_SessionDocumentAlmostFull_FallsBackToTheStepDocumentAlone()
    {
        // A session document another writer (or an older version) filled to just under 1 MiB: the inline copy cannot fit.
        await _store.CreateSessionAsync(_user, "s-full", "maps", BaseTime);
        var padding = new string('x', 1_048_150);
        var fields0 = "{\"userId\":{\"stringValue\":\"" + _user + "\"},\"sessionId\":{\"stringValue\":\"s-full\"},\"feature\":{\"stringValue\":\"maps\"},"
            + "\"status\":{\"stringValue\":\"in-progress\"},\"createdAt\":{\"timestampValue\":\"2026-03-10T12:00:00.123456Z\"},"
            + "\"steps\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"" + padding + "\"}]}}}";
        await Raw.PutAsync($"SessionUsage/{_user}/sessions/s-full", fields0);
        var logger = new CapturingLogger();
        var store = NewStore(logger: logger);

        (await store.RecordSessionStepAsync(Step(_user, "s-full", "step-1", cost: 0.5m))).Should().Be(RecordOutcome.Recorded);
        (await store.RecordSessionStepAsync(Step(_user, "s-full", "step-2", cost: 0.25m))).Should().Be(RecordOutcome.Recorded);

        var session = await store.GetSessionAsync(_user, "s-full");
        session!.Steps.Select(s => s.OperationId).Should().Equal("step-1", "step-2");
        session.TotalCost.Should().Be(0.75m);
        var fields = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-full");
        fields.Boolean("stepsTruncated").Should().BeTrue();
        fields.Array("steps").Should().ContainSingle("only the padding: neither step was copied inline");
        logger.Lines.Count(l => l.Contains("without the inline copy", StringComparison.Ordinal)).Should().Be(1, "the second step knew the session was full");
    }
}
