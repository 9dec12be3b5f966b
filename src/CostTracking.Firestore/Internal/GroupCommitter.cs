using System.Text.Json;
using CostTracking.Storage;
using Microsoft.Extensions.Logging;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore.Internal;

/// <summary>Gathers concurrent standalone operations and session steps of one user into one commit each: their documents plus one summed write per session and per monthly summary.</summary>
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
/// <para><b>Session steps.</b> Only steps the store let in (their session known to exist, not full) join a batch, and only
/// small ones (an inline copy within <see cref="FirestoreDefaults.MaxInlineStepBytes"/>); each session gets one write with
/// the summed increments, <c>exists=true</c> and its inline copies appended in arrival order. A commit that meets NOT_FOUND
/// (a session deleted meanwhile) changed nothing: the store forgets the batch's sessions, each step goes through the
/// single-step commit (which creates the session again), and the operations are committed again without them. INVALID_ARGUMENT
/// sends the steps down the same single-step path (which retries a step without its inline copy).</para>
/// </remarks>
internal sealed class GroupCommitter : IAsyncDisposable
{
    private const string AlreadyExists = "ALREADY_EXISTS";
    private const string InvalidArgument = "INVALID_ARGUMENT";
    private const string NotFound = "NOT_FOUND";

    // Conservative JSON sizes of the monthly writes, to keep a batch under the request cap.
    private const int SummaryWriteBytes = 1024;
    private const int BreakdownKeyBytes = 3 * 160;

    private const int SessionWriteBytes = 1024;

    // Per monthly document: totalCostNanos, totalCost, operationCount, totalRuns, 3 session sums, lastUpdated; then 3 per breakdown key.
    private const int FixedSummaryTransforms = 8;

    // A session's inline copies in one batch: the single-step path overshoots the inline budget by one step per writer, a batch by at most this.
    private const int MaxInlineBytesPerBatch = 4 * FirestoreDefaults.MaxInlineStepBytes;
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
    public Task<RecordOutcome> RecordAsync(UsageOperation operation, CancellationToken cancellationToken) =>
        Enqueue(PendingRecord.ForOperation(operation, _store), cancellationToken) ?? throw new ObjectDisposedException(typeof(FirestoreUsageStore).FullName);

    /// <summary>Queues one validated step of a session known to exist; a step too large to copy inline (or one that arrives once the store is being disposed, as before group commit took steps) takes the single-step commit instead.</summary>
    public Task<RecordOutcome> RecordStepAsync(SessionStepEntry entry, CancellationToken cancellationToken)
    {
        var pending = PendingRecord.ForStep(entry, _store);
        if (pending.Inline!.Length <= FirestoreDefaults.MaxInlineStepBytes && Enqueue(pending, cancellationToken) is { } queued)
        {
            return queued;
        }

        return _store.RecordStepAloneAsync(entry, pending.Token, uncertain: false, cancellationToken);
    }

    /// <summary>Queues a record; <see langword="null"/> once the committer is disposed.</summary>
    private Task<RecordOutcome>? Enqueue(PendingRecord pending, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return null;
            }
            if (!_queues.TryGetValue(pending.UserId, out var queue))
            {
                queue = new UserQueue(pending.UserId);
                _queues.Add(pending.UserId, queue);
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
    private async Task<RecordOutcome> WaitAsync(PendingRecord pending, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var (committer, p) = ((GroupCommitter, PendingRecord))state!;
            committer.TryWithdraw(p, token);
        }, (this, pending));
        return await pending.Task.ConfigureAwait(false);
    }

    private void TryWithdraw(PendingRecord pending, CancellationToken token)
    {
        lock (_lock)
        {
            if (_queues.TryGetValue(pending.UserId, out var queue) && queue.Pending.Remove(pending))
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
                List<PendingRecord> batch;
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

    /// <summary>Takes the next batch in arrival order, within the batch size, the request size, the transforms per monthly document and the inline copies per session; a second record of an id already in the batch stays for the next one.</summary>
    private List<PendingRecord> TakeBatch(UserQueue queue)
    {
        var batch = new List<PendingRecord>(Math.Min(queue.Pending.Count, _maxBatchSize));
        if (queue.Pending.Count == 0)
        {
            return batch;
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        var summaries = new Dictionary<(UsageType, UsageMonth), HashSet<string>>();
        var sessions = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = 64;
        var taken = 0;
        for (var i = 0; i < queue.Pending.Count && batch.Count < _maxBatchSize; i++)
        {
            var pending = queue.Pending[i];
            if (paths.Contains(pending.Path))
            {
                continue;
            }

            var key = (pending.UsageType, pending.Month);
            var isNewSummary = !summaries.TryGetValue(key, out var keys);
            keys ??= new HashSet<string>(StringComparer.Ordinal);
            var newKeys = (keys.Contains(pending.FeatureKey) ? 0 : 1) + (keys.Contains(pending.ProviderKey) ? 0 : 1) + (keys.Contains(pending.DayKey) ? 0 : 1);
            var cost = pending.Write.Length + 1 + (isNewSummary ? SummaryWriteBytes : 0) + (newKeys * BreakdownKeyBytes);
            var inlineBytes = 0;
            if (pending.SessionPath is { } sessionPath)
            {
                inlineBytes = sessions.GetValueOrDefault(sessionPath, -1);
                cost += pending.Inline!.Length + 1 + (inlineBytes < 0 ? SessionWriteBytes : 0);
                inlineBytes = Math.Max(inlineBytes, 0) + pending.Inline.Length;
            }

            if (batch.Count > 0 && (bytes + cost > _maxRequestBytes || keys.Count + newKeys > MaxBreakdownKeys || inlineBytes > MaxInlineBytesPerBatch))
            {
                // Full by size, by transforms or by a session's inline copies: the rest waits for the next batch, in order.
                break;
            }

            if (pending.SessionPath is not null)
            {
                sessions[pending.SessionPath] = inlineBytes;
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
    private async Task CommitAsync(List<PendingRecord> batch)
    {
        // Steps of a session that filled up since they were queued go alone, without their inline copy.
        List<PendingRecord>? alone = null;
        if (batch.Exists(p => p.SessionPath is { } s && _store.IsSessionFull(s)))
        {
            alone = batch.FindAll(p => p.SessionPath is { } s && _store.IsSessionFull(s));
            batch = batch.FindAll(p => !alone.Contains(p));
        }

        if (batch.Count > 0)
        {
            await CommitBatchAsync(batch).ConfigureAwait(false);
        }

        if (alone is not null)
        {
            await CommitStepsAloneAsync(alone).ConfigureAwait(false);
        }
    }

    private async Task CommitBatchAsync(List<PendingRecord> batch)
    {
        var remaining = batch;
        for (var round = 1; ; round++)
        {
            RestResult result;
            List<SessionSums> sessions;
            try
            {
                sessions = SessionSums.Of(remaining);
                var body = BatchBody(remaining, sessions);
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

                NoteInlineUsage(remaining.Count, sessions, result.Body);
                Log.GroupCommitted(_logger, remaining[0].UserId, remaining.Count);
                return;
            }

            if (result.Status == AlreadyExists)
            {
                List<PendingRecord> rest;
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

            if (result.Status == NotFound && sessions.Count > 0)
            {
                // A session of the batch is gone (deleted meanwhile): nothing was written. Its steps go alone (creating the
                // session as a first step does), the operations are committed again without them.
                var steps = remaining.FindAll(static p => p.SessionPath is not null);
                Log.GroupCommitSessionMissing(_logger, remaining[0].UserId, steps.Count, result.Message);
                foreach (var session in sessions)
                {
                    _store.ForgetSession(session.Path);
                }

                var operations = remaining.FindAll(static p => p.SessionPath is null);
                if (operations.Count > 0)
                {
                    await CommitBatchAsync(operations).ConfigureAwait(false);
                }

                await CommitStepsAloneAsync(steps).ConfigureAwait(false);
                return;
            }

            if (result.Status == InvalidArgument && (remaining.Count > 1 || sessions.Count > 0))
            {
                // Firestore refused something in the batch: commit each record alone, so one bad record cannot fail the others
                // (a step through the single-step commit, which retries without its inline copy).
                Log.GroupCommitSplit(_logger, remaining[0].UserId, remaining.Count, result.Message);
                foreach (var pending in remaining)
                {
                    if (pending.SessionPath is null)
                    {
                        await CommitBatchAsync([pending]).ConfigureAwait(false);
                    }
                }

                await CommitStepsAloneAsync(remaining.FindAll(static p => p.SessionPath is not null)).ConfigureAwait(false);
                return;
            }

            Fail(remaining, result.ToException("commit", remaining[0].Path));
            return;
        }
    }

    /// <summary>Steps the batch cannot write, each through the store's single-step commit, in arrival order, with the token it was queued with.</summary>
    private async Task CommitStepsAloneAsync(List<PendingRecord> steps)
    {
        foreach (var pending in steps)
        {
            try
            {
                // Uncertain: an earlier commit holding this token may have landed, so ALREADY_EXISTS is resolved by the token.
                var outcome = await _store.RecordStepAloneAsync(pending.Entry!, pending.Token, uncertain: true, CancellationToken.None).ConfigureAwait(false);
                pending.TrySetResult(outcome);
            }
            catch (Exception ex)
            {
                pending.TrySetException(ex);
            }
        }
    }

    /// <summary>After a successful commit: each session write's inline bookkeeping, read back as the single-step commit does.</summary>
    private void NoteInlineUsage(int documentWrites, List<SessionSums> sessions, byte[] response)
    {
        for (var i = 0; i < sessions.Count; i++)
        {
            _store.NoteInlineUsage(sessions[i].Path, response, documentWrites + i);
        }
    }

    /// <summary>After ALREADY_EXISTS: settles the records whose documents exist (by their write token) and returns the others.</summary>
    private async Task<List<PendingRecord>> SettleExistingAsync(List<PendingRecord> batch)
    {
        var read = await _client.BatchGetAsync(batch.ConvertAll(p => p.Path), [L.Op.WriteToken], CancellationToken.None).ConfigureAwait(false);
        var tokens = new Dictionary<string, string?>(read.Found.Count, StringComparer.Ordinal);
        foreach (var document in read.Found)
        {
            tokens[document.Name] = document.GetString(L.Op.WriteToken);
        }

        var rest = new List<PendingRecord>(batch.Count);
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

    private static void Fail(List<PendingRecord> batch, Exception exception)
    {
        foreach (var pending in batch)
        {
            pending.TrySetException(exception);
        }
    }

    /// <summary>The commit body: every operation and step document as encoded on its caller's thread, then one summed write per session, then one per monthly document.</summary>
    private byte[] BatchBody(List<PendingRecord> batch, List<SessionSums> sessions) => FirestoreRestClient.BuildBody((Committer: this, Batch: batch, Sessions: sessions), static (w, s) =>
    {
        w.WriteStartObject();
        w.WriteStartArray("writes");
        foreach (var pending in s.Batch)
        {
            w.WriteRawValue(pending.Write, skipInputValidation: true);
        }

        foreach (var session in s.Sessions)
        {
            s.Committer.WriteSessionSum(w, session);
        }

        foreach (var summary in MonthlySums.Of(s.Batch))
        {
            s.Committer.WriteMonthlySum(w, s.Batch[0].UserId, summary);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>One session document's write: the same mask and transforms, in the same order, as one step's, with the batch's sums and every inline copy appended in arrival order.</summary>
    private void WriteSessionSum(Utf8JsonWriter w, SessionSums session)
    {
        w.WriteStartObject();
        w.WriteStartObject("update");
        w.WriteString("name", _client.FullName(session.Path));
        w.WriteStartObject("fields");
        FirestoreValues.WriteTimestamp(w, L.Session.LastUpdatedAt, session.Latest);
        w.WriteEndObject();
        w.WriteEndObject();
        FirestoreRestClient.WriteMask(w, "updateMask", SessionMask);
        w.WriteStartArray("updateTransforms");
        CommitWriter.WriteIncrement(w, L.Session.TotalCostNanos, session.Nanos);
        CommitWriter.WriteIncrement(w, L.Session.TotalCost, Dollars(session.Nanos));
        CommitWriter.WriteIncrement(w, L.Session.TotalRuns, session.Runs);
        CommitWriter.WriteIncrement(w, L.Session.StepCount, session.Elements.Count);
        CommitWriter.WriteMaximum(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(session.Latest));
        CommitWriter.WriteIncrement(w, L.Session.InlineStepsBytes, session.InlineBytes); // FirestoreUsageStore.InlineBytesTransform
        CommitWriter.WriteIncrement(w, L.Session.StepsNotInline, 0L); // FirestoreUsageStore.NotInlineTransform
        CommitWriter.WriteAppend(w, L.Session.Steps, session.Elements);
        w.WriteEndArray();
        CommitWriter.WriteExists(w, true);
        w.WriteEndObject();
    }

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
        if (summary.Session.Count > 0)
        {
            CommitWriter.WriteIncrement(w, L.Summary.SessionCostNanos, summary.Session.Nanos);
            CommitWriter.WriteIncrement(w, L.Summary.SessionCost, Dollars(summary.Session.Nanos));
            CommitWriter.WriteIncrement(w, L.Summary.SessionOperationCount, summary.Session.Count);
        }

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

    private static readonly string[] SessionMask = [L.Session.LastUpdatedAt];

    private sealed class UserQueue(string userId)
    {
        public string UserId { get; } = userId;

        public List<PendingRecord> Pending { get; } = [];

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

        /// <summary>The part that session steps add (session cost).</summary>
        public Sum Session { get; private set; }

        /// <summary>Keyed by the breakdown's key (<see cref="PendingRecord.FeatureKey"/> and the like), in first-seen order.</summary>
        public Dictionary<string, Sum> ByKey { get; } = new(StringComparer.Ordinal);

        public static List<MonthlySums> Of(List<PendingRecord> batch)
        {
            var result = new List<MonthlySums>(1);
            foreach (var pending in batch)
            {
                var sums = result.Find(s => s.UsageType == pending.UsageType && s.Month == pending.Month);
                if (sums is null)
                {
                    sums = new MonthlySums(pending.UsageType, pending.Month);
                    result.Add(sums);
                }

                sums.Add(pending);
            }

            return result;
        }

        private void Add(PendingRecord pending)
        {
            // checked: a sum that overflowed would be wrong; the commit fails instead and nothing is counted.
            Total = new Sum(checked(Total.Nanos + pending.Nanos), Total.Count + 1);
            Runs += pending.IsBillableRun ? 1 : 0;
            if (pending.SessionPath is not null)
            {
                Session = new Sum(checked(Session.Nanos + pending.Nanos), Session.Count + 1);
            }

            foreach (var key in (ReadOnlySpan<string>)[pending.FeatureKey, pending.ProviderKey, pending.DayKey])
            {
                var sum = ByKey.GetValueOrDefault(key);
                ByKey[key] = new Sum(checked(sum.Nanos + pending.Nanos), sum.Count + 1);
            }
        }
    }

    /// <summary>The sums of a batch's steps for one session document, and their inline copies in arrival order.</summary>
    private sealed class SessionSums(string path)
    {
        public string Path { get; } = path;

        public long Nanos { get; private set; }

        public long Runs { get; private set; }

        public long InlineBytes { get; private set; }

        public DateTimeOffset Latest { get; private set; } = DateTimeOffset.MinValue;

        public List<byte[]> Elements { get; } = [];

        public static List<SessionSums> Of(List<PendingRecord> batch)
        {
            var result = new List<SessionSums>();
            foreach (var pending in batch)
            {
                if (pending.SessionPath is not { } path)
                {
                    continue;
                }

                var sums = result.Find(s => s.Path == path);
                if (sums is null)
                {
                    sums = new SessionSums(path);
                    result.Add(sums);
                }

                sums.Nanos = checked(sums.Nanos + pending.Nanos);
                sums.Runs += pending.IsBillableRun ? 1 : 0;
                sums.InlineBytes += pending.Inline!.Length;
                sums.Latest = pending.Timestamp > sums.Latest ? pending.Timestamp : sums.Latest;
                sums.Elements.Add(pending.Inline);
            }

            return result;
        }
    }

    /// <summary>One queued record (a standalone operation or a session step): its encoded document write, its token, and what its summed writes need.</summary>
    private sealed class PendingRecord : TaskCompletionSource<RecordOutcome>
    {
        private PendingRecord(string userId, UsageType usageType, decimal cost, bool billable, DateTimeOffset timestamp, string feature, string provider, string path)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            UserId = userId;
            UsageType = usageType;
            IsBillableRun = billable;
            Timestamp = timestamp;
            Nanos = NanoUsd.FromDollars(cost);
            Month = UsageMonth.FromTimestamp(timestamp);
            Path = path;
            Token = WriteTokens.New();
            FeatureKey = BreakdownPaths.FeatureKey(feature);
            ProviderKey = BreakdownPaths.ProviderKey(provider);
            DayKey = BreakdownPaths.DayKey(timestamp);
        }

        public string UserId { get; }

        public UsageType UsageType { get; }

        public bool IsBillableRun { get; }

        public DateTimeOffset Timestamp { get; }

        public long Nanos { get; }

        public UsageMonth Month { get; }

        public string Path { get; }

        public string Token { get; }

        public string FeatureKey { get; }

        public string ProviderKey { get; }

        public string DayKey { get; }

        public byte[] Write { get; private set; } = [];

        /// <summary>A step's session document; <see langword="null"/> for a standalone operation.</summary>
        public string? SessionPath { get; private init; }

        /// <summary>A step's entry, for the single-step commit it may fall back to.</summary>
        public SessionStepEntry? Entry { get; private init; }

        /// <summary>A step's inline copy (raw JSON of a map value).</summary>
        public byte[]? Inline { get; private init; }

        /// <summary>Taken into a batch (guarded by the committer's lock).</summary>
        public bool InFlight { get; set; }

        public static PendingRecord ForOperation(UsageOperation operation, FirestoreUsageStore store)
        {
            var pending = new PendingRecord(operation.UserId, operation.UsageType, operation.Cost, operation.IsBillableRun, operation.Timestamp, operation.Feature, operation.Provider,
                L.OperationPath(operation.UsageType, operation.UserId, operation.OperationId));
            pending.Write = FirestoreRestClient.BuildBody((Store: store, Operation: operation, Pending: pending), static (w, s) =>
                s.Store.WriteOperationDocument(w, s.Operation, s.Pending.Nanos, s.Pending.Token));
            return pending;
        }

        public static PendingRecord ForStep(SessionStepEntry entry, FirestoreUsageStore store)
        {
            var step = entry.Step;
            var pending = new PendingRecord(entry.UserId, step.UsageType, step.Cost, step.IsBillableRun, step.Timestamp, step.Feature, step.Provider,
                L.StepPath(entry.UserId, entry.SessionId, step.OperationId))
            {
                SessionPath = L.SessionPath(entry.UserId, entry.SessionId),
                Entry = entry,
                Inline = FirestoreUsageStore.InlineElement(step, NanoUsd.FromDollars(step.Cost)),
            };
            pending.Write = FirestoreRestClient.BuildBody((Store: store, Entry: entry, Pending: pending), static (w, s) =>
                s.Store.WriteStepDocument(w, s.Entry, s.Pending.Nanos, s.Pending.Token, s.Pending.Path));
            return pending;
        }
    }
}
