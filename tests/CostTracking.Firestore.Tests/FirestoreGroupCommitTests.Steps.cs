using CostTracking.Storage;
using System.Text.Json;
using CostTracking.Firestore.Tests.Support;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>Session steps in group commit against the real emulator: batched with operations, exactly once, lost responses, new and deleted sessions, and the same documents as single commits.</summary>
public sealed partial class FirestoreGroupCommitTests
{
    [Test]
    public async Task RecordSessionStepAsync_ConcurrentStepsIntoTwoExistingSessions_FewerCommitsThanStepsAndExactTotalsAndInlineOrder()
    {
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 20));
        (await store.CreateSessionAsync(_user, "s-a", "maps", BaseTime)).Should().BeTrue();
        (await store.CreateSessionAsync(_user, "s-b", "maps", BaseTime)).Should().BeTrue();
        var before = Commits(counter);
        var steps = Enumerable.Range(0, 32).Select(i => Step(_user, i % 2 == 0 ? "s-a" : "s-b", $"step-{i:D2}", cost: 0.000000007m * (i + 1), billable: i % 4 == 0, feature: $"f{i % 3}", at: BaseTime.AddSeconds(i + 1))).ToArray();

        var outcomes = await Task.WhenAll(steps.Select(s => store.RecordSessionStepAsync(s).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        (Commits(counter) - before).Should().BeLessThan(steps.Length / 4, "steps waiting together share a commit");
        foreach (var sessionId in new[] { "s-a", "s-b" })
        {
            var mine = steps.Where(s => s.SessionId == sessionId).ToArray();
            var session = await _reader.GetSessionAsync(_user, sessionId);
            var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/{sessionId}");
            using (new AssertionScope())
            {
                session!.StepCount.Should().Be(16);
                session.TotalCost.Should().Be(mine.Sum(s => s.Step.Cost));
                session.TotalRuns.Should().Be(mine.Count(s => s.Step.IsBillableRun));
                session.LastUpdatedAt.Should().Be(mine[^1].Step.Timestamp);
                session.Steps.Select(s => s.OperationId).Should().Equal(mine.Select(s => s.Step.OperationId), "every step is there, in arrival order");
                raw.Array("steps").Select(e => e.GetProperty("mapValue").GetProperty("fields").String("operationId")).Should().Equal(mine.Select(s => s.Step.OperationId), "the inline copies are appended in arrival order");
                raw.Boolean("stepsTruncated").Should().BeFalse();
                raw.Integer("stepsNotInline").Should().Be(0);
                raw.Integer("stepCount").Should().Be(16);
            }
        }

        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.OperationCount.Should().Be(32);
            summary.SessionOperationCount.Should().Be(32);
            summary.TotalCost.Should().Be(0.000000007m * (32 * 33 / 2));
            summary.SessionCost.Should().Be(summary.TotalCost);
            summary.BillableRuns.Should().Be(8);
            summary.ByFeature.Values.Sum(b => b.Count).Should().Be(32);
            summary.ByFeature.Values.Sum(b => b.Cost).Should().Be(summary.TotalCost);
            summary.ByDay.Should().Equal(new Dictionary<int, CostBreakdown> { [BaseTime.Day] = new(summary.TotalCost, 32) });
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_StepsAndOperationsInOneBatch_ShareTheMonthlyWrite()
    {
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 50));
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        var before = Commits(counter);

        var calls = Enumerable.Range(0, 10).Select(i => i % 2 == 0
            ? store.RecordOperationAsync(Operation(_user, $"op-{i}", cost: 1m)).AsTask()
            : store.RecordSessionStepAsync(Step(_user, "s-1", $"step-{i}", cost: 2m)).AsTask()).ToArray();
        (await Task.WhenAll(calls)).Should().OnlyContain(o => o == RecordOutcome.Recorded);

        (Commits(counter) - before).Should().BeLessThan(5);
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(10);
        summary.TotalCost.Should().Be(15m);
        summary.SessionOperationCount.Should().Be(5);
        summary.SessionCost.Should().Be(10m);
        (await _reader.GetSessionAsync(_user, "s-1"))!.TotalCost.Should().Be(10m);
        (await _reader.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items.Should().HaveCount(5);
    }

    [Test]
    public async Task RecordSessionStepAsync_DuplicateStepIdsInsideAndAcrossBatches_CountOnceAndDoNotFailTheOthers()
    {
        (await _reader.RecordSessionStepAsync(Step(_user, "s-1", "step-elsewhere", cost: 1m))).Should().Be(RecordOutcome.Recorded);
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 50));
        (await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime)).Should().BeFalse("another instance created it with its first step");
        (await store.RecordSessionStepAsync(Step(_user, "s-1", "step-earlier", cost: 2m))).Should().Be(RecordOutcome.Recorded);

        var batch = new[]
        {
            store.RecordSessionStepAsync(Step(_user, "s-1", "step-new-1", cost: 0.1m)).AsTask(),
            store.RecordSessionStepAsync(Step(_user, "s-1", "step-elsewhere", cost: 50m)).AsTask(),
            store.RecordOperationAsync(Operation(_user, "op-1", cost: 0.4m)).AsTask(),
            store.RecordSessionStepAsync(Step(_user, "s-1", "step-new-1", cost: 0.1m)).AsTask(),
            store.RecordSessionStepAsync(Step(_user, "s-1", "step-earlier", cost: 60m)).AsTask(),
            store.RecordSessionStepAsync(Step(_user, "s-1", "step-new-2", cost: 0.2m)).AsTask(),
            store.RecordSessionStepAsync(Step(_user, "s-2", "step-new-1", cost: 0.3m)).AsTask(),
        };
        var outcomes = await Task.WhenAll(batch);

        outcomes.Should().Equal(RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded, RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded, RecordOutcome.AlreadyRecorded, RecordOutcome.Recorded, RecordOutcome.Recorded);
        counter.Urls.Should().Contain(u => u.EndsWith(":batchGet", StringComparison.Ordinal), "the failed commit is settled by reading which steps exist");
        var session = await _reader.GetSessionAsync(_user, "s-1");
        var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(4);
            session.TotalCost.Should().Be(3.3m);
            session.Steps.Select(s => s.OperationId).Should().BeEquivalentTo("step-elsewhere", "step-earlier", "step-new-1", "step-new-2");
            raw.Array("steps").Should().HaveCount(4);
            (await _reader.GetSessionAsync(_user, "s-2"))!.TotalCost.Should().Be(0.3m, "the same step id in another session is another step");
            var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
            summary.OperationCount.Should().Be(6);
            summary.SessionOperationCount.Should().Be(5);
            summary.TotalCost.Should().Be(4m);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_ResponseOfABatchWithStepsLost_RetriesAndReportsEveryRecordRecordedOnce()
    {
        LoseMatchingCommitHandler lose = null!;
        await using var store = NewStore(
            inner => lose = new LoseMatchingCommitHandler(new SlowCommitsHandler(inner, TimeSpan.FromMilliseconds(200)), body => body.Contains("/steps/step-3", StringComparison.Ordinal)),
            o =>
            {
                GroupCommit(delayMs: 50)(o);
                o.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            });
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);

        // The steps are committed together (step-0 perhaps alone first), and the response of the commit holding step-3 is lost.
        var calls = Enumerable.Range(0, 6).Select(i => store.RecordSessionStepAsync(Step(_user, "s-1", $"step-{i}", cost: 1m, at: BaseTime.AddSeconds(i))).AsTask())
            .Append(store.RecordOperationAsync(Operation(_user, "op-1", cost: 1m)).AsTask())
            .ToArray();
        var outcomes = await Task.WhenAll(calls);

        lose.Lost.Should().Be(1);
        lose.LostBody.Should().Contain("/steps/step-1").And.Contain("/steps/step-5", "the lost commit held several steps");
        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded, "this store's own first attempt stored them: their write tokens say so");
        var session = await _reader.GetSessionAsync(_user, "s-1");
        var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(6);
            session.TotalCost.Should().Be(6m);
            session.Steps.Select(s => s.OperationId).Should().Equal(Enumerable.Range(0, 6).Select(i => $"step-{i}"));
            raw.Array("steps").Should().HaveCount(6);
            (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(7);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_BatchWithStepsRefusedAsInvalid_EveryRecordIsCommittedAloneOnce()
    {
        var logger = new CapturingLogger();
        RefuseMatchingCommitHandler refuse = null!;
        await using var store = NewStore(
            inner => refuse = new RefuseMatchingCommitHandler(new SlowCommitsHandler(inner, TimeSpan.FromMilliseconds(200)), body => body.Contains("/steps/step-1\"", StringComparison.Ordinal) && body.Contains("/steps/step-2\"", StringComparison.Ordinal)),
            GroupCommit(delayMs: 50),
            logger: logger);
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);

        // step-0 goes at once; the others gather behind its commit and are refused together.
        var calls = Enumerable.Range(0, 6).Select(i => store.RecordSessionStepAsync(Step(_user, "s-1", $"step-{i}", cost: 1m, at: BaseTime.AddSeconds(i))).AsTask())
            .Append(store.RecordOperationAsync(Operation(_user, "op-1", cost: 1m)).AsTask())
            .ToArray();
        var outcomes = await Task.WhenAll(calls);

        refuse.Refused.Should().Be(1);
        logger.Lines.Should().Contain(l => l.Contains("committing them one by one", StringComparison.Ordinal));
        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        var session = await _reader.GetSessionAsync(_user, "s-1");
        var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(6);
            session.TotalCost.Should().Be(6m);
            session.Steps.Select(s => s.OperationId).Should().Equal(Enumerable.Range(0, 6).Select(i => $"step-{i}"));
            raw.Array("steps").Select(e => e.GetProperty("mapValue").GetProperty("fields").String("operationId")).Should().Equal(Enumerable.Range(0, 6).Select(i => $"step-{i}"));
            (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(7);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_ConcurrentStepsOfASessionThatDoesNotExistYet_CreateItOnceWithTheFirstStepsFeature()
    {
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 20));

        var first = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            store.RecordSessionStepAsync(Step(_user, "s-new", $"a-{i:D2}", cost: 0.01m, sessionFeature: "first_feature")).AsTask()));
        var before = Commits(counter);
        var second = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            store.RecordSessionStepAsync(Step(_user, "s-new", $"b-{i:D2}", cost: 0.02m, sessionFeature: "second_feature", at: BaseTime.AddSeconds(i + 1))).AsTask()));

        first.Concat(second).Should().OnlyContain(o => o == RecordOutcome.Recorded);
        (Commits(counter) - before).Should().BeLessThan(8, "once the session exists its steps share commits");
        var session = await _reader.GetSessionAsync(_user, "s-new");
        var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-new");
        using (new AssertionScope())
        {
            session!.Feature.Should().Be("first_feature");
            session.Status.Should().Be(SessionStatus.InProgress);
            session.CreatedAt.Should().Be(BaseTime);
            session.StepCount.Should().Be(32);
            session.TotalCost.Should().Be(0.48m);
            session.Steps.Select(s => s.OperationId).Should().OnlyHaveUniqueItems().And.HaveCount(32);
            raw.Array("steps").Select(e => e.GetProperty("mapValue").GetProperty("fields").String("operationId")).Should().OnlyHaveUniqueItems().And.HaveCount(32);
            (await Raw.ListIdsAsync($"SessionUsage/{_user}/sessions")).Should().Equal("s-new");
            (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).SessionOperationCount.Should().Be(32);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_KnownSessionDeletedByAnotherInstance_IsCreatedAgainByTheStepAndTheBatchsOperationsAreRecorded()
    {
        var longAgo = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var logger = new CapturingLogger();
        await using var store = NewStore(configure: GroupCommit(delayMs: 50), logger: logger);
        await store.CreateSessionAsync(_user, "s-old", "maps", longAgo);
        (await store.RecordSessionStepAsync(Step(_user, "s-old", "step-0", cost: 5m, at: longAgo))).Should().Be(RecordOutcome.Recorded);
        (await _reader.DeleteSessionsCreatedBeforeAsync(longAgo.AddDays(1), 10)).Should().Be(1);

        var outcomes = await Task.WhenAll(Enumerable.Range(1, 5).Select(i => store.RecordSessionStepAsync(Step(_user, "s-old", $"step-{i}", cost: 1m, at: BaseTime.AddSeconds(i))).AsTask())
            .Append(store.RecordOperationAsync(Operation(_user, "op-1", cost: 1m)).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        logger.Lines.Should().Contain(l => l.Contains("does not exist", StringComparison.Ordinal), "the batch met NOT_FOUND and its steps went alone");
        var session = await _reader.GetSessionAsync(_user, "s-old");
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(5, "the deleted session's old step went with it");
            session.TotalCost.Should().Be(5m);
            session.Steps.Select(s => s.OperationId).Should().BeEquivalentTo("step-1", "step-2", "step-3", "step-4", "step-5");
            var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
            summary.OperationCount.Should().Be(6);
            summary.SessionOperationCount.Should().Be(5);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_StepTooLargeToCopyInline_TakesTheSingleCommitAndTheOthersAreBatched()
    {
        await using var store = NewStore(configure: GroupCommit(delayMs: 50));
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        var big = new Dictionary<string, object?> { ["blob"] = new string('x', 20_000) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            store.RecordSessionStepAsync(Step(_user, "s-1", $"step-{i}", cost: 1m, at: BaseTime.AddSeconds(i), metadata: i == 2 ? big : null)).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        var session = await _reader.GetSessionAsync(_user, "s-1");
        var raw = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        using (new AssertionScope())
        {
            session!.StepCount.Should().Be(6);
            session.Steps.Should().HaveCount(6);
            session.Steps.Single(s => s.OperationId == "step-2").Metadata["blob"].Should().Be(big["blob"]);
            raw.Boolean("stepsTruncated").Should().BeTrue();

            // Once a step went without its copy the session counts as full, so steps still waiting then go without theirs too, as single commits do.
            var inline = raw.Array("steps").Select(e => e.GetProperty("mapValue").GetProperty("fields").String("operationId")).ToArray();
            inline.Should().NotContain("step-2").And.OnlyHaveUniqueItems();
            raw.Integer("stepsNotInline").Should().Be(6 - inline.Length);
            raw.Integer("stepCount").Should().Be(6);
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_Batch_WritesTheSameSessionDocumentAsSingleCommits()
    {
        var single = NewId("user");
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 50));
        await _reader.CreateSessionAsync(single, "s-1", "maps", BaseTime);
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        var before = Commits(counter);
        SessionStepEntry StepOf(string user, int i) => Step(user, "s-1", $"step-{i}", cost: 0.001m * (i + 1), billable: i % 2 == 1, feature: $"f{i % 2}", at: BaseTime.AddSeconds(i + 1),
            metadata: new Dictionary<string, object?> { ["i"] = (long)i, ["text"] = $"t{i}" });

        foreach (var i in Enumerable.Range(0, 6))
        {
            (await _reader.RecordSessionStepAsync(StepOf(single, i))).Should().Be(RecordOutcome.Recorded);
        }

        (await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.RecordSessionStepAsync(StepOf(_user, i)).AsTask()))).Should().OnlyContain(o => o == RecordOutcome.Recorded);

        (Commits(counter) - before).Should().BeLessThan(4, "the steps were batched");
        var expected = await Raw.FieldsAsync($"SessionUsage/{single}/sessions/s-1");
        var actual = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");
        actual.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(expected.EnumerateObject().Select(p => p.Name));
        using (new AssertionScope())
        {
            foreach (var field in expected.EnumerateObject())
            {
                if (field.Name is "userId" or "createToken")
                {
                    continue;
                }

                if (field.Value.TryGetProperty("doubleValue", out var number))
                {
                    actual.Double(field.Name).Should().BeApproximately(number.GetDouble(), 1e-12, field.Name);
                }
                else
                {
                    actual.Value(field.Name).GetRawText().Should().Be(field.Value.GetRawText(), field.Name);
                }
            }

            actual.Integer("stepCount").Should().Be(6);
            actual.Timestamp("lastUpdatedAt").Should().Be(FormatTimestamp(BaseTime.AddSeconds(6)), "the batch's latest step time");
        }

        var singleSummary = await _reader.GetMonthlySummaryAsync(single, UsageType.ApiUsage, BaseMonth);
        var batchSummary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        batchSummary.Should().BeEquivalentTo(singleSummary, o => o.Excluding(s => s.UserId));
    }

    [Test]
    public async Task RecordSessionStepAsync_CancelledWhileWaitingForItsBatch_IsNotWritten()
    {
        await using var store = NewStore(inner => new SlowCommitsHandler(inner, TimeSpan.FromMilliseconds(300)), GroupCommit(delayMs: 0));
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        using var cancel = new CancellationTokenSource();

        var kept = store.RecordSessionStepAsync(Step(_user, "s-1", "step-kept")).AsTask();
        await Task.Delay(50);
        var withdrawn = store.RecordSessionStepAsync(Step(_user, "s-1", "step-withdrawn"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => withdrawn).Should().ThrowAsync<OperationCanceledException>();
        (await kept).Should().Be(RecordOutcome.Recorded);
        (await _reader.GetSessionAsync(_user, "s-1"))!.Steps.Select(s => s.OperationId).Should().Equal("step-kept");
    }

    [Test]
    public async Task DisposeAsync_StepsStillWaiting_AreCommittedAndLaterStepsTakeTheSingleCommit()
    {
        var store = NewStore(configure: GroupCommit(delayMs: 1000));
        await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        var calls = Enumerable.Range(0, 10).Select(i => store.RecordSessionStepAsync(Step(_user, "s-1", $"step-{i}", cost: 0.5m)).AsTask()).ToArray();

        await store.DisposeAsync();

        calls.Should().OnlyContain(c => c.IsCompleted);
        (await Task.WhenAll(calls)).Should().OnlyContain(o => o == RecordOutcome.Recorded);
        (await store.RecordSessionStepAsync(Step(_user, "s-1", "step-late", cost: 1m))).Should().Be(RecordOutcome.Recorded, "steps were never refused after disposal");
        (await _reader.GetSessionAsync(_user, "s-1"))!.TotalCost.Should().Be(6m);
    }

    private static string FormatTimestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static int Commits(CountingHandler counter) => counter.Urls.Count(u => u.EndsWith(":commit", StringComparison.Ordinal));

    /// <summary>Lets the first commit whose body matches reach Firestore, then throws as if its response were lost on the way back.</summary>
    private sealed class LoseMatchingCommitHandler(HttpMessageHandler inner, Func<string, bool> match) : DelegatingHandler(inner)
    {
        private int _left = 1;

        public int Lost { get; private set; }

        public string LostBody { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isCommit = request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal);
            var body = isCommit && request.Content is not null ? await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false) : "";
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (isCommit && match(body) && Interlocked.Decrement(ref _left) >= 0)
            {
                response.EnsureSuccessStatusCode();
                response.Dispose();
                Lost++;
                LostBody = body;
                throw new HttpRequestException("The connection was reset (test: the commit landed, its response was lost).");
            }

            return response;
        }
    }

    /// <summary>Answers the first commit whose body matches with INVALID_ARGUMENT, without sending it.</summary>
    private sealed class RefuseMatchingCommitHandler(HttpMessageHandler inner, Func<string, bool> match) : DelegatingHandler(inner)
    {
        private int _left = 1;

        public int Refused { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal) && request.Content is not null
                && match(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)) && Interlocked.Decrement(ref _left) >= 0)
            {
                Refused++;
                return new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest)
                {
                    Content = new StringContent(FailFirstHandler.ErrorBody(System.Net.HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "synthetic from a test"), System.Text.Encoding.UTF8, "application/json"),
                };
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
