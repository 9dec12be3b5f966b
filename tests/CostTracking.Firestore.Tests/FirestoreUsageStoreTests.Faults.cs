using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CostTracking.Firestore.Internal;
using CostTracking.Firestore.Tests.Support;

namespace CostTracking.Firestore.Tests;

/// <summary>Transient faults, lost responses, errors and cancellation, injected between the store and the real emulator.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    private static void FastRetries(FirestoreStoreOptions o)
    {
        o.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
        o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
    }

    [Test]
    public async Task RecordOperationAsync_ResponseLostAfterTheCommitLanded_RetriesAndReportsRecordedOnce()
    {
        LoseCommitResponsesHandler lose = null!;
        var store = NewStore(inner => lose = new LoseCommitResponsesHandler(inner), FastRetries);

        var outcome = await store.RecordOperationAsync(Operation(_user, "op-lost", cost: 0.017m, billable: true));

        lose.Lost.Should().Be(1, "the first commit reached the emulator and its response was thrown away");
        outcome.Should().Be(RecordOutcome.Recorded, "this call's own first attempt stored the operation");
        (await store.RecordOperationAsync(Operation(_user, "op-lost", cost: 0.017m))).Should().Be(RecordOutcome.AlreadyRecorded);
        var summary = await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth);
        summary.OperationCount.Should().Be(1);
        summary.TotalCost.Should().Be(0.017m);
        summary.BillableRuns.Should().Be(1);
    }

    [Test]
    public async Task RecordSessionStepAsync_ResponseLostAfterTheCommitLanded_RetriesAndReportsRecordedOnce()
    {
        await _store.CreateSessionAsync(_user, "s-1", "maps", BaseTime);
        LoseCommitResponsesHandler lose = null!;
        var store = NewStore(inner => lose = new LoseCommitResponsesHandler(inner), FastRetries);

        var outcome = await store.RecordSessionStepAsync(Step(_user, "s-1", "step-lost", cost: 0.00283m));

        lose.Lost.Should().Be(1);
        outcome.Should().Be(RecordOutcome.Recorded);
        var session = await _store.GetSessionAsync(_user, "s-1");
        session!.Steps.Select(s => s.OperationId).Should().Equal("step-lost");
        session.TotalCost.Should().Be(0.00283m);
        session.StepCount.Should().Be(1);
        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).SessionCost.Should().Be(0.00283m);
    }

    [Test]
    public async Task RecordSessionStepAsync_ResponseLostWhileCreatingTheSession_RetriesAndReportsRecordedOnce()
    {
        LoseCommitResponsesHandler lose = null!;
        var store = NewStore(inner => lose = new LoseCommitResponsesHandler(inner, times: 2), FastRetries);

        // The first commit (existing-session shape) fails with NOT_FOUND; the second creates session and step, and its response is lost.
        var outcome = await store.RecordSessionStepAsync(Step(_user, "s-new", "step-1", cost: 1m, sessionFeature: "maps_search"));

        outcome.Should().Be(RecordOutcome.Recorded);
        var session = await _store.GetSessionAsync(_user, "s-new");
        session!.Feature.Should().Be("maps_search");
        session.TotalCost.Should().Be(1m);
        session.Steps.Should().ContainSingle();
        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).SessionOperationCount.Should().Be(1);
    }

    [Test]
    public async Task CreateSessionAsync_ResponseLost_ReportsThatThisCallCreatedIt()
    {
        var store = NewStore(inner => new LoseCommitResponsesHandler(inner), FastRetries);

        (await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime)).Should().BeTrue();
        (await store.CreateSessionAsync(_user, "s-1", "maps", BaseTime)).Should().BeFalse();
    }

    [TestCase(HttpStatusCode.Conflict, "ABORTED")]
    [TestCase(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE")]
    [TestCase(HttpStatusCode.TooManyRequests, "RESOURCE_EXHAUSTED")]
    [TestCase(HttpStatusCode.GatewayTimeout, "DEADLINE_EXCEEDED")]
    [TestCase(HttpStatusCode.InternalServerError, "INTERNAL")]
    public async Task RecordOperationAsync_TransientErrorOnce_RetriesAndRecordsOnce(HttpStatusCode code, string status)
    {
        FailFirstHandler fail = null!;
        var store = NewStore(inner => fail = new FailFirstHandler(inner, code, status), FastRetries);

        (await store.RecordOperationAsync(Operation(_user, "op-1", cost: 0.5m))).Should().Be(RecordOutcome.Recorded);

        fail.Requests.Should().Be(2, "one synthetic {0}, then one real commit", status);
        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(0.5m);
    }

    [Test]
    public async Task RecordSessionStepAsync_AbortedOnce_RetriesAndRecordsOnce()
    {
        FailFirstHandler fail = null!;
        var store = NewStore(inner => fail = new FailFirstHandler(inner, HttpStatusCode.Conflict, "ABORTED"), FastRetries);

        (await store.RecordSessionStepAsync(Step(_user, "s-1", "a", cost: 0.25m))).Should().Be(RecordOutcome.Recorded);

        (await _store.GetSessionAsync(_user, "s-1"))!.TotalCost.Should().Be(0.25m);
    }

    [Test]
    public async Task RecordOperationAsync_Duplicate_IsAlreadyRecordedWithoutRetryingThe409()
    {
        await _store.RecordOperationAsync(Operation(_user, "op-1"));
        CountingHandler counting = null!;
        var store = NewStore(inner => counting = new CountingHandler(inner), FastRetries);

        (await store.RecordOperationAsync(Operation(_user, "op-1"))).Should().Be(RecordOutcome.AlreadyRecorded);

        counting.Count.Should().Be(1, "ALREADY_EXISTS is an answer, not a transient 409");
    }

    [Test]
    public async Task RecordOperationAsync_PermissionDenied_ThrowsFirestoreStoreExceptionWithStatusAndPathWithoutRetrying()
    {
        FailFirstHandler fail = null!;
        var store = NewStore(inner => fail = new FailFirstHandler(inner, HttpStatusCode.Forbidden, "PERMISSION_DENIED", times: 100), FastRetries);

        var thrown = await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1")))
            .Should().ThrowAsync<FirestoreStoreException>();

        thrown.Which.Status.Should().Be("PERMISSION_DENIED");
        thrown.Which.HttpStatusCode.Should().Be(403);
        thrown.Which.DocumentPath.Should().Be($"ApiUsage/{_user}/operations/op-1");
        thrown.Which.Message.Should().Contain("PERMISSION_DENIED").And.Contain($"ApiUsage/{_user}/operations/op-1");
        fail.Requests.Should().Be(1);
    }

    [Test]
    public async Task RecordOperationAsync_TransientErrorEveryTime_GivesUpAfterTheConfiguredRetries()
    {
        FailFirstHandler fail = null!;
        var store = NewStore(inner => fail = new FailFirstHandler(inner, HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", times: 100), o =>
        {
            FastRetries(o);
            o.MaxRetryAttempts = 3;
        });

        var thrown = await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1")))
            .Should().ThrowAsync<FirestoreStoreException>();

        thrown.Which.Status.Should().Be("UNAVAILABLE");
        thrown.Which.HttpStatusCode.Should().Be(503);
        fail.Requests.Should().Be(4, "one attempt and three retries");
    }

    [Test]
    public async Task RecordOperationAsync_EmulatorDown_ThrowsAClearExceptionWithinBoundedTimeAndWritesNothing()
    {
        int deadPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        // Default retry settings: the documented bound is what a caller would wait.
        var down = NewStore(configure: o => o.EmulatorHost = $"127.0.0.1:{deadPort}");
        var clock = Stopwatch.StartNew();

        var thrown = await FluentActions.Awaiting(async () => await down.RecordSessionStepAsync(Step(_user, "s-1", "step-1", cost: 1m)))
            .Should().ThrowAsync<FirestoreStoreException>();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "5 retries with backoff capped at 5 s, jittered down to half");
        thrown.Which.Status.Should().Be("UNAVAILABLE");
        thrown.Which.HttpStatusCode.Should().BeNull();
        thrown.Which.DocumentPath.Should().Be($"SessionUsage/{_user}/sessions/s-1/steps/step-1");
        thrown.Which.Message.Should().Contain("gave up after 6 attempts");
        thrown.Which.InnerException.Should().BeOfType<HttpRequestException>();
        (await _store.GetSessionAsync(_user, "s-1")).Should().BeNull();
        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).OperationCount.Should().Be(0);
    }

    [Test]
    public async Task RecordOperationAsync_CancelledWhileWaitingForFirestore_ThrowsOperationCanceledPromptly()
    {
        var hanging = new HangingHandler();
        var store = NewStore(_ => hanging);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1"), cts.Token))
            .Should().ThrowAsync<OperationCanceledException>();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        hanging.Started.Should().Be(1, "the caller's cancellation is not a transient fault to retry");
    }

    [Test]
    public async Task RecordOperationAsync_AttemptTimesOut_IsRetriedAsTransient()
    {
        var store = NewStore(inner => new SlowFirstCommitHandler(inner, TimeSpan.FromSeconds(3)), o =>
        {
            FastRetries(o);
            o.RequestTimeout = TimeSpan.FromSeconds(1);
        });

        (await store.RecordOperationAsync(Operation(_user, "op-slow", cost: 2m))).Should().Be(RecordOutcome.Recorded);

        (await _store.GetMonthlySummaryAsync(_user, UsageType.ApiUsage, BaseMonth)).TotalCost.Should().Be(2m);
    }

    [Test]
    public async Task Failures_NeverCarryTheAccessTokenInMessagesOrLogs()
    {
        const string secret = "ya29.secret-access-token-do-not-log";
        var logger = new CapturingLogger();
        var store = NewStore(inner => new FailFirstHandler(inner, HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", times: 100), o =>
        {
            FastRetries(o);
            o.MaxRetryAttempts = 2;
        }, new FixedToken(secret), logger);

        var thrown = await FluentActions.Awaiting(async () => await store.RecordOperationAsync(Operation(_user, "op-1")))
            .Should().ThrowAsync<FirestoreStoreException>();

        thrown.Which.ToString().Should().NotContain(secret);
        logger.Lines.Should().HaveCount(2, "each retry is logged").And.AllSatisfy(line => line.Should().Contain("UNAVAILABLE").And.NotContain(secret));
    }

    [Test]
    public async Task CredentialsFile_Unreadable_ThrowsUnauthenticatedWithoutQuotingTheFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----SECRETKEYMATERIAL""");
            var source = new GoogleAccessTokenSource(file);

            var thrown = await FluentActions.Awaiting(async () => await source.GetAccessTokenAsync(CancellationToken.None))
                .Should().ThrowAsync<FirestoreStoreException>();

            thrown.Which.Status.Should().Be("UNAUTHENTICATED");
            thrown.Which.Message.Should().Contain("CredentialsFile");
            thrown.Which.ToString().Should().NotContain("SECRETKEYMATERIAL");
        }
        finally
        {
            File.Delete(file);
        }
    }

    private sealed class FixedToken(string token) : IAccessTokenSource
    {
        public ValueTask<string> GetAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }

    /// <summary>Holds the first commit longer than the store's attempt timeout before sending it; later requests pass at once.</summary>
    private sealed class SlowFirstCommitHandler(HttpMessageHandler inner, TimeSpan delay) : DelegatingHandler(inner)
    {
        private int _first = 1;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal) && Interlocked.Exchange(ref _first, 0) == 1)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
