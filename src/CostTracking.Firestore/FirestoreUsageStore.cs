using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static CostTracking.Firestore.Internal.CommitWriter;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>A usage store in Google Cloud Firestore, over its REST API: durable, exact to the nano-dollar and exactly once across every instance of your app.</summary>
/// <remarks>
/// <para>Documents follow the layout of the original JavaScript service (<c>AIUsage</c>, <c>ApiUsage</c>,
/// <c>SessionUsage</c>), with exact integer nano-dollar fields beside its display-only doubles; the package README lists
/// every document and field.</para>
/// <para>Each write is one atomic commit guarded by a precondition, with no read on the hot path: a standalone operation
/// creates its document only if absent and increments its monthly summary in the same commit; a session step creates a
/// guard document <c>…/sessions/{s}/steps/{operationId}</c> only if absent and increments the session and the monthly
/// summary in the same commit. A duplicate fails the whole commit with ALREADY_EXISTS, so nothing is counted twice;
/// a retried commit whose first attempt landed is recognised by the write token it left behind.</para>
/// <para>Backend failures throw <see cref="FirestoreStoreException"/>; invalid ids throw <see cref="ArgumentException"/>
/// before any request is sent.</para>
/// </remarks>
public sealed partial class FirestoreUsageStore : IUsageStore
{
    /// <summary>The name of the <see cref="HttpClient"/> the store asks <see cref="IHttpClientFactory"/> for; configure it with <c>services.AddHttpClient(FirestoreUsageStore.HttpClientName)</c>.</summary>
    public const string HttpClientName = "CostTracking.Firestore";

    private const string AlreadyExists = "ALREADY_EXISTS";
    private const string NotFound = "NOT_FOUND";
    private const string InvalidArgument = "INVALID_ARGUMENT";

    // Positions of the session write's transforms in a step commit; the inline bookkeeping reads them back.
    internal const int InlineBytesTransform = 5;
    internal const int NotInlineTransform = 6;

    private readonly FirestoreRestClient _client;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _fullSessions = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="FirestoreUsageStore"/> class that sends its requests through one <see cref="HttpClient"/>.</summary>
    /// <param name="httpClient">The client; the store does not dispose it. Its base address is not used.</param>
    /// <param name="options">The options; they are validated and copied.</param>
    /// <param name="logger">A logger for retries and notable events, or <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for retry delays and request timeouts, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">The options are not valid; the message names each problem.</exception>
    public FirestoreUsageStore(HttpClient httpClient, FirestoreStoreOptions options, ILogger<FirestoreUsageStore>? logger = null, TimeProvider? timeProvider = null)
        : this(Fixed(httpClient), options, logger, timeProvider)
    {
    }

    internal FirestoreUsageStore(Func<HttpClient> httpClient, FirestoreStoreOptions options, ILogger? logger, TimeProvider? timeProvider, IAccessTokenSource? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = FirestoreStoreOptionsValidator.Check(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        tokens ??= options.EmulatorHost is null
            ? new GoogleAccessTokenSource(options.CredentialsFile)
            : EmulatorAccessTokenSource.Instance;
        _client = new FirestoreRestClient(httpClient, options, tokens, timeProvider ?? TimeProvider.System, _logger);
        _groupCommit = options.WriteMode == FirestoreWriteMode.GroupCommit ? new GroupCommitter(this, _client, options, _logger) : null;
    }

    // ================================================================== standalone operations

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<RecordOutcome>(cancellationToken);
        }

        try
        {
            ArgumentNullException.ThrowIfNull(operation);
            UsageIds.ThrowIfInvalid(operation.UserId, "operation.UserId");
            UsageIds.ThrowIfInvalid(operation.OperationId, "operation.OperationId");
            CheckUsageType(operation.UsageType, "operation.UsageType");
            CheckName(operation.Feature, "operation.Feature");
            CheckName(operation.Provider, "operation.Provider");

            // Group commit: the caller awaits the batch's own task, no state machine in between.
            if (_groupCommit is not null)
            {
                return new ValueTask<RecordOutcome>(_groupCommit.RecordAsync(operation, cancellationToken));
            }
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<RecordOutcome>(ex);
        }

        return RecordImmediateAsync(operation, cancellationToken);
    }

    /// <summary>One commit for one operation: its document (created only if absent) and its monthly increment.</summary>
    private async ValueTask<RecordOutcome> RecordImmediateAsync(UsageOperation operation, CancellationToken cancellationToken)
    {
        var nanos = NanoUsd.FromDollars(operation.Cost);
        var path = L.OperationPath(operation.UsageType, operation.UserId, operation.OperationId);
        var token = NewWriteToken();
        var body = OperationCommitBody(operation, nanos, token);

        var result = await _client.CommitAsync(body, path, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            return RecordOutcome.Recorded;
        }

        if (result.Status == AlreadyExists)
        {
            return result.Attempts == 1
                ? RecordOutcome.AlreadyRecorded
                : await ResolveByTokenAsync(path, L.Op.WriteToken, token, cancellationToken).ConfigureAwait(false);
        }

        throw result.ToException("commit", path);
    }

    /// <inheritdoc />
    public async Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        CheckUsageType(usageType, nameof(usageType));
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = CheckPageSize(query.PageSize, "query.PageSize");
        var after = query.ContinuationToken is { } t
            ? ContinuationToken.Decode(t, ContinuationToken.OperationsPrefix, "query.ContinuationToken")
            : default(ContinuationToken?);
        cancellationToken.ThrowIfCancellationRequested();

        var parent = L.UserPath(usageType, userId);
        var body = FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("structuredQuery");
            WriteFrom(w, L.Operations);
            WriteNewestFirst(w, L.Op.Timestamp);
            if (after is { } a)
            {
                WriteStartAfter(w, a, store._client.FullName($"{parent}/{L.Operations}/{a.Id}"));
            }

            w.WriteNumber("limit", pageSize + 1);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        var documents = await _client.RunQueryAsync(parent, body, cancellationToken).ConfigureAwait(false);
        var items = new List<UsageOperation>(Math.Min(documents.Count, pageSize));
        foreach (var document in documents.Take(pageSize))
        {
            items.Add(ToOperation(document, userId, usageType));
        }

        var next = documents.Count > pageSize
            ? new ContinuationToken(FirestoreValues.ToUnixMicroseconds(items[^1].Timestamp), items[^1].OperationId).Encode(ContinuationToken.OperationsPrefix)
            : null;
        return new UsagePage<UsageOperation>(items, next);
    }

    /// <inheritdoc />
    public async Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        CheckUsageType(usageType, nameof(usageType));
        if (month == default)
        {
            throw new ArgumentException("The month is not set.", nameof(month));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var path = L.MonthlyPath(usageType, userId, month);
        var read = await _client.BatchGetAsync([path], null, cancellationToken).ConfigureAwait(false);
        if (read.Found.Count == 0)
        {
            return MonthlyUsageSummary.Empty(userId, usageType, month);
        }

        var document = read.Found[0];
        return new MonthlyUsageSummary
        {
            UserId = userId,
            UsageType = usageType,
            Month = month,
            TotalCost = NanoUsd.ToDollars(document.GetInt64(L.Summary.TotalCostNanos)),
            OperationCount = document.GetInt64(L.Summary.OperationCount),
            BillableRuns = document.GetInt64(L.Summary.TotalRuns),
            SessionCost = NanoUsd.ToDollars(document.GetInt64(L.Summary.SessionCostNanos)),
            SessionOperationCount = document.GetInt64(L.Summary.SessionOperationCount),
            ByFeature = ReadBreakdown(document.GetMap(L.Summary.FeatureBreakdown)),
            ByProvider = ReadBreakdown(document.GetMap(L.Summary.ProviderBreakdown)),
            ByDay = ReadBreakdown(document.GetMap(L.Summary.DayBreakdown))
                .Where(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .ToDictionary(p => int.Parse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture), p => p.Value),
        };
    }

    // ================================================================== sessions

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(entry);
            ArgumentNullException.ThrowIfNull(entry.Step, "entry.Step");
            UsageIds.ThrowIfInvalid(entry.UserId, "entry.UserId");
            UsageIds.ThrowIfInvalid(entry.SessionId, "entry.SessionId");
            UsageIds.ThrowIfInvalid(entry.Step.OperationId, "entry.Step.OperationId");
            CheckName(entry.SessionFeature, "entry.SessionFeature");
            CheckUsageType(entry.Step.UsageType, "entry.Step.UsageType");
            CheckName(entry.Step.Feature, "entry.Step.Feature");
            CheckName(entry.Step.Provider, "entry.Step.Provider");
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled<RecordOutcome>(cancellationToken);
            }

            // Group commit takes the steps it can write as one of its batch's records (a session known to exist, room inline);
            // the caller awaits the batch's own task, no state machine in between, so a flushed step is complete when the flush returns.
            return new ValueTask<RecordOutcome>(_groupCommit is not null && CanBatchStep(entry)
                ? _groupCommit.RecordStepAsync(entry, cancellationToken)
                : RecordStepAloneAsync(entry, NewWriteToken(), uncertain: false, cancellationToken));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<RecordOutcome>(ex);
        }
    }

    /// <summary>One step in its own commit: the step document, the session (created when it does not exist yet) and the monthly summary.</summary>
    /// <param name="entry">The validated entry.</param>
    /// <param name="token">The write token of the step document.</param>
    /// <param name="uncertain">Whether an earlier commit with this token may have landed (a group commit's steps sent again alone): ALREADY_EXISTS is then resolved by the token.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    internal async Task<RecordOutcome> RecordStepAloneAsync(SessionStepEntry entry, string token, bool uncertain, CancellationToken cancellationToken)
    {
        var step = entry.Step;
        var nanos = NanoUsd.FromDollars(step.Cost);
        var sessionPath = L.SessionPath(entry.UserId, entry.SessionId);
        var stepPath = L.StepPath(entry.UserId, entry.SessionId, step.OperationId);
        var element = InlineElement(step, nanos);
        var inline = element.Length <= FirestoreDefaults.MaxInlineStepBytes && !_fullSessions.ContainsKey(sessionPath);
        var createSession = false;
        string? inlineRejected = null;

        for (var shape = 0; shape < FirestoreDefaults.MaxStepCommitShapes; shape++)
        {
            var body = StepCommit(entry, nanos, token, sessionPath, stepPath, createSession, inline ? element : null);
            var result = await _client.CommitAsync(body, stepPath, cancellationToken).ConfigureAwait(false);
            uncertain |= result.Attempts > 1;
            if (result.IsSuccess)
            {
                if (inlineRejected is not null)
                {
                    // The same step went through without its inline copy: the copy was what Firestore refused.
                    Log.InlineStepRejected(_logger, sessionPath, inlineRejected);
                    MarkFull(sessionPath);
                }

                NoteInlineUsage(sessionPath, result.Body, writeIndex: 1);
                NoteSessionExists(sessionPath);
                return RecordOutcome.Recorded;
            }

            switch (result.Status)
            {
                case NotFound when !createSession:
                    // The session does not exist yet: create it in the same commit as the step (only if absent).
                    createSession = true;
                    continue;
                case AlreadyExists when createSession:
                    // Either the session appeared meanwhile or the step exists: the plain shape tells which.
                    createSession = false;
                    continue;
                case AlreadyExists:
                    // The step exists, and so does its session (they are created in one commit).
                    NoteSessionExists(sessionPath);
                    return uncertain
                        ? await ResolveByTokenAsync(stepPath, L.Op.WriteToken, token, cancellationToken).ConfigureAwait(false)
                        : RecordOutcome.AlreadyRecorded;
                case InvalidArgument when inline:
                    // Most likely the session document would pass 1 MiB; the step documents stay the truth, so try without the copy.
                    inlineRejected = result.Message;
                    inline = false;
                    continue;
                default:
                    throw result.ToException("commit", stepPath);
            }
        }

        throw new FirestoreStoreException("ABORTED", null, stepPath, $"Firestore commit on '{stepPath}' did not settle after {FirestoreDefaults.MaxStepCommitShapes} tries: the session kept appearing and disappearing.");
    }

    /// <inheritdoc />
    public async Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        UsageIds.ThrowIfInvalid(sessionId);
        CheckName(feature, nameof(feature));
        cancellationToken.ThrowIfCancellationRequested();

        var path = L.SessionPath(userId, sessionId);
        var token = NewWriteToken();
        var body = FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("writes");
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(path));
            w.WriteStartObject("fields");
            WriteNewSessionFields(w, userId, sessionId, feature, createdAt, stepsInline: true);
            FirestoreValues.WriteDouble(w, L.Session.TotalCost, 0d);
            FirestoreValues.WriteInteger(w, L.Session.TotalCostNanos, 0);
            FirestoreValues.WriteInteger(w, L.Session.TotalRuns, 0);
            FirestoreValues.WriteInteger(w, L.Session.StepCount, 0);
            FirestoreValues.WriteInteger(w, L.Session.InlineStepsBytes, 0);
            FirestoreValues.WriteInteger(w, L.Session.StepsNotInline, 0);
            FirestoreValues.WriteInteger(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(createdAt));
            FirestoreValues.Write(w, L.Session.Steps, Array.Empty<object?>());
            FirestoreValues.WriteString(w, L.Session.CreateToken, token);
            w.WriteEndObject();
            w.WriteEndObject();
            WriteExists(w, false);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });

        var result = await _client.CommitAsync(body, path, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            NoteSessionExists(path);
            return true;
        }

        if (result.Status == AlreadyExists)
        {
            NoteSessionExists(path);
            return result.Attempts > 1
                && await ResolveByTokenAsync(path, L.Session.CreateToken, token, cancellationToken).ConfigureAwait(false) == RecordOutcome.Recorded;
        }

        throw result.ToException("commit", path);
    }

    /// <inheritdoc />
    public async Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        UsageIds.ThrowIfInvalid(sessionId);
        if (status is not (SessionStatus.Completed or SessionStatus.Abandoned))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A session closes as Completed or Abandoned.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var sessionPath = L.SessionPath(userId, sessionId);
        var closePath = L.ClosePath(userId, sessionId);
        var closedField = status == SessionStatus.Completed ? L.Session.CompletedAt : L.Session.AbandonedAt;
        var body = FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("writes");

            // 1. The close marker, created only if absent: whoever creates it closes the session (first close wins).
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(closePath));
            w.WriteStartObject("fields");
            FirestoreValues.WriteString(w, L.Close.Status, L.StatusName(status));
            FirestoreValues.WriteTimestamp(w, L.Close.ClosedAt, closedAt);
            w.WriteEndObject();
            w.WriteEndObject();
            WriteExists(w, false);
            w.WriteEndObject();

            // 2. The session's status, only if the session exists; steps never touch these fields, so they do not conflict.
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(sessionPath));
            w.WriteStartObject("fields");
            FirestoreValues.WriteString(w, L.Session.Status, L.StatusName(status));
            FirestoreValues.WriteTimestamp(w, closedField, closedAt);
            FirestoreValues.WriteTimestamp(w, L.Session.LastUpdatedAt, closedAt);
            w.WriteEndObject();
            w.WriteEndObject();
            FirestoreRestClient.WriteMask(w, "updateMask", [L.Session.Status, closedField, L.Session.LastUpdatedAt]);
            w.WriteStartArray("updateTransforms");
            WriteMaximum(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(closedAt));
            w.WriteEndArray();
            WriteExists(w, true);
            w.WriteEndObject();

            w.WriteEndArray();
            w.WriteEndObject();
        });

        var result = await _client.CommitAsync(body, sessionPath, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess || result.Status == AlreadyExists)
        {
            // Closed now, or closed earlier by someone else: either way the session as it stands is the answer.
            return await GetSessionAsync(userId, sessionId, cancellationToken).ConfigureAwait(false);
        }

        if (result.Status == NotFound)
        {
            return null;
        }

        throw result.ToException("commit", sessionPath);
    }

    /// <inheritdoc />
    public async Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        UsageIds.ThrowIfInvalid(sessionId);
        cancellationToken.ThrowIfCancellationRequested();

        var sessionPath = L.SessionPath(userId, sessionId);
        var header = await _client.BatchGetAsync([sessionPath], L.Session.Header, cancellationToken).ConfigureAwait(false);
        if (header.Found.Count == 0)
        {
            return null;
        }

        // The steps are read at the header's read time: one consistent snapshot, so the totals match the steps.
        var documents = await ReadStepDocumentsAsync(sessionPath, header.ReadTime, cancellationToken).ConfigureAwait(false);
        var steps = new SessionStep[documents.Count];
        for (var i = 0; i < steps.Length; i++)
        {
            steps[i] = ToStep(documents[i]);
        }

        var h = ReadHeader(header.Found[0]);
        return new UsageSession
        {
            UserId = userId,
            SessionId = sessionId,
            Feature = h.Feature,
            Status = h.Status,
            TotalCost = h.TotalCost,
            TotalRuns = h.TotalRuns,
            StepCount = h.StepCount,
            CreatedAt = h.CreatedAt,
            LastUpdatedAt = h.LastUpdatedAt,
            CompletedAt = h.CompletedAt,
            AbandonedAt = h.AbandonedAt,
            RepricedBy = h.RepricedBy,
            RepricedAt = h.RepricedAt,
            Steps = steps,
        };
    }

    /// <inheritdoc />
    public async Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default)
    {
        UsageIds.ThrowIfInvalid(userId);
        ArgumentNullException.ThrowIfNull(query);
        var pageSize = CheckPageSize(query.PageSize, "query.PageSize");
        if (query.Feature is not null)
        {
            CheckName(query.Feature, "query.Feature");
        }

        var after = query.ContinuationToken is { } t
            ? ContinuationToken.Decode(t, ContinuationToken.SessionsPrefix, "query.ContinuationToken")
            : default(ContinuationToken?);
        cancellationToken.ThrowIfCancellationRequested();

        var parent = L.SessionUserPath(userId);
        var body = FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("structuredQuery");
            WriteSelect(w, L.Session.Header);
            WriteFrom(w, L.Sessions);
            WriteSessionFilter(w, query.Status, query.Feature);
            WriteNewestFirst(w, L.Session.CreatedAt);
            if (after is { } a)
            {
                WriteStartAfter(w, a, store._client.FullName($"{parent}/{L.Sessions}/{a.Id}"));
            }

            w.WriteNumber("limit", pageSize + 1);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        var documents = await _client.RunQueryAsync(parent, body, cancellationToken).ConfigureAwait(false);
        var items = new List<UsageSessionSummary>(Math.Min(documents.Count, pageSize));
        foreach (var document in documents.Take(pageSize))
        {
            var h = ReadHeader(document);
            items.Add(new UsageSessionSummary
            {
                UserId = userId,
                SessionId = document.Id,
                Feature = h.Feature,
                Status = h.Status,
                TotalCost = h.TotalCost,
                TotalRuns = h.TotalRuns,
                StepCount = h.StepCount,
                CreatedAt = h.CreatedAt,
                LastUpdatedAt = h.LastUpdatedAt,
                CompletedAt = h.CompletedAt,
                AbandonedAt = h.AbandonedAt,
                RepricedBy = h.RepricedBy,
                RepricedAt = h.RepricedAt,
            });
        }

        var next = documents.Count > pageSize
            ? new ContinuationToken(FirestoreValues.ToUnixMicroseconds(items[^1].CreatedAt), items[^1].SessionId).Encode(ContinuationToken.SessionsPrefix)
            : null;
        return new UsagePage<UsageSessionSummary>(items, next);
    }

    // ================================================================== writing helpers

    private byte[] StepCommit(SessionStepEntry entry, long nanos, string token, string sessionPath, string stepPath, bool createSession, byte[]? inlineElement) =>
        FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            var step = entry.Step;
            w.WriteStartObject();
            w.WriteStartArray("writes");

            // 1. The step document, created only if absent: the exactly-once guard and the truth for the session's steps.
            store.WriteStepDocument(w, entry, nanos, token, stepPath);

            // 2. The session: its totals incremented, created here when it does not exist yet.
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(sessionPath));
            w.WriteStartObject("fields");
            if (createSession)
            {
                WriteNewSessionFields(w, entry.UserId, entry.SessionId, entry.SessionFeature, step.Timestamp, stepsInline: inlineElement is not null);
                if (inlineElement is null)
                {
                    FirestoreValues.Write(w, L.Session.Steps, Array.Empty<object?>());
                }
            }
            else
            {
                FirestoreValues.WriteTimestamp(w, L.Session.LastUpdatedAt, step.Timestamp);
                if (inlineElement is null)
                {
                    FirestoreValues.WriteBoolean(w, L.Session.StepsTruncated, true);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
            if (!createSession)
            {
                FirestoreRestClient.WriteMask(w, "updateMask", inlineElement is null ? [L.Session.LastUpdatedAt, L.Session.StepsTruncated] : [L.Session.LastUpdatedAt]);
            }

            w.WriteStartArray("updateTransforms");
            WriteIncrement(w, L.Session.TotalCostNanos, nanos);
            WriteIncrement(w, L.Session.TotalCost, (double)step.Cost);
            WriteIncrement(w, L.Session.TotalRuns, step.IsBillableRun ? 1L : 0L);
            WriteIncrement(w, L.Session.StepCount, 1L);
            WriteMaximum(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(step.Timestamp));
            WriteIncrement(w, L.Session.InlineStepsBytes, inlineElement is null ? 0L : inlineElement.Length); // InlineBytesTransform
            WriteIncrement(w, L.Session.StepsNotInline, inlineElement is null ? 1L : 0L); // NotInlineTransform
            if (inlineElement is not null)
            {
                WriteAppend(w, L.Session.Steps, inlineElement);
            }

            w.WriteEndArray();
            WriteExists(w, !createSession);
            w.WriteEndObject();

            // 3. The monthly summary, as session cost.
            store.WriteMonthlyIncrement(w, step.UsageType, entry.UserId, step.Timestamp, step.Feature, step.Provider, step.Cost, nanos, step.IsBillableRun, inSession: true);

            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>One write: the step document, created only if absent (the exactly-once guard and the truth for the session's steps).</summary>
    internal void WriteStepDocument(Utf8JsonWriter w, SessionStepEntry entry, long nanos, string token, string stepPath)
    {
        var step = entry.Step;
        WriteNewOperationDocument(w, stepPath, step.OperationId, entry.UserId, entry.SessionId, step.UsageType, step.Feature, step.Provider, step.Cost, nanos, step.IsBillableRun, step.Timestamp, step.Metadata, token);
    }

    /// <summary>The commit of one standalone operation: its document, created only if absent, and its monthly increment.</summary>
    internal byte[] OperationCommitBody(UsageOperation operation, long nanos, string token) =>
        FirestoreRestClient.BuildBody((Store: this, Operation: operation, Nanos: nanos, Token: token), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("writes");
            s.Store.WriteOperationDocument(w, s.Operation, s.Nanos, s.Token);
            s.Store.WriteMonthlyIncrement(w, s.Operation.UsageType, s.Operation.UserId, s.Operation.Timestamp, s.Operation.Feature, s.Operation.Provider, s.Operation.Cost, s.Nanos, s.Operation.IsBillableRun, inSession: false);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>One write: the operation document, created only if absent (the exactly-once guard).</summary>
    internal void WriteOperationDocument(Utf8JsonWriter w, UsageOperation operation, long nanos, string token) =>
        WriteNewOperationDocument(w, L.OperationPath(operation.UsageType, operation.UserId, operation.OperationId), operation.OperationId, operation.UserId, sessionId: null, operation.UsageType, operation.Feature, operation.Provider, operation.Cost, nanos, operation.IsBillableRun, operation.Timestamp, operation.Metadata, token);

    /// <summary>A standalone operation's or a step's document, created only if absent; a step's also names its session.</summary>
    private void WriteNewOperationDocument(Utf8JsonWriter w, string path, string operationId, string userId, string? sessionId, UsageType usageType, string feature, string provider, decimal cost, long nanos, bool isBillableRun, DateTimeOffset timestamp, IReadOnlyDictionary<string, object?> metadata, string token)
    {
        w.WriteStartObject();
        w.WriteStartObject("update");
        w.WriteString("name", _client.FullName(path));
        w.WriteStartObject("fields");
        FirestoreValues.WriteString(w, L.Op.OperationId, operationId);
        FirestoreValues.WriteString(w, L.Op.UserId, userId);
        if (sessionId is not null)
        {
            FirestoreValues.WriteString(w, L.Op.SessionId, sessionId);
        }

        WriteOperationFields(w, usageType, feature, provider, cost, nanos, isBillableRun, timestamp, metadata);
        FirestoreValues.WriteString(w, L.Op.WriteToken, token);
        w.WriteEndObject();
        w.WriteEndObject();
        WriteExists(w, false);
        w.WriteEndObject();
    }

    private static void WriteNewSessionFields(Utf8JsonWriter w, string userId, string sessionId, string feature, DateTimeOffset createdAt, bool stepsInline)
    {
        FirestoreValues.WriteString(w, L.Session.UserId, userId);
        FirestoreValues.WriteString(w, L.Session.SessionId, sessionId);
        FirestoreValues.WriteString(w, L.Session.Feature, feature);
        FirestoreValues.WriteString(w, L.Session.Status, L.StatusInProgress);
        FirestoreValues.WriteTimestamp(w, L.Session.CreatedAt, createdAt);
        FirestoreValues.WriteTimestamp(w, L.Session.LastUpdatedAt, createdAt);
        FirestoreValues.WriteBoolean(w, L.Session.StepsTruncated, !stepsInline);
    }

    private static void WriteOperationFields(Utf8JsonWriter w, UsageType type, string feature, string provider, decimal cost, long nanos, bool billable, DateTimeOffset timestamp, IReadOnlyDictionary<string, object?>? metadata)
    {
        FirestoreValues.WriteString(w, L.Op.UsageType, L.UsageCollection(type));
        FirestoreValues.WriteString(w, L.Op.Feature, feature);
        FirestoreValues.WriteString(w, L.Op.Provider, provider);
        FirestoreValues.WriteDouble(w, L.Op.Cost, (double)cost);
        FirestoreValues.WriteInteger(w, L.Op.CostNanos, nanos);
        FirestoreValues.WriteBoolean(w, L.Op.IsBillableRun, billable);
        FirestoreValues.WriteTimestamp(w, L.Op.Timestamp, timestamp);
        FirestoreValues.WriteString(w, L.Op.Month, UsageMonth.FromTimestamp(timestamp).ToString());
        FirestoreValues.Write(w, L.Op.Metadata, metadata ?? EmptyMap);
    }

    private void WriteMonthlyIncrement(Utf8JsonWriter w, UsageType type, string userId, DateTimeOffset timestamp, string feature, string provider, decimal cost, long nanos, bool billable, bool inSession)
    {
        var month = UsageMonth.FromTimestamp(timestamp);
        w.WriteStartObject();
        w.WriteStartObject("update");
        w.WriteString("name", _client.FullName(L.MonthlyPath(type, userId, month)));
        w.WriteStartObject("fields");
        FirestoreValues.WriteString(w, L.Summary.UserId, userId);
        FirestoreValues.WriteString(w, L.Summary.UsageType, L.UsageCollection(type));
        FirestoreValues.WriteString(w, L.Summary.Month, month.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        FirestoreRestClient.WriteMask(w, "updateMask", SummaryMask);
        w.WriteStartArray("updateTransforms");
        var dollars = (double)cost;
        WriteIncrement(w, L.Summary.TotalCostNanos, nanos);
        WriteIncrement(w, L.Summary.TotalCost, dollars);
        WriteIncrement(w, L.Summary.OperationCount, 1L);
        WriteIncrement(w, L.Summary.TotalRuns, billable ? 1L : 0L);
        if (inSession)
        {
            WriteIncrement(w, L.Summary.SessionCostNanos, nanos);
            WriteIncrement(w, L.Summary.SessionCost, dollars);
            WriteIncrement(w, L.Summary.SessionOperationCount, 1L);
        }

        foreach (var key in (ReadOnlySpan<string>)[BreakdownPaths.FeatureKey(feature), BreakdownPaths.ProviderKey(provider), BreakdownPaths.DayKey(timestamp)])
        {
            var paths = BreakdownPaths.Of(key);
            WriteIncrement(w, paths.CostNanos, nanos);
            WriteIncrement(w, paths.Cost, dollars);
            WriteIncrement(w, paths.Count, 1L);
        }

        WriteServerTime(w, L.Summary.LastUpdated);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The step as the seed's inline <c>steps</c> element (a map <c>Value</c>), as raw JSON; its length is the budget it uses.</summary>
    internal static byte[] InlineElement(SessionStep step, long nanos) => FirestoreRestClient.BuildBody(step, (w, s) =>
    {
        w.WriteStartObject();
        w.WriteStartObject("mapValue");
        w.WriteStartObject("fields");
        FirestoreValues.WriteString(w, L.Op.OperationId, s.OperationId);
        FirestoreValues.WriteString(w, L.Op.Feature, s.Feature);
        FirestoreValues.WriteDouble(w, L.Op.Cost, (double)s.Cost);
        // The seed wrote step times as ISO 8601 strings (server timestamps cannot go inside arrays); so do we.
        FirestoreValues.WriteString(w, L.Op.Timestamp, FirestoreValues.FormatTimestamp(s.Timestamp));
        FirestoreValues.Write(w, L.Op.Metadata, s.Metadata ?? EmptyMap);
        FirestoreValues.WriteString(w, L.Op.Provider, s.Provider);
        FirestoreValues.WriteString(w, L.Op.UsageType, L.UsageCollection(s.UsageType));
        FirestoreValues.WriteInteger(w, L.Op.CostNanos, nanos);
        FirestoreValues.WriteBoolean(w, L.Op.IsBillableRun, s.IsBillableRun);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Reads the session write's inline bookkeeping from a commit response (write <paramref name="writeIndex"/>) and marks the session full once its budget is spent or a step went without its copy.</summary>
    internal void NoteInlineUsage(string sessionPath, byte[] commitResponse, int writeIndex)
    {
        var results = CommitWriter.TransformResults(commitResponse, writeIndex);
        if (results.Count > NotInlineTransform
            && ((results[InlineBytesTransform] is long bytes && bytes > FirestoreDefaults.InlineStepsBudgetBytes)
                || (results[NotInlineTransform] is long notInline && notInline > 0)))
        {
            MarkFull(sessionPath);
        }
    }

    internal void MarkFull(string sessionPath)
    {
        if (_fullSessions.Count >= FirestoreDefaults.FullSessionCacheSize)
        {
            // Forgetting only costs one more inline copy per session, which the budget's headroom absorbs.
            _fullSessions.Clear();
        }

        if (_fullSessions.TryAdd(sessionPath, 0))
        {
            Log.InlineStepsFull(_logger, sessionPath);
        }
    }

    /// <summary>After ALREADY_EXISTS on a retried write: the document holds this call's token exactly when an earlier attempt of this call landed.</summary>
    private async Task<RecordOutcome> ResolveByTokenAsync(string path, string tokenField, string token, CancellationToken cancellationToken)
    {
        var read = await _client.BatchGetAsync([path], [tokenField], cancellationToken).ConfigureAwait(false);
        var outcome = read.Found.Count == 1 && read.Found[0].GetString(tokenField) == token
            ? RecordOutcome.Recorded
            : RecordOutcome.AlreadyRecorded;
        Log.ResolvedRetriedWrite(_logger, path, outcome);
        return outcome;
    }

    // ================================================================== query helpers

    private async Task<List<FirestoreDocument>> ReadStepDocumentsAsync(string sessionPath, string? readTime, CancellationToken cancellationToken)
    {
        var all = new List<FirestoreDocument>();
        string? lastName = null;
        while (true)
        {
            var body = FirestoreRestClient.BuildBody(lastName, (w, after) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("structuredQuery");
                WriteFrom(w, L.Steps);
                w.WriteStartArray("orderBy");
                WriteOrder(w, "__name__", "ASCENDING");
                w.WriteEndArray();
                if (after is not null)
                {
                    w.WriteStartObject("startAt");
                    w.WriteStartArray("values");
                    w.WriteStartObject();
                    w.WriteString("referenceValue", after);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteBoolean("before", false);
                    w.WriteEndObject();
                }

                w.WriteNumber("limit", FirestoreDefaults.StepPageSize);
                w.WriteEndObject();
                if (readTime is not null)
                {
                    w.WriteString("readTime", readTime);
                }

                w.WriteEndObject();
            });
            var page = await _client.RunQueryAsync(sessionPath, body, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < FirestoreDefaults.StepPageSize)
            {
                break;
            }

            lastName = page[^1].Name;
        }

        // Append order: each commit also wrote the session document, so commit times (the step documents' create times)
        // are strictly ordered between commits; steps of one group commit share theirs and are ordered by their own time,
        // then by name.
        all.Sort(static (a, b) =>
        {
            var c = a.CreateTime.CompareTo(b.CreateTime);
            if (c == 0)
            {
                c = Nullable.Compare(a.GetTimestamp(L.Op.Timestamp), b.GetTimestamp(L.Op.Timestamp));
            }

            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });
        return all;
    }

    private static void WriteFrom(Utf8JsonWriter w, string collectionId)
    {
        w.WriteStartArray("from");
        w.WriteStartObject();
        w.WriteString("collectionId", collectionId);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteSelect(Utf8JsonWriter w, IEnumerable<string> fields)
    {
        w.WriteStartObject("select");
        w.WriteStartArray("fields");
        foreach (var field in fields)
        {
            w.WriteStartObject();
            w.WriteString("fieldPath", field);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteOrder(Utf8JsonWriter w, string fieldPath, string direction)
    {
        w.WriteStartObject();
        w.WriteStartObject("field");
        w.WriteString("fieldPath", fieldPath);
        w.WriteEndObject();
        w.WriteString("direction", direction);
        w.WriteEndObject();
    }

    /// <summary>Orders by a timestamp, newest first, then by document id descending: a total order for stable cursors.</summary>
    private static void WriteNewestFirst(Utf8JsonWriter w, string timestampField)
    {
        w.WriteStartArray("orderBy");
        WriteOrder(w, timestampField, "DESCENDING");
        WriteOrder(w, "__name__", "DESCENDING");
        w.WriteEndArray();
    }

    private static void WriteStartAfter(Utf8JsonWriter w, ContinuationToken after, string documentName)
    {
        w.WriteStartObject("startAt");
        w.WriteStartArray("values");
        w.WriteStartObject();
        w.WriteString("timestampValue", FirestoreValues.FormatTimestamp(FirestoreValues.FromUnixMicroseconds(after.Micros)));
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("referenceValue", documentName);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteBoolean("before", false);
        w.WriteEndObject();
    }

    private static void WriteSessionFilter(Utf8JsonWriter w, SessionStatus? status, string? feature)
    {
        if (status is null && feature is null)
        {
            return;
        }

        w.WriteStartObject("where");
        var both = status is not null && feature is not null;
        if (both)
        {
            w.WriteStartObject("compositeFilter");
            w.WriteString("op", "AND");
            w.WriteStartArray("filters");
        }

        if (status is { } s)
        {
            WriteEquals(w, L.Session.Status, L.StatusName(s), wrapped: both);
        }

        if (feature is not null)
        {
            WriteEquals(w, L.Session.Feature, feature, wrapped: both);
        }

        if (both)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteEquals(Utf8JsonWriter w, string field, string value, bool wrapped)
    {
        if (wrapped)
        {
            w.WriteStartObject();
        }

        w.WriteStartObject("fieldFilter");
        w.WriteStartObject("field");
        w.WriteString("fieldPath", field);
        w.WriteEndObject();
        w.WriteString("op", "EQUAL");
        FirestoreValues.WriteString(w, "value", value);
        w.WriteEndObject();
        if (wrapped)
        {
            w.WriteEndObject();
        }
    }

    // ================================================================== reading helpers

    private static UsageOperation ToOperation(FirestoreDocument d, string userId, UsageType usageType) => new()
    {
        OperationId = d.Id,
        UserId = userId,
        UsageType = usageType,
        Feature = d.GetString(L.Op.Feature) ?? "",
        Provider = d.GetString(L.Op.Provider) ?? "",
        Cost = ReadCost(d, L.Op.CostNanos, L.Op.Cost),
        IsBillableRun = d.GetBoolean(L.Op.IsBillableRun),
        Timestamp = d.GetTimestamp(L.Op.Timestamp) ?? d.CreateTime,
        Metadata = d.GetMap(L.Op.Metadata) ?? EmptyMap,
    };

    private static SessionStep ToStep(FirestoreDocument d) => new()
    {
        OperationId = d.Id,
        UsageType = d.GetString(L.Op.UsageType) == "AIUsage" ? UsageType.AIUsage : UsageType.ApiUsage,
        Feature = d.GetString(L.Op.Feature) ?? "",
        Provider = d.GetString(L.Op.Provider) ?? "",
        Cost = ReadCost(d, L.Op.CostNanos, L.Op.Cost),
        OriginalCost = d.HasInt64(L.Op.OriginalCostNanos) ? NanoUsd.ToDollars(d.GetInt64(L.Op.OriginalCostNanos)) : null,
        PriceKey = d.GetString(L.Op.PriceKey),
        PriceEffectiveDate = ReadDate(d, L.Op.PriceEffectiveDate),
        IsBillableRun = d.GetBoolean(L.Op.IsBillableRun),
        Timestamp = d.GetTimestamp(L.Op.Timestamp) ?? d.CreateTime,
        Metadata = d.GetMap(L.Op.Metadata) ?? EmptyMap,
    };

    /// <summary>A day written as a string <c>YYYY-MM-DD</c>; <see langword="null"/> when the field is absent or not such a day.</summary>
    private static DateOnly? ReadDate(FirestoreDocument d, string field) =>
        DateOnly.TryParseExact(d.GetString(field), L.Op.PriceEffectiveDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>The exact nano-dollar field; only a document the seed wrote (without one) falls back to its display double.</summary>
    private static decimal ReadCost(FirestoreDocument d, string nanosField, string doubleField) =>
        d.HasInt64(nanosField) ? NanoUsd.ToDollars(d.GetInt64(nanosField))
        : d.GetDouble(doubleField) is { } dollars ? NanoUsd.Round((decimal)dollars)
        : 0m;

    private static SessionHeader ReadHeader(FirestoreDocument d)
    {
        var createdAt = d.GetTimestamp(L.Session.CreatedAt) ?? d.CreateTime;
        var lastUpdated = d.HasInt64(L.Session.LastUpdatedMicros)
            ? FirestoreValues.FromUnixMicroseconds(d.GetInt64(L.Session.LastUpdatedMicros))
            : d.GetTimestamp(L.Session.LastUpdatedAt) ?? createdAt;
        return new SessionHeader(
            d.GetString(L.Session.Feature) ?? "",
            L.ParseStatus(d.GetString(L.Session.Status)),
            ReadCost(d, L.Session.TotalCostNanos, L.Session.TotalCost),
            d.GetInt64(L.Session.TotalRuns),
            (int)Math.Min(int.MaxValue, d.GetInt64(L.Session.StepCount)),
            createdAt,
            lastUpdated > createdAt ? lastUpdated : createdAt,
            d.GetTimestamp(L.Session.CompletedAt),
            d.GetTimestamp(L.Session.AbandonedAt),
            d.GetString(L.Session.RepricedBy),
            d.GetTimestamp(L.Session.RepricedAt));
    }

    private static Dictionary<string, CostBreakdown> ReadBreakdown(IReadOnlyDictionary<string, object?>? map)
    {
        var result = new Dictionary<string, CostBreakdown>(StringComparer.Ordinal);
        if (map is null)
        {
            return result;
        }

        foreach (var (key, value) in map)
        {
            if (value is IReadOnlyDictionary<string, object?> entry)
            {
                var nanos = entry.TryGetValue(L.Summary.CostNanos, out var n) && n is long l ? l : 0L;
                var count = entry.TryGetValue(L.Summary.Count, out var c) && c is long k ? k : 0L;
                result[key] = new CostBreakdown(NanoUsd.ToDollars(nanos), count);
            }
        }

        return result;
    }

    // ================================================================== validation

    private static void CheckUsageType(UsageType usageType, string paramName)
    {
        if (usageType is not (UsageType.ApiUsage or UsageType.AIUsage))
        {
            throw new ArgumentOutOfRangeException(paramName, usageType, $"'{usageType}' is not a defined {nameof(UsageType)}.");
        }
    }

    /// <summary>Feature and provider names become map keys in Firestore: not empty, not <c>__*__</c>.</summary>
    private static void CheckName(string? name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (name.Length >= 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal))
        {
            throw new ArgumentException($"A feature or provider name must not start and end with '__' (reserved by Firestore; value: '{name}').", paramName);
        }
    }

    private static int CheckPageSize(int pageSize, string paramName)
    {
        if (pageSize < 1 || pageSize > SessionQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(paramName, pageSize, $"A page size must be 1 to {SessionQuery.MaxPageSize}.");
        }

        return pageSize;
    }

    private static string NewWriteToken() => WriteTokens.New();

    private static Func<HttpClient> Fixed(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }

    private static readonly string[] SummaryMask = [L.Summary.UserId, L.Summary.UsageType, L.Summary.Month];

    private static readonly IReadOnlyDictionary<string, object?> EmptyMap = System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>.Empty;

    private readonly record struct SessionHeader(
        string Feature,
        SessionStatus Status,
        decimal TotalCost,
        long TotalRuns,
        int StepCount,
        DateTimeOffset CreatedAt,
        DateTimeOffset LastUpdatedAt,
        DateTimeOffset? CompletedAt,
        DateTimeOffset? AbandonedAt,
        string? RepricedBy,
        DateTimeOffset? RepricedAt);
}
