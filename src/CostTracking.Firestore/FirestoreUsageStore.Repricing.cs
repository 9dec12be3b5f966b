using System.Globalization;
using System.Text.Json;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using CostTracking.Pricing;
using static CostTracking.Firestore.Internal.CommitWriter;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore;

/// <summary>Session re-pricing: one atomic commit, once per session.</summary>
public sealed partial class FirestoreUsageStore
{
    /// <inheritdoc />
    /// <remarks>
    /// <para>One <c>batchGet</c> reads the session document, its <c>state/repriced</c> marker and the listed step documents at
    /// one read time. Then one commit: [create <c>state/repriced</c> only if absent; set <c>repricedBy</c>/<c>repricedAt</c>,
    /// move <c>totalCostNanos</c>/<c>totalCost</c> by the difference and rewrite the re-priced inline <c>steps</c> copies,
    /// on condition that the session is the version read (<c>updateTime</c>); set each re-priced step document's cost with
    /// its original kept in <c>originalCostNanos</c>/<c>originalCost</c> and the price applied in <c>priceKey</c> and
    /// <c>priceEffectiveDate</c> (a string <c>YYYY-MM-DD</c>), each on the version read, and the same on its inline copy;
    /// move each affected monthly document's total, session cost and feature, provider and day costs by the difference with
    /// <c>increment</c> transforms, counts unchanged]. A second re-pricing fails on the marker; a step that lands in between
    /// fails the precondition and the call reads and decides again.</para>
    /// </remarks>
    public async Task<bool> RepriceSessionAsync(SessionKey key, SessionRepricing repricing, DateTimeOffset repricedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repricing);
        ArgumentNullException.ThrowIfNull(repricing.Steps, "repricing.Steps");
        ArgumentException.ThrowIfNullOrEmpty(repricing.PolicyName, "repricing.PolicyName");
        UsageIds.ThrowIfInvalid(key.UserId, "key.UserId");
        UsageIds.ThrowIfInvalid(key.SessionId, "key.SessionId");
        cancellationToken.ThrowIfCancellationRequested();

        // Ids that cannot be a step's id cannot name one of its steps: they are ignored like any other id not in the session.
        var newCosts = repricing.Steps.ToDictionary(s => s.OperationId, StringComparer.Ordinal);
        var sessionPath = L.SessionPath(key.UserId, key.SessionId);
        var markerPath = L.RepricedPath(key.UserId, key.SessionId);
        var stepPaths = newCosts.Keys.Where(UsageIds.IsValid).ToDictionary(id => id, id => L.StepPath(key.UserId, key.SessionId, id), StringComparer.Ordinal);
        var token = NewWriteToken();
        var uncertain = false;
        for (var attempt = 0; attempt < MaxConflictAttempts; attempt++)
        {
            var read = await _client.BatchGetRawAsync([sessionPath, markerPath, .. stepPaths.Values], null, cancellationToken).ConfigureAwait(false);
            if (read.TryGetValue(markerPath, out var marker))
            {
                // Re-priced already: by this call when an earlier attempt's response was lost, otherwise by someone else.
                return uncertain && marker.Document.GetString(L.Marker.WriteToken) == token;
            }

            if (!read.TryGetValue(sessionPath, out var session))
            {
                return false;
            }

            var header = ReadHeader(session.Document);
            if (header.Status == SessionStatus.InProgress || header.RepricedBy is not null)
            {
                return false;
            }

            var changes = new List<StepChange>();
            foreach (var (id, path) in stepPaths)
            {
                if (read.TryGetValue(path, out var stepDocument))
                {
                    var step = ToStep(stepDocument.Document);
                    var applied = newCosts[id];
                    changes.Add(new StepChange(path, stepDocument.UpdateTime, step, NanoUsd.FromDollars(step.Cost), NanoUsd.FromDollars(applied.NewCost), applied.PriceKey, applied.EffectiveDate));
                }
            }

            var delta = changes.Aggregate(0L, (sum, c) => checked(sum + c.Delta));
            var body = RepricingCommit(repricing.PolicyName, repricedAt, token, sessionPath, markerPath, session, key.UserId, changes, delta);
            var result = await _client.CommitAsync(body, sessionPath, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                Log.SessionRepriced(_logger, sessionPath, repricing.PolicyName, changes.Count, delta);
                return true;
            }

            uncertain |= result.Attempts > 1;
            if (result.Status is not (AlreadyExists or FailedPrecondition or NotFound))
            {
                throw result.ToException("commit", sessionPath);
            }

            // Re-priced, changed or deleted meanwhile: read again and decide on what is there now.
            if (result.Status != AlreadyExists)
            {
                await BackOffAsync("reprice", sessionPath, result.Status, attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        throw TooMuchContention("reprice", sessionPath);
    }

    private byte[] RepricingCommit(string policy, DateTimeOffset repricedAt, string token, string sessionPath, string markerPath, RawDocument session, string userId, List<StepChange> changes, long delta) =>
        FirestoreRestClient.BuildBody(this, (w, store) =>
        {
            var changed = changes.ToDictionary(c => c.Step.OperationId, StringComparer.Ordinal);
            var deltaDollars = (double)NanoUsd.ToDollars(delta);
            w.WriteStartObject();
            w.WriteStartArray("writes");

            // 1. The marker, only if absent: a session is re-priced once.
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(markerPath));
            w.WriteStartObject("fields");
            FirestoreValues.WriteString(w, L.Marker.Policy, policy);
            FirestoreValues.WriteTimestamp(w, L.Marker.RepricedAt, repricedAt);
            FirestoreValues.WriteInteger(w, L.Marker.StepCount, changes.Count);
            FirestoreValues.WriteInteger(w, L.Marker.DeltaNanos, delta);
            FirestoreValues.WriteString(w, L.Marker.WriteToken, token);
            w.WriteEndObject();
            w.WriteEndObject();
            WriteExists(w, false);
            w.WriteEndObject();

            // 2. The session: who re-priced it, its total moved by the difference, its inline copies rewritten; on the version read.
            var inline = InlineSteps(session.Json);
            var rewriteInline = inline is { } array && array.EnumerateArray().Any(e => changed.ContainsKey(InlineOperationId(e) ?? ""));
            w.WriteStartObject();
            w.WriteStartObject("update");
            w.WriteString("name", store._client.FullName(sessionPath));
            w.WriteStartObject("fields");
            FirestoreValues.WriteString(w, L.Session.RepricedBy, policy);
            FirestoreValues.WriteTimestamp(w, L.Session.RepricedAt, repricedAt);
            if (rewriteInline)
            {
                w.WriteStartObject(L.Session.Steps);
                w.WriteStartObject("arrayValue");
                w.WriteStartArray("values");
                foreach (var element in inline!.Value.EnumerateArray())
                {
                    if (InlineOperationId(element) is { } id && changed.TryGetValue(id, out var change))
                    {
                        WriteRepricedInline(w, element, change);
                    }
                    else
                    {
                        element.WriteTo(w);
                    }
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
            FirestoreRestClient.WriteMask(w, "updateMask", rewriteInline
                ? [L.Session.RepricedBy, L.Session.RepricedAt, L.Session.Steps]
                : [L.Session.RepricedBy, L.Session.RepricedAt]);
            w.WriteStartArray("updateTransforms");
            WriteIncrement(w, L.Session.TotalCostNanos, delta);
            WriteIncrement(w, L.Session.TotalCost, deltaDollars);
            WriteMaximum(w, L.Session.LastUpdatedMicros, FirestoreValues.ToUnixMicroseconds(repricedAt));
            w.WriteEndArray();
            WriteUpdateTime(w, session.UpdateTime);
            w.WriteEndObject();

            // 3. Each re-priced step: the new cost, the original kept, the price applied; on the version read.
            foreach (var change in changes)
            {
                w.WriteStartObject();
                w.WriteStartObject("update");
                w.WriteString("name", store._client.FullName(change.Path));
                w.WriteStartObject("fields");
                FirestoreValues.WriteDouble(w, L.Op.Cost, (double)NanoUsd.ToDollars(change.NewNanos));
                FirestoreValues.WriteInteger(w, L.Op.CostNanos, change.NewNanos);
                FirestoreValues.WriteDouble(w, L.Op.OriginalCost, (double)change.Step.Cost);
                FirestoreValues.WriteInteger(w, L.Op.OriginalCostNanos, change.OldNanos);
                WriteAppliedPrice(w, change);
                w.WriteEndObject();
                w.WriteEndObject();
                FirestoreRestClient.WriteMask(w, "updateMask", RepricedStepFields);
                WriteUpdateTime(w, change.UpdateTime);
                w.WriteEndObject();
            }

            // 4. Each monthly document the steps counted in: costs moved by the difference, counts unchanged.
            foreach (var month in changes.GroupBy(c => (c.Step.UsageType, Month: UsageMonth.FromTimestamp(c.Step.Timestamp))))
            {
                store.WriteMonthlyAdjustment(w, userId, month.Key.UsageType, month.Key.Month, month.ToList());
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private void WriteMonthlyAdjustment(Utf8JsonWriter w, string userId, UsageType type, UsageMonth month, List<StepChange> changes)
    {
        var total = changes.Aggregate(0L, (sum, c) => checked(sum + c.Delta));
        w.WriteStartObject();
        w.WriteStartObject("transform");
        w.WriteString("document", _client.FullName(L.MonthlyPath(type, userId, month)));
        w.WriteStartArray("fieldTransforms");
        WriteIncrement(w, L.Summary.TotalCostNanos, total);
        WriteIncrement(w, L.Summary.TotalCost, (double)NanoUsd.ToDollars(total));
        WriteIncrement(w, L.Summary.SessionCostNanos, total);
        WriteIncrement(w, L.Summary.SessionCost, (double)NanoUsd.ToDollars(total));
        var groups = new (string Map, Func<StepChange, string> Key)[]
        {
            (L.Summary.FeatureBreakdown, c => c.Step.Feature),
            (L.Summary.ProviderBreakdown, c => c.Step.Provider),
            (L.Summary.DayBreakdown, c => c.Step.Timestamp.UtcDateTime.Day.ToString("00", CultureInfo.InvariantCulture)),
        };
        foreach (var (map, keyOf) in groups)
        {
            foreach (var group in changes.GroupBy(keyOf, StringComparer.Ordinal))
            {
                var nanos = group.Aggregate(0L, (sum, c) => checked(sum + c.Delta));
                WriteIncrement(w, FieldPath.Join(map, group.Key, L.Summary.CostNanos), nanos);
                WriteIncrement(w, FieldPath.Join(map, group.Key, L.Summary.Cost), (double)NanoUsd.ToDollars(nanos));
            }
        }

        WriteServerTime(w, L.Summary.LastUpdated);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>An inline copy with its cost replaced and the original kept; every other field copied as it is.</summary>
    private static void WriteRepricedInline(Utf8JsonWriter w, JsonElement element, StepChange change)
    {
        w.WriteStartObject();
        w.WriteStartObject("mapValue");
        w.WriteStartObject("fields");
        if (element.GetProperty("mapValue").TryGetProperty("fields", out var fields))
        {
            foreach (var field in fields.EnumerateObject())
            {
                if (Array.IndexOf(RepricedStepFields, field.Name) < 0)
                {
                    field.WriteTo(w);
                }
            }
        }

        FirestoreValues.WriteDouble(w, L.Op.Cost, (double)NanoUsd.ToDollars(change.NewNanos));
        FirestoreValues.WriteInteger(w, L.Op.CostNanos, change.NewNanos);
        FirestoreValues.WriteDouble(w, L.Op.OriginalCost, (double)change.Step.Cost);
        FirestoreValues.WriteInteger(w, L.Op.OriginalCostNanos, change.OldNanos);
        WriteAppliedPrice(w, change);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The registry key and effective date (a string <c>YYYY-MM-DD</c>) of the price applied to a re-priced step.</summary>
    private static void WriteAppliedPrice(Utf8JsonWriter w, StepChange change)
    {
        FirestoreValues.WriteString(w, L.Op.PriceKey, change.PriceKey);
        FirestoreValues.WriteString(w, L.Op.PriceEffectiveDate, change.PriceEffectiveDate.ToString(L.Op.PriceEffectiveDateFormat, CultureInfo.InvariantCulture));
    }

    private static JsonElement? InlineSteps(JsonElement session) =>
        session.TryGetProperty("fields", out var fields)
        && fields.TryGetProperty(L.Session.Steps, out var steps)
        && steps.TryGetProperty("arrayValue", out var array)
        && array.TryGetProperty("values", out var values)
            ? values
            : null;

    private static string? InlineOperationId(JsonElement element) =>
        element.TryGetProperty("mapValue", out var map)
        && map.TryGetProperty("fields", out var fields)
        && fields.TryGetProperty(L.Op.OperationId, out var id)
        && id.TryGetProperty("stringValue", out var text)
            ? text.GetString()
            : null;

    /// <summary>The fields re-pricing sets on a step document and its inline copy.</summary>
    private static readonly string[] RepricedStepFields = [L.Op.Cost, L.Op.CostNanos, L.Op.OriginalCost, L.Op.OriginalCostNanos, L.Op.PriceKey, L.Op.PriceEffectiveDate];

    /// <summary>One step to re-price: its document (and version), the step as stored, its cost before and after, and the price applied.</summary>
    private sealed record StepChange(string Path, string UpdateTime, SessionStep Step, long OldNanos, long NewNanos, string PriceKey, DateOnly PriceEffectiveDate)
    {
        public long Delta => checked(NewNanos - OldNanos);
    }
}
