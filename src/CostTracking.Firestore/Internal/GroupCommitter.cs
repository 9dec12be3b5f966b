using System.Text.Json;
using CostTracking.Storage;
using Microsoft.Extensions.Logging;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore.Internal;

/// <summary>Gathers concurrent standalone operations of one user into one commit each: their documents plus one summed increment per monthly summary.</summary>
/// <remarks>
/// <para><b>Per user, one commit in flight.</b> Records of a user queue up; a drain loop takes a batch (up to
/// <see cref="FirestoreStoreOptions.MaxBatchSize"/>, waiting at most <see cref="FirestoreStoreOptions.MaxBatchDelay"/> for it
/// to fill, or only until as many records wait as its last batch held, and not at all when the user writes alone: one record
/// waiting and a last batch of one), commits it, and takes the next.
/// Different users never wait for each other.</para>
/// <para><b>Acknowledged means durable.</b> A caller's task completes only after the commit holding its record succeeded
/// (or the record was found already stored); nothing is acknowledged from the buffer. A failed commit fails every record in
/// it, and none of them was counted (a commit is all-or-nothing).</para>
/// <para><b>Exactly once.</b> Each operation document carries <c>exists=false</c>. A commit that meets ALREADY_EXISTS
/// changed nothing; the batch's documents are then read once (<c>batchGet</c>, write tokens only): one holding this
/// record's token means an earlier attempt of this very commit landed (Recorded), another token means a duplicate
/// (AlreadyRecorded); both leave the batch, and the rest is committed again. A second record with the id of one already
/// in the batch waits for the next batch, where the same precondition settles it.</para>
/// </remarks>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private const string AlreadyExists = "ALREADY_EXISTS";
    private const string InvalidArgument = "INVALID_ARGUMENT";

    // Conservative JSON sizes of the monthly writes, to keep a batch under the request cap.
    private const int SummaryWriteBytes = 1024;
    private const int BreakdownKeyBytes = 3 * 160;

    // Per monthly document: totalCostNanos, totalCost, operationCount, totalRuns, lastUpdated; then 3 per breakdown key.
    private const int FixedSummaryTransforms = 5;
    private const int MaxBreakdownKeys = (FirestoreDefaults.MaxTransformsPerDocument - FixedSummaryTransforms) / 3;

    private readonly FirestoreUsageStore _store;
    private readonly FirestoreRestClient _client;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxDelay;
    private readonly int _maxBatchSize;
    private readonly int _maxRequestBytes;
    private readonly int _maxInFlight;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, UserQueue> _queues = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _draining;
    private bool _disposed;

    public GroupCommitter(FirestoreUsageStore store, FirestoreRestClient client, FirestoreStoreOptions options, ILogger logger)
    {
        _store = store;
        _client = client;
        _logger = logger;
        _maxDelay = options.MaxBatchDelay;
        _maxBatchSize = options.MaxBatchSize;
        _maxInFlight = options.MaxCommitsInFlight;

        // The final flush runs while the container is being disposed, when IHttpClientFactory no longer hands out clients.
        _client.KeepClient();
        _maxRequestBytes = options.EmulatorHost is null ? FirestoreDefaults.MaxCommitBytes : FirestoreDefaults.MaxEmulatorCommitBytes;
    }

    /// <summary>Queues one validated operation; completes once the commit holding it succeeded.</summary>
    public Task<RecordOutcome> RecordAsync(UsageOperation operation, CancellationToken cancellationToken)
    {
        // Encoded on the caller's thread: the drain loop only concatenates.
        var pending = new PendingOperation(operation, _store);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(FirestoreUsageStore));
            if (!_queues.TryGetValue(operation.UserId, out var queue))
            {
                queue = new UserQueue(operation.UserId);
                _queues.Add(operation.UserId, queue);
            }

            queue.Pending.Add(pending);
            if (!queue.Draining)
            {
                queue.Draining = true;
                _draining++;
                _ = Task.Run(() => DrainAsync(queue), CancellationToken.None);
            }
            else if (queue.Pending.Count >= FillTarget(queue))
            {
                queue.Full?.TrySetResult();
            }
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return pending.Task;
        }

        return WaitAsync(pending, cancellationToken);
    }

    /// <summary>Commits everything queued, refuses new records, and returns once every queued record has its outcome.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var queue in _queues.Values)
            {
                queue.Full?.TrySetResult();
            }

            if (_draining == 0)
            {
                _idle.TrySetResult();
            }
        }

        await _idle.Task.ConfigureAwait(false);
    }

    /// <summary>A caller that gives up: a record still queued is taken out (it will not be written); one already being committed has an unknown outcome, as with any cancelled request.</summary>
    private async Task<RecordOutcome> WaitAsync(PendingOperation pending, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (committer, p) = ((GroupCommitter, PendingOperation))state!;
            committer.TryWithdraw(p, token);
        }, (this, pending));
        return await pending.Task.ConfigureAwait(false);
    }

    private void TryWithdraw(PendingOperation pending, CancellationToken token)
    {
        lock (_lock)
        {
            if (_queues.TryGetValue(pending.Operation.UserId, out var queue) && queue.Pending.Remove(pending))
            {
                pending.TrySetCanceled(token);
                return;
            }
        }

        // Already in a commit: the caller stops waiting; the commit decides whether the record is stored.
        pending.TrySetCanceled(token);
    }

    private async Task DrainAsync(UserQueue queue)
    {
        var inFlight = new List<Task>(_maxInFlight);
        try
        {
            while (true)
            {
                await GatherAsync(queue).ConfigureAwait(false);
                List<PendingOperation> batch;
                lock (_lock)
                {
                    batch = TakeBatch(queue);
                    queue.LastBatchSize = batch.Count;
                    if (batch.Count == 0 && inFlight.Count == 0)
                    {
                        queue.Draining = false;
                        _queues.Remove(queue.UserId);
                        return;
                    }
                }

                if (batch.Count > 0)
                {
                    inFlight.Add(CommitAsync(batch));
                }

                if (inFlight.Count >= _maxInFlight || batch.Count == 0)
                {
                    await Task.WhenAny(inFlight).ConfigureAwait(false);
                    inFlight.RemoveAll(static t => t.IsCompleted);
                }
            }
        }
        catch (Exception ex)
        {
            // Not expected (CommitAsync settles every record itself); never leave a caller waiting forever.
            await Task.WhenAll(inFlight).ConfigureAwait(false);
            lock (_lock)
            {
                foreach (var pending in queue.Pending)
                {
                    pending.TrySetException(ex);
                }

                queue.Pending.Clear();
                queue.Draining = false;
                _queues.Remove(queue.UserId);
            }
        }
        finally
        {
            lock (_lock)
            {
                if (--_draining == 0 && _disposed)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    /// <summary>Waits until the batch is full, <see cref="FirestoreStoreOptions.MaxBatchDelay"/> has passed, or the store is being disposed.</summary>
    private async Task GatherAsync(UserQueue queue)
    {
        if (_maxDelay <= TimeSpan.Zero)
        {
            return;
        }

        Task full;
        lock (_lock)
        {
            // A lone writer (one record waiting, and its last batch held one) gains nothing from waiting: it commits at once.
            if (_disposed || queue.Pending.Count >= FillTarget(queue) || (queue.Pending.Count <= 1 && queue.LastBatchSize <= 1))
            {
                return;
            }

            queue.Full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            full = queue.Full.Task;
        }

        await Task.WhenAny(full, Task.Delay(_maxDelay)).ConfigureAwait(false);
        lock (_lock)
        {
            queue.Full = null;
        }
    }

    /// <summary>A batch stops waiting once it is full, or once as many records wait as the user's last batch held: callers that each await their record before sending the next are then all back.</summary>
    private int FillTarget(UserQueue queue) => Math.Min(_maxBatchSize, Math.Max(2, queue.LastBatchSize));

    /// <summary>Takes the next batch in arrival order, within the batch size, the request size and the transforms per monthly document; a second record of an id already in the batch stays for the next one.</summary>
    private List<PendingOperation> TakeBatch(UserQueue queue)
    {
        var batch = new List<PendingOperation>(Math.Min(queue.Pending.Count, _maxBatchSize));
        if (queue.Pending.Count == 0)
        {
            return batch;
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        var summaries = new Dictionary<(UsageType, UsageMonth), HashSet<string>>();
        var bytes = 64;
        var taken = 0;
        for (var i = 0; i < queue.Pending.Count && batch.Count < _maxBatchSize; i++)
        {
            var pending = queue.Pending[i];
            if (paths.Contains(pending.Path))
            {
                continue;
            }

            var key = (pending.Operation.UsageType, pending.Month);
            var isNewSummary = !summaries.TryGetValue(key, out var keys);
            keys ??= new HashSet<string>(StringComparer.Ordinal);
            var newKeys = (keys.Contains(pending.FeatureKey) ? 0 : 1) + (keys.Contains(pending.ProviderKey) ? 0 : 1) + (keys.Contains(pending.DayKey) ? 0 : 1);
            var cost = pending.Write.Length + 1 + (isNewSummary ? SummaryWriteBytes : 0) + (newKeys * BreakdownKeyBytes);
            if (batch.Count > 0 && (bytes + cost > _maxRequestBytes || keys.Count + newKeys > MaxBreakdownKeys))
            {
                // Full by size or by transforms: the rest waits for the next batch, in order.
                break;
            }

            keys.Add(pending.FeatureKey);
            keys.Add(pending.ProviderKey);
            keys.Add(pending.DayKey);
            summaries[key] = keys;
            bytes += cost;
            paths.Add(pending.Path);
            batch.Add(pending);
            pending.InFlight = true;
            taken++;
        }

        if (taken > 0)
        {
            queue.Pending.RemoveAll(static p => p.InFlight);
        }

        return batch;
    }

    /// <summary>Commits a batch and settles every record in it; never throws.</summary>
    private async Task CommitAsync(List<PendingOperation> batch)
    {
        var remaining = batch;
        for (var round = 1; ; round++)
        {
            RestResult result;
            try
            {
                var body = BatchBody(remaining);
                result = await _client.CommitAsync(body, remaining[0].Path, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Fail(remaining, ex);
                return;
            }

            if (result.IsSuccess)
            {
                foreach (var pending in remaining)
                {
                    pending.TrySetResult(RecordOutcome.Recorded);
                }

                Log.GroupCommitted(_logger, remaining[0].Operation.UserId, remaining.Count);
                return;
            }

            if (result.Status == AlreadyExists)
            {
                List<PendingOperation> rest;
                try
                {
                    rest = await SettleExistingAsync(remaining).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Fail(remaining, ex);
                    return;
                }

                if (rest.Count == 0)
                {
                    return;
                }

                if (round < FirestoreDefaults.MaxGroupCommitRounds)
                {
                    remaining = rest;
                    continue;
                }

                Fail(rest, new FirestoreStoreException(AlreadyExists, result.HttpStatus, rest[0].Path, $"Firestore group commit on '{rest[0].Path}' did not settle after {round} rounds: operations of the batch kept appearing."));
                return;
            }

            if (result.Status == InvalidArgument && remaining.Count > 1)
            {
                // Firestore refused something in the batch: commit each record alone, so one bad record cannot fail the others.
                Log.GroupCommitSplit(_logger, remaining[0].Operation.UserId, remaining.Count, result.Message);
                foreach (var pending in remaining)
                {
                    await CommitAsync([pending]).ConfigureAwait(false);
                }

                return;
            }

            Fail(remaining, result.ToException("commit", remaining[0].Path));
            return;
        }
    }

    /// <summary>After ALREADY_EXISTS: settles the records whose documents exist (by their write token) and returns the others.</summary>
    private async Task<List<PendingOperation>> SettleExistingAsync(List<PendingOperation> batch)
    {
        var read = await _client.BatchGetAsync(batch.ConvertAll(p => p.Path), [L.Op.WriteToken], CancellationToken.None).ConfigureAwait(false);
        var tokens = new Dictionary<string, string?>(read.Found.Count, StringComparer.Ordinal);
        foreach (var document in read.Found)
        {
            tokens[document.Name] = document.GetString(L.Op.WriteToken);
        }

        var rest = new List<PendingOperation>(batch.Count);
        foreach (var pending in batch)
        {
            if (tokens.TryGetValue(_client.FullName(pending.Path), out var token))
            {
                var outcome = token == pending.Token ? RecordOutcome.Recorded : RecordOutcome.AlreadyRecorded;
                Log.ResolvedRetriedWrite(_logger, pending.Path, outcome);
                pending.TrySetResult(outcome);
            }
            else
            {
                rest.Add(pending);
            }
        }

        return rest;
    }

    private static void Fail(List<PendingOperation> batch, Exception exception)
    {
        foreach (var pending in batch)
        {
            pending.TrySetException(exception);
        }
    }

    /// <summary>The commit body: every operation document as encoded on its caller's thread, then one summed increment per monthly document.</summary>
    private byte[] BatchBody(List<PendingOperation> batch) => FirestoreRestClient.BuildBody((Committer: this, Batch: batch), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteStartArray("writes");
        foreach (var pending in s.Batch)
        {
            w.WriteRawValue(pending.Write, skipInputValidation: true);
        }

        foreach (var summary in MonthlySums.Of(s.Batch))
        {
            s.Committer.WriteMonthlySum(w, s.Batch[0].Operation.UserId, summary);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>One monthly document's write: the same fields and transforms as one operation's, with the batch's sums.</summary>
    private void WriteMonthlySum(Utf8JsonWriter w, string userId, MonthlySums summary)
    {
        var month = summary.Month.ToString();
        w.WriteStartObject();
        w.WriteStartObject("update");
        w.WriteString("name", _client.FullName(L.MonthlyPath(summary.UsageType, userId, summary.Month)));
        w.WriteStartObject("fields");
        FirestoreValues.WriteString(w, L.Summary.UserId, userId);
        FirestoreValues.WriteString(w, L.Summary.UsageType, L.UsageCollection(summary.UsageType));
        FirestoreValues.WriteString(w, L.Summary.Month, month);
        w.WriteEndObject();
        w.WriteEndObject();
        FirestoreRestClient.WriteMask(w, "updateMask", SummaryMask);
        w.WriteStartArray("updateTransforms");
        CommitWriter.WriteIncrement(w, L.Summary.TotalCostNanos, summary.Total.Nanos);
        CommitWriter.WriteIncrement(w, L.Summary.TotalCost, Dollars(summary.Total.Nanos));
        CommitWriter.WriteIncrement(w, L.Summary.OperationCount, summary.Total.Count);
        CommitWriter.WriteIncrement(w, L.Summary.TotalRuns, summary.Runs);
        WriteBreakdown(w, summary.ByKey);
        CommitWriter.WriteServerTime(w, L.Summary.LastUpdated);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteBreakdown(Utf8JsonWriter w, Dictionary<string, Sum> byKey)
    {
        foreach (var (paths, sum) in byKey)
        {
            var p = BreakdownPaths.Of(paths);
            CommitWriter.WriteIncrement(w, p.CostNanos, sum.Nanos);
            CommitWriter.WriteIncrement(w, p.Cost, Dollars(sum.Nanos));
            CommitWriter.WriteIncrement(w, p.Count, sum.Count);
        }
    }

    private static double Dollars(long nanos) => (double)NanoUsd.ToDollars(nanos);

    private static readonly string[] SummaryMask = [L.Summary.UserId, L.Summary.UsageType, L.Summary.Month];

    private sealed class UserQueue(string userId)
    {
        public string UserId { get; } = userId;

        public List<PendingOperation> Pending { get; } = [];

        public bool Draining { get; set; }

        /// <summary>How many records the user's last batch held: a lone sequential writer is not made to wait.</summary>
        public int LastBatchSize { get; set; }

        /// <summary>Completed when the batch being gathered is full (or the store is disposed).</summary>
        public TaskCompletionSource? Full { get; set; }
    }

    /// <summary>A cost and a count.</summary>
    private record struct Sum(long Nanos, long Count);

    /// <summary>The sums of a batch's operations for one monthly document.</summary>
    private sealed class MonthlySums(UsageType usageType, UsageMonth month)
    {
        public UsageType UsageType { get; } = usageType;

        public UsageMonth Month { get; } = month;

        public Sum Total { get; private set; }

        public long Runs { get; private set; }

        /// <summary>Keyed by the breakdown's key (<see cref="PendingOperation.FeatureKey"/> and the like), in first-seen order.</summary>
        public Dictionary<string, Sum> ByKey { get; } = new(StringComparer.Ordinal);

        public static List<MonthlySums> Of(List<PendingOperation> batch)
        {
            var result = new List<MonthlySums>(1);
            foreach (var pending in batch)
            {
                var sums = result.Find(s => s.UsageType == pending.Operation.UsageType && s.Month == pending.Month);
                if (sums is null)
                {
                    sums = new MonthlySums(pending.Operation.UsageType, pending.Month);
                    result.Add(sums);
                }

                sums.Add(pending);
            }

            return result;
        }

        private void Add(PendingOperation pending)
        {
            // checked: a sum that overflowed would be wrong; the commit fails instead and nothing is counted.
            Total = new Sum(checked(Total.Nanos + pending.Nanos), Total.Count + 1);
            Runs += pending.Operation.IsBillableRun ? 1 : 0;
            foreach (var key in (ReadOnlySpan<string>)[pending.FeatureKey, pending.ProviderKey, pending.DayKey])
            {
                var sum = ByKey.GetValueOrDefault(key);
                ByKey[key] = new Sum(checked(sum.Nanos + pending.Nanos), sum.Count + 1);
            }
        }
    }

    /// <summary>One queued operation: its encoded document write, its token, and what its monthly increment needs.</summary>
    private sealed class PendingOperation : TaskCompletionSource<RecordOutcome>
    {
        public PendingOperation(UsageOperation operation, FirestoreUsageStore store)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Operation = operation;
            Nanos = NanoUsd.FromDollars(operation.Cost);
            Month = UsageMonth.FromTimestamp(operation.Timestamp);
            Path = L.OperationPath(operation.UsageType, operation.UserId, operation.OperationId);
            Token = WriteTokens.New();
            FeatureKey = BreakdownPaths.FeatureKey(operation.Feature);
            ProviderKey = BreakdownPaths.ProviderKey(operation.Provider);
            DayKey = BreakdownPaths.DayKey(operation.Timestamp);
            Write = FirestoreRestClient.BuildBody((Store: store, Pending: this), static (w, s) =>
                s.Store.WriteOperationDocument(w, s.Pending.Operation, s.Pending.Nanos, s.Pending.Token));
        }

        public UsageOperation Operation { get; }

        public long Nanos { get; }

        public UsageMonth Month { get; }

        public string Path { get; }

        public string Token { get; }

        public string FeatureKey { get; }

        public string ProviderKey { get; }

        public string DayKey { get; }

        public byte[] Write { get; }

        /// <summary>Taken into a batch (guarded by the committer's lock).</summary>
        public bool InFlight { get; set; }
    }
}
