using CostTracking.Firestore.Tests.Support;
using FluentAssertions.Execution;

namespace CostTracking.Firestore.Tests;

/// <summary>What the store writes, read back over plain REST: the seed's paths, field names and Firestore types.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    [Test]
    public async Task RecordOperationAsync_Operation_WritesTheSeedsOperationDocument()
    {
        var metadata = new Dictionary<string, object?> { ["model"] = "gpt-4o-mini", ["tokens"] = 1234L, ["ratio"] = 0.5, ["nan"] = double.NaN };
        await _store.RecordOperationAsync(Operation(_user, "op-1", type: UsageType.AIUsage, cost: 123_456_789.123456789m, feature: "summarize", provider: "openai", billable: true, metadata: metadata));

        var fields = await Raw.FieldsAsync($"AIUsage/{_user}/operations/op-1");

        using (new AssertionScope())
        {
            fields.String("operationId").Should().Be("op-1");
            fields.String("userId").Should().Be(_user);
            fields.String("usageType").Should().Be("AIUsage");
            fields.String("feature").Should().Be("summarize");
            fields.String("provider").Should().Be("openai");
            fields.Kind("cost").Should().Be("doubleValue", "the seed's cost is a display double");
            fields.Double("cost").Should().BeApproximately(123_456_789.123456789, 1e-6);
            fields.Kind("costNanos").Should().Be("integerValue");
            fields.IntegerText("costNanos").Should().Be("123456789123456789", "exact money is an int64, which travels as a string");
            fields.Boolean("isBillableRun").Should().BeTrue();
            fields.Timestamp("timestamp").Should().Be("2026-03-10T12:00:00.123456Z");
            fields.String("month").Should().Be("2026-03");
            fields.Kind("writeToken").Should().Be("stringValue");
            var meta = fields.Map("metadata");
            meta.String("model").Should().Be("gpt-4o-mini");
            meta.IntegerText("tokens").Should().Be("1234");
            meta.Double("ratio").Should().Be(0.5);
            meta.Value("nan").GetProperty("doubleValue").GetString().Should().Be("NaN");
        }
    }

    [Test]
    public async Task RecordAsync_OperationsAndSteps_WriteTheSeedsMonthlyDocumentWithExactTotals()
    {
        await _store.RecordOperationAsync(Operation(_user, "op-1", cost: 0.1m, feature: "maps.autocomplete v2", provider: "google maps", billable: true));
        await _store.RecordOperationAsync(Operation(_user, "op-2", cost: 0.2m, feature: "maps.autocomplete v2", provider: "`odd`\\name"));
        await _store.RecordSessionStepAsync(Step(_user, "s-1", "st-1", cost: 0.000000001m, feature: "details", provider: "google maps"));

        var fields = await Raw.FieldsAsync($"ApiUsage/{_user}/monthly/2026-03");

        using (new AssertionScope())
        {
            fields.String("month").Should().Be("2026-03");
            fields.String("usageType").Should().Be("ApiUsage");
            fields.String("userId").Should().Be(_user);
            fields.IntegerText("totalCostNanos").Should().Be("300000001");
            fields.Kind("totalCost").Should().Be("doubleValue");
            fields.Double("totalCost").Should().BeApproximately(0.300000001, 1e-12);
            fields.Integer("operationCount").Should().Be(3);
            fields.Integer("totalRuns").Should().Be(1);
            fields.IntegerText("sessionCostNanos").Should().Be("1");
            fields.Integer("sessionOperationCount").Should().Be(1);
            fields.Kind("lastUpdated").Should().Be("timestampValue");

            // Names with dots, spaces and backticks are raw map keys, not paths.
            var byFeature = fields.Map("featureBreakdown");
            byFeature.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("maps.autocomplete v2", "details");
            byFeature.Map("maps.autocomplete v2").IntegerText("costNanos").Should().Be("300000000");
            byFeature.Map("maps.autocomplete v2").Integer("count").Should().Be(2);
            byFeature.Map("maps.autocomplete v2").Kind("cost").Should().Be("doubleValue");
            var byProvider = fields.Map("providerBreakdown");
            byProvider.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("google maps", "`odd`\\name");
            byProvider.Map("google maps").IntegerText("costNanos").Should().Be("100000001");
        }
    }

    [Test]
    public async Task RecordSessionStepAsync_Steps_WriteTheSeedsSessionDocumentAndOneStepDocumentEach()
    {
        var metadata = new Dictionary<string, object?> { ["input"] = "pizza" };
        await _store.RecordSessionStepAsync(Step(_user, "session_1", "op_123", cost: 0.00283m, feature: "google_maps_autocomplete", metadata: metadata, sessionFeature: "google_maps"));
        await _store.RecordSessionStepAsync(Step(_user, "session_1", "op_124", cost: 0.017m, feature: "google_maps_place_details", billable: true, at: BaseTime.AddSeconds(3)));
        await _store.CloseSessionAsync(_user, "session_1", SessionStatus.Completed, BaseTime.AddSeconds(4));

        var session = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/session_1");

        using (new AssertionScope())
        {
            session.String("feature").Should().Be("google_maps");
            session.String("status").Should().Be("completed");
            session.Kind("totalCost").Should().Be("doubleValue");
            session.Double("totalCost").Should().BeApproximately(0.01983, 1e-12);
            session.IntegerText("totalCostNanos").Should().Be("19830000");
            session.Integer("totalRuns").Should().Be(1);
            session.Integer("stepCount").Should().Be(2);
            session.Boolean("stepsTruncated").Should().BeFalse();
            session.Timestamp("createdAt").Should().Be("2026-03-10T12:00:00.123456Z");
            session.Kind("lastUpdatedAt").Should().Be("timestampValue");
            session.Timestamp("completedAt").Should().Be("2026-03-10T12:00:04.123456Z");
            session.TryGetProperty("abandonedAt", out _).Should().BeFalse();

            var steps = session.Array("steps");
            steps.Should().HaveCount(2);
            var first = steps[0].GetProperty("mapValue").GetProperty("fields");
            first.String("operationId").Should().Be("op_123");
            first.String("feature").Should().Be("google_maps_autocomplete");
            first.Double("cost").Should().Be(0.00283);
            first.String("timestamp").Should().Be("2026-03-10T12:00:00.123456Z", "the seed's step times are ISO 8601 strings");
            first.Map("metadata").String("input").Should().Be("pizza");
            first.String("provider").Should().Be("google_maps");
            first.IntegerText("costNanos").Should().Be("2830000");
            steps[1].GetProperty("mapValue").GetProperty("fields").String("operationId").Should().Be("op_124");
        }

        var stepDocument = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/session_1/steps/op_124");
        stepDocument.String("operationId").Should().Be("op_124");
        stepDocument.String("sessionId").Should().Be("session_1");
        stepDocument.IntegerText("costNanos").Should().Be("17000000");
        stepDocument.Timestamp("timestamp").Should().Be("2026-03-10T12:00:03.123456Z");
        (await Raw.ListIdsAsync($"SessionUsage/{_user}/sessions/session_1/steps")).Should().BeEquivalentTo("op_123", "op_124");
        var close = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/session_1/state/close");
        close.String("status").Should().Be("completed");

        // A step is never also an operation (the seed's rule: no duplication).
        (await Raw.GetAsync($"ApiUsage/{_user}/operations/op_123")).Should().BeNull();
    }

    [Test]
    public async Task CloseSessionAsync_Abandoned_WritesStatusAndAbandonedAtAsTimestamp()
    {
        await _store.CreateSessionAsync(_user, "s-1", "pinecone", BaseTime);
        await _store.CloseSessionAsync(_user, "s-1", SessionStatus.Abandoned, BaseTime.AddHours(2));

        var session = await Raw.FieldsAsync($"SessionUsage/{_user}/sessions/s-1");

        session.String("status").Should().Be("abandoned");
        session.Timestamp("abandonedAt").Should().Be("2026-03-10T14:00:00.123456Z");
        session.TryGetProperty("completedAt", out _).Should().BeFalse();
        session.Array("steps").Should().BeEmpty();
        session.Integer("stepCount").Should().Be(0);
        session.IntegerText("totalCostNanos").Should().Be("0");
    }
}
