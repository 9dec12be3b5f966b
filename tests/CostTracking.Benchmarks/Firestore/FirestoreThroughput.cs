using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using CostTracking.Firestore;
using CostTracking.Firestore.Emulator;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;

namespace CostTracking.Benchmarks.Firestore;

/// <summary>
/// The Firestore throughput harness: N standalone operations of ONE heavy user at concurrency 1, 8 and 32, written
/// (a) as bare REST commits with the store's own commit bodies (the floor: what any client must send),
/// (b) through <see cref="FirestoreUsageStore"/> in immediate mode and (c) in group-commit mode; each run in a fresh
/// project, its stored totals checked exactly afterwards.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/CostTracking.Benchmarks -- firestore [--ops N] [--concurrency 1,8,32] [--rounds R]</c>
/// (defaults: 1,000 operations, 3 rounds, medians reported); group-commit runs take <c>--batch-delay-ms</c>, <c>--batch-size</c>
/// and <c>--in-flight</c> (defaults: the store's defaults).
/// It starts the emulator itself exactly as the Firestore tests do (or uses FIRESTORE_EMULATOR_HOST) and stops every
/// process it started.
/// </remarks>
internal static class FirestoreThroughput
{
    private const string UserId = "user-heavy";
    private const decimal Cost = 0.00283m;

    public static async Task<int> RunAsync(string[] args)
    {
        var ops = IntArg(args, "--ops", 1000);
        var rounds = IntArg(args, "--rounds", 3);
        _inFlight = IntArg(args, "--in-flight", 1);
        _batchSize = IntArg(args, "--batch-size", 100);
        _batchDelay = TimeSpan.FromMilliseconds(IntArg(args, "--batch-delay-ms", 2));
        var levels = (StringArg(args, "--concurrency") ?? "1,8,32").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();

        Console.WriteLine($"Firestore throughput: {ops} operations of one user per run, concurrency {string.Join(", ", levels)}, {rounds} round(s); {Environment.ProcessorCount} cores; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        await using var emulator = await EmulatorProcess.StartAsync().ConfigureAwait(false);
        if (emulator.Unavailable is { } why)
        {
            Console.Error.WriteLine(why);
            return 2;
        }

        Console.WriteLine($"Emulator on {emulator.Host}");
        var failures = 0;

        // Warm-up (JIT on both sides, the emulator's own JIT, connections): not reported.
        // The emulator's JVM keeps getting faster for its first thousands of commits: warm it with all three modes.
        Console.WriteLine("Warm-up (not reported):");
        foreach (var concurrency in new[] { 8, 8, 1, 8, 32 })
        {
            await RunFloorAsync(emulator.Host, 1000, concurrency).ConfigureAwait(false);
            await RunStoreAsync(emulator.Host, FirestoreWriteMode.Immediate, 1000, concurrency).ConfigureAwait(false);
            await RunStoreAsync(emulator.Host, FirestoreWriteMode.GroupCommit, 1000, concurrency).ConfigureAwait(false);
        }

        Console.WriteLine("Runs:");

        var rows = new List<string>();
        foreach (var concurrency in levels)
        {
            var floor = new List<Result>();
            var immediate = new List<Result>();
            var group = new List<Result>();
            for (var round = 0; round < rounds; round++)
            {
                // The order rotates by round, so that no mode always runs first (or last) on a warming emulator.
                for (var slot = 0; slot < 3; slot++)
                {
                    switch ((slot + round) % 3)
                    {
                        case 0:
                            floor.Add(await RunFloorAsync(emulator.Host, ops, concurrency).ConfigureAwait(false));
                            break;
                        case 1:
                            immediate.Add(await RunStoreAsync(emulator.Host, FirestoreWriteMode.Immediate, ops, concurrency).ConfigureAwait(false));
                            break;
                        default:
                            group.Add(await RunStoreAsync(emulator.Host, FirestoreWriteMode.GroupCommit, ops, concurrency).ConfigureAwait(false));
                            break;
                    }
                }
            }

            // Median of the rounds for each mode.
            var f = Median(floor);
            var i = Median(immediate);
            var g = Median(group);
            failures += floor.Concat(immediate).Concat(group).Count(r => !r.TotalsExact);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {concurrency,11} | {f.OpsPerSecond,11:N0} | {i.OpsPerSecond,15:N0} | {i.OpsPerSecond / f.OpsPerSecond,15:0.00}x | {g.OpsPerSecond,12:N0} | {g.OpsPerSecond / i.OpsPerSecond,18:0.00}x | {g.Commits,7} | {Exact(floor, immediate, group),12} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| concurrency | floor ops/s | immediate ops/s | immediate/floor | group ops/s | group/immediate    | commits | totals exact |");
        Console.WriteLine("|------------:|------------:|----------------:|----------------:|------------:|-------------------:|--------:|-------------:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine(failures == 0 ? "All stored totals exact." : $"{failures} run(s) with inexact totals.");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The floor: the same commit bodies sent as bare REST commits, no retries, no parsing beyond the status.</summary>
    private static async Task<Result> RunFloorAsync(string host, int ops, int concurrency)
    {
        var projectId = EmulatorProcess.NewProjectId();
        var options = Options(host, projectId, FirestoreWriteMode.Immediate);
        using var http = NewHttpClient(out var counter);
        using var encoder = new FirestoreUsageStore(http, options);
        var operations = Operations(ops);
        var url = new Uri($"http://{host}/v1/projects/{projectId}/databases/(default)/documents:commit");
        var json = new MediaTypeHeaderValue("application/json");
        var owner = new AuthenticationHeaderValue("Bearer", "owner");

        var elapsed = await RunConcurrentlyAsync(operations, concurrency, async operation =>
        {
            var body = encoder.OperationCommitBody(operation, NanoUsd.FromDollars(operation.Cost), WriteTokens.New());
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = json;
            request.Headers.Authorization = owner;
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            _ = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }).ConfigureAwait(false);

        return await ResultAsync("floor", encoder, ops, concurrency, elapsed, counter.Count).ConfigureAwait(false);
    }

    private static async Task<Result> RunStoreAsync(string host, FirestoreWriteMode mode, int ops, int concurrency)
    {
        using var http = NewHttpClient(out var counter);
        await using var store = new FirestoreUsageStore(http, Options(host, EmulatorProcess.NewProjectId(), mode));
        var operations = Operations(ops);
        var elapsed = await RunConcurrentlyAsync(operations, concurrency, async operation =>
        {
            var outcome = await store.RecordOperationAsync(operation).ConfigureAwait(false);
            if (outcome != RecordOutcome.Recorded)
            {
                throw new InvalidOperationException($"{operation.OperationId} was {outcome}.");
            }
        }).ConfigureAwait(false);
        var commits = counter.Count;
        return await ResultAsync(mode == FirestoreWriteMode.Immediate ? "immediate" : "group", store, ops, concurrency, elapsed, commits).ConfigureAwait(false);
    }

    private static async Task<Result> ResultAsync(string name, FirestoreUsageStore reader, int ops, int concurrency, TimeSpan elapsed, int commits)
    {
        var summary = await reader.GetMonthlySummaryAsync(UserId, UsageType.ApiUsage, UsageMonth.FromTimestamp(DateTimeOffset.UtcNow)).ConfigureAwait(false);
        var exact = summary.OperationCount == ops
            && summary.TotalCost == ops * Cost
            && summary.ByFeature.TryGetValue("google_maps_autocomplete", out var feature) && feature == new CostBreakdown(ops * Cost, ops)
            && summary.ByProvider.TryGetValue("google_maps", out var provider) && provider == new CostBreakdown(ops * Cost, ops);
        var result = new Result(ops / elapsed.TotalSeconds, commits, exact);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-9} c={concurrency,-3} {result.OpsPerSecond,8:N0} ops/s  {commits,5} commits  totals {(exact ? "exact" : $"WRONG: {summary.OperationCount} ops, {summary.TotalCost} USD")}"));
        return result;
    }

    private static async Task<TimeSpan> RunConcurrentlyAsync(UsageOperation[] operations, int concurrency, Func<UsageOperation, Task> write)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < operations.Length)
            {
                await write(operations[i]).ConfigureAwait(false);
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        return clock.Elapsed;
    }

    /// <summary>Typical operations of one user: random ids, the current time (truncated to microseconds), a little metadata.</summary>
    private static UsageOperation[] Operations(int count)
    {
        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
        return Enumerable.Range(0, count).Select(i => new UsageOperation
        {
            OperationId = "op_" + WriteTokens.New(),
            UserId = UserId,
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Provider = "google_maps",
            Cost = Cost,
            IsBillableRun = i % 4 == 0,
            Timestamp = now,
            Metadata = new Dictionary<string, object?> { ["input"] = "pizza near me", ["results"] = 5L },
        }).ToArray();
    }

    private static int _inFlight = 1;
    private static int _batchSize = 100;
    private static TimeSpan _batchDelay = TimeSpan.FromMilliseconds(2);

    private static FirestoreStoreOptions Options(string host, string projectId, FirestoreWriteMode mode) => new()
    {
        ProjectId = projectId,
        EmulatorHost = host,
        WriteMode = mode,
        MaxCommitsInFlight = _inFlight,
        MaxBatchSize = _batchSize,
        MaxBatchDelay = _batchDelay,
    };

    /// <summary>The same HttpClient for the floor and the store: a default SocketsHttpHandler, no overall timeout (as UseFirestore registers it).</summary>
    private static HttpClient NewHttpClient(out CommitCounter counter)
    {
        counter = new CommitCounter(new SocketsHttpHandler());
        return new HttpClient(counter) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static Result Median(List<Result> results) => results.OrderBy(r => r.OpsPerSecond).ElementAt(results.Count / 2);

    private static string Exact(params List<Result>[] runs) => runs.All(r => r.All(x => x.TotalsExact)) ? "yes" : "NO";

    private static int IntArg(string[] args, string name, int fallback) =>
        StringArg(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? StringArg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private readonly record struct Result(double OpsPerSecond, int Commits, bool TotalsExact);

    /// <summary>Counts commit requests.</summary>
    private sealed class CommitCounter(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
