using System.Net;
using CostTracking.Firestore.Tests.Support;
using FluentAssertions.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Firestore.Tests;

/// <summary>Group commit against the real emulator: batching, exactly once inside and across batches, crash visibility, flush on dispose and shutdown.</summary>
public sealed partial class FirestoreGroupCommitTests : EmulatorFixture
{
    private string _user = "";
    private FirestoreUsageStore _reader = null!;

    [OneTimeSetUp]
    public void CreateReader() => _reader = NewStore();

    [OneTimeTearDown]
    public void DisposeReader() => _reader?.Dispose();

    [SetUp]
    public void NewUser() => _user = NewId("user");

    [Test]
    public async Task RecordOperationAsync_ConcurrentRecordsOfOneUser_FewerCommitsThanRecordsAndExactTotals()
    {
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 20));
        var operations = Enumerable.Range(0, 64).Select(i => Operation(_user, $"op-{i:D2}", cost: 0.000000007m * (i + 1), billable: i % 2 == 0, feature: $"f{i % 3}")).ToArray();

        var outcomes = await Task.WhenAll(operations.Select(o => store.RecordOperationAsync(o).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        var commits = counter.Urls.Count(u => u.EndsWith(":commit", StringComparison.Ordinal));
        commits.Should().BeLessThan(operations.Length / 4, "records waiting together share a commit");
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.OperationCount.Should().Be(64);
            summary.TotalCost.Should().Be(0.000000007m * (64 * 65 / 2));
            summary.BillableRuns.Should().Be(32);
            summary.ByFeature.Values.Sum(b => b.Count).Should().Be(64);
            summary.ByFeature.Values.Sum(b => b.Cost).Should().Be(summary.TotalCost);
            summary.ByProvider.Should().Equal(new Dictionary<string, CostBreakdown> { ["google_maps"] = new(summary.TotalCost, 64) });
            summary.ByDay.Should().Equal(new Dictionary<int, CostBreakdown> { [BaseTime.Day] = new(summary.TotalCost, 64) });
        }

        var listed = (await _reader.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery { PageSize = 100 })).Items;
        listed.Select(o => o.OperationId).Should().BeEquivalentTo(operations.Select(o => o.OperationId));
    }

    [Test]
    public async Task RecordOperationAsync_DuplicateInsideOneBatch_CountsOnceAndTheOthersAreRecorded()
    {
        await using var store = NewStore(configure: GroupCommit(delayMs: 50));

        var a = store.RecordOperationAsync(Operation(_user, "op-a", cost: 1m)).AsTask();
        var b = store.RecordOperationAsync(Operation(_user, "op-b", cost: 2m)).AsTask();
        var again = store.RecordOperationAsync(Operation(_user, "op-a", cost: 1m)).AsTask();
        var c = store.RecordOperationAsync(Operation(_user, "op-c", cost: 4m)).AsTask();
        await Task.WhenAll(a, b, again, c);

        new[] { a.Result, again.Result }.Should().BeEquivalentTo([RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded]);
        b.Result.Should().Be(RecordOutcome.Recorded);
        c.Result.Should().Be(RecordOutcome.Recorded);
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(3);
        summary.TotalCost.Should().Be(7m);
    }

    [Test]
    public async Task RecordOperationAsync_DuplicatesAcrossBatchesAndStores_CountOnceAndDoNotFailTheirBatch()
    {
        // Already stored: one by another instance writing immediately, one by this store's own earlier batch.
        (await _reader.RecordOperationAsync(Operation(_user, "op-elsewhere", cost: 1m))).Should().Be(RecordOutcome.Recorded);
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), GroupCommit(delayMs: 50));
        (await store.RecordOperationAsync(Operation(_user, "op-earlier", cost: 2m))).Should().Be(RecordOutcome.Recorded);

        var batch = new[]
        {
            Operation(_user, "op-new-1", cost: 0.1m),
            Operation(_user, "op-elsewhere", cost: 50m, feature: "other"),
            Operation(_user, "op-new-2", cost: 0.2m),
            Operation(_user, "op-earlier", cost: 60m, feature: "other"),
            Operation(_user, "op-new-3", cost: 0.3m),
        };
        var outcomes = await Task.WhenAll(batch.Select(o => store.RecordOperationAsync(o).AsTask()));

        outcomes.Should().Equal(RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded, RecordOutcome.Recorded, RecordOutcome.AlreadyRecorded, RecordOutcome.Recorded);
        counter.Urls.Should().Contain(u => u.EndsWith(":batchGet", StringComparison.Ordinal), "the failed commit is settled by reading which operations exist");
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        using (new AssertionScope())
        {
            summary.OperationCount.Should().Be(5);
            summary.TotalCost.Should().Be(3.6m);
            summary.ByFeature.Keys.Should().Equal("google_maps_autocomplete");
        }
    }

    [Test]
    public async Task RecordOperationAsync_ResponseOfTheGroupCommitLost_RetriesAndReportsEveryRecordRecordedOnce()
    {
        LoseCommitResponsesHandler lose = null!;
        await using var store = NewStore(inner => lose = new LoseCommitResponsesHandler(inner), o =>
        {
            GroupCommit(delayMs: 50)(o);
            o.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => store.RecordOperationAsync(Operation(_user, $"op-{i}", cost: 1m)).AsTask()));

        lose.Lost.Should().Be(1);
        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded, "this store's own first attempt stored them: their write tokens say so");
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(5);
        summary.TotalCost.Should().Be(5m);
    }

    [Test]
    public async Task RecordOperationAsync_CommitFails_EveryRecordOfTheBatchThrowsAndNoneIsCounted()
    {
        RefuseCommitsHandler refuse = null!;
        await using var store = NewStore(inner => refuse = new RefuseCommitsHandler(inner), GroupCommit(delayMs: 50));

        var failed = Enumerable.Range(0, 4).Select(i => store.RecordOperationAsync(Operation(_user, $"op-{i}", cost: 1m)).AsTask()).ToArray();
        foreach (var call in failed)
        {
            var thrown = await FluentActions.Awaiting(() => call).Should().ThrowAsync<FirestoreStoreException>();
            thrown.Which.Status.Should().Be("PERMISSION_DENIED");
        }

        (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(0, "a failed commit changed nothing");
        (await _reader.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items.Should().BeEmpty();

        // The callers were told; retrying records them, once.
        refuse.Refusing = false;
        var retried = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => store.RecordOperationAsync(Operation(_user, $"op-{i}", cost: 1m)).AsTask()));
        retried.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(4);
    }

    [Test]
    public async Task RecordOperationAsync_ProcessDiesWithCommitsOutstanding_EveryAcknowledgedRecordIsStoredAndNoOtherIsCounted()
    {
        var gate = new StallAfterHandler(new SocketsHttpHandler(), commitsAllowed: 1);
        var client = new HttpClient(gate);
        var store = new FirestoreUsageStore(() => client, GroupOptions(o => { o.MaxBatchSize = 10; o.MaxBatchDelay = TimeSpan.FromMilliseconds(20); }), logger: null, timeProvider: null);

        var calls = Enumerable.Range(0, 30).Select(i => store.RecordOperationAsync(Operation(_user, $"op-{i:D2}", cost: 0.01m)).AsTask()).ToArray();
        await gate.Stalled.Task;

        // The "crash": the connection is torn down under the outstanding commits and the store is never disposed.
        client.Dispose();
        await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));

        var acknowledged = calls.Where(c => c.IsCompletedSuccessfully).ToArray();
        acknowledged.Should().NotBeEmpty("the first commit went through and was acknowledged").And.HaveCountLessThanOrEqualTo(10);
        calls.Except(acknowledged).Should().OnlyContain(c => c.IsFaulted, "a record whose commit did not succeed surfaces an exception, never a success");
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(acknowledged.Length);
        summary.TotalCost.Should().Be(acknowledged.Length * 0.01m);
        var stored = (await _reader.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery { PageSize = 100 })).Items.Select(o => o.OperationId);
        stored.Should().BeEquivalentTo(Enumerable.Range(0, 30).Where(i => calls[i].IsCompletedSuccessfully).Select(i => $"op-{i:D2}"));
    }

    [Test]
    public async Task DisposeAsync_RecordsStillWaiting_AreCommittedBeforeItReturnsAndLaterRecordsAreRefused()
    {
        var store = NewStore(configure: GroupCommit(delayMs: 1000));
        var calls = Enumerable.Range(0, 20).Select(i => store.RecordOperationAsync(Operation(_user, $"op-{i}", cost: 0.5m)).AsTask()).ToArray();

        await store.DisposeAsync();

        // Committed before DisposeAsync returned: the store already holds them, and every call has its outcome.
        (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(10m);
        calls.Should().OnlyContain(c => c.IsCompleted);
        (await Task.WhenAll(calls)).Should().OnlyContain(o => o == RecordOutcome.Recorded);
        await FluentActions.Awaiting(() => store.RecordOperationAsync(Operation(_user, "op-late")).AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Test]
    public async Task HostShutdown_ContainerDisposed_RecordsStillWaitingAreCommitted()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = ProjectId;
            o.EmulatorHost = FirestoreEmulator.Host;
            o.WriteMode = FirestoreWriteMode.GroupCommit;
            o.MaxBatchDelay = TimeSpan.FromSeconds(1);
        });
        var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ICostTracker>();
        var before = UsageMonth.FromTimestamp(DateTimeOffset.UtcNow);
        var calls = Enumerable.Range(0, 10).Select(i => tracker.RecordUsageAsync(new UsageRecord
        {
            UserId = _user,
            UsageType = UsageType.AIUsage,
            Feature = "assistant",
            Provider = "openai",
            Cost = 0.25m,
            OperationId = $"op-{i}",
        }).AsTask()).ToArray();

        // What a host does at shutdown, after its hosted services stopped: dispose the container.
        await provider.DisposeAsync();

        var summaries = new List<MonthlyUsageSummary>();
        foreach (var month in new[] { before, UsageMonth.FromTimestamp(DateTimeOffset.UtcNow) }.Distinct())
        {
            summaries.Add(await _reader.GetMonthlySummaryAsync(_user, UsageType.AIUsage, month));
        }

        var summary = new { OperationCount = summaries.Sum(s => s.OperationCount), TotalCost = summaries.Sum(s => s.TotalCost) };
        summary.OperationCount.Should().Be(10, "the container's disposal committed them before it returned");
        summary.TotalCost.Should().Be(2.5m);
        (await Task.WhenAll(calls)).Should().OnlyContain(r => r.Outcome == RecordOutcome.Recorded);
    }

    [Test]
    public async Task RecordOperationAsync_MoreBreakdownKeysThanOneCommitMayTransform_SplitsTheBatchAndKeepsEveryKeyExact()
    {
        CountingHandler counter = null!;
        await using var store = NewStore(inner => counter = new CountingHandler(inner), o =>
        {
            GroupCommit(delayMs: 50)(o);
            o.MaxBatchSize = 500;
        });

        // 200 features: 600 breakdown transforms on one monthly document, over Firestore's 500 per document per commit.
        var operations = Enumerable.Range(0, 200).Select(i => Operation(_user, $"op-{i:D3}", cost: 0.001m, feature: $"feature-{i:D3}")).ToArray();
        var outcomes = await Task.WhenAll(operations.Select(o => store.RecordOperationAsync(o).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        counter.Urls.Count(u => u.EndsWith(":commit", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(2);
        var summary = await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(200);
        summary.TotalCost.Should().Be(0.2m);
        summary.ByFeature.Should().HaveCount(200).And.OnlyContain(p => p.Value == new CostBreakdown(0.001m, 1));
    }

    [Test]
    public async Task RecordOperationAsync_BatchOverTheEmulatorsRequestCap_IsSplitAndEveryRecordStored()
    {
        await using var store = NewStore(configure: GroupCommit(delayMs: 100));
        var big = new string('x', 200_000);

        // 24 × 200 KB is over the emulator's 4 MiB request cap in one commit.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            store.RecordOperationAsync(Operation(_user, $"op-{i:D2}", cost: 0.01m, metadata: new Dictionary<string, object?> { ["blob"] = big })).AsTask()));

        outcomes.Should().OnlyContain(o => o == RecordOutcome.Recorded);
        (await _reader.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(24);
    }

    [Test]
    public async Task RecordOperationAsync_CancelledWhileWaitingForItsBatch_IsNotWritten()
    {
        // Each commit takes a while: the second record waits in the queue while the first one's commit is in flight.
        await using var store = NewStore(inner => new SlowCommitsHandler(inner, TimeSpan.FromMilliseconds(300)), GroupCommit(delayMs: 0));
        using var cancel = new CancellationTokenSource();

        var kept = store.RecordOperationAsync(Operation(_user, "op-kept")).AsTask();
        await Task.Delay(50);
        var withdrawn = store.RecordOperationAsync(Operation(_user, "op-withdrawn"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => withdrawn).Should().ThrowAsync<OperationCanceledException>();
        (await kept).Should().Be(RecordOutcome.Recorded);
        (await _reader.ListOperationsAsync(_user, UsageType.ApiUsage, new OperationQuery())).Items.Select(o => o.OperationId).Should().Equal("op-kept");
    }

    [TestCase(0, 2, "MaxBatchSize")]
    [TestCase(501, 2, "MaxBatchSize")]
    [TestCase(10, -1, "MaxBatchDelay")]
    [TestCase(10, 1001, "MaxBatchDelay")]
    public void Constructor_InvalidGroupCommitOptions_ThrowNamingTheOption(int batchSize, int delayMs, string option)
    {
        var options = GroupOptions(o =>
        {
            o.MaxBatchSize = batchSize;
            o.MaxBatchDelay = TimeSpan.FromMilliseconds(delayMs);
        });

        FluentActions.Invoking(() => new FirestoreUsageStore(new HttpClient(), options)).Should().Throw<ArgumentException>().WithMessage($"*{option}*");
    }

    [Test]
    public void Constructor_UndefinedWriteMode_Throws()
    {
        var options = GroupOptions(o => o.WriteMode = (FirestoreWriteMode)7);
        FluentActions.Invoking(() => new FirestoreUsageStore(new HttpClient(), options)).Should().Throw<ArgumentException>().WithMessage("*WriteMode*");
    }

    private static Action<FirestoreStoreOptions> GroupCommit(int delayMs) => o =>
    {
        o.WriteMode = FirestoreWriteMode.GroupCommit;
        o.MaxBatchDelay = TimeSpan.FromMilliseconds(delayMs);
    };

    private FirestoreStoreOptions GroupOptions(Action<FirestoreStoreOptions> configure)
    {
        var options = Options();
        options.WriteMode = FirestoreWriteMode.GroupCommit;
        configure(options);
        return options;
    }

    /// <summary>Answers every commit with PERMISSION_DENIED while <see cref="Refusing"/> is set.</summary>
    private sealed class RefuseCommitsHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public bool Refusing { get; set; } = true;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Refusing && request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal))
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Forbidden)
                {
                    Content = new StringContent(FailFirstHandler.ErrorBody(HttpStatusCode.Forbidden, "PERMISSION_DENIED", "synthetic from a test"), System.Text.Encoding.UTF8, "application/json"),
                });
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Holds every commit for a while before it goes out.</summary>
    private sealed class SlowCommitsHandler(HttpMessageHandler inner, TimeSpan delay) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal))
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Lets the first commits through, then holds every later one until the client is torn down.</summary>
    private sealed class StallAfterHandler(HttpMessageHandler inner, int commitsAllowed) : DelegatingHandler(inner)
    {
        private int _left = commitsAllowed;

        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal) && Interlocked.Decrement(ref _left) < 0)
            {
                Stalled.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
