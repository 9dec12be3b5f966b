using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CostTracking.Telemetry;
using CostTracking.Testing;

namespace CostTracking.Tests.Telemetry;

public sealed class CostTrackingMetricsTests
{
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, (string? Unit, string? Description)> _instruments = new();
    private MeterListener _listener = null!;
    private CostTrackingHarness _harness = null!;
    private string _userId = null!;

    // Unique per test: other containers in the process publish to meters of the same name.
    private string _feature = null!;

    [SetUp]
    public void SetUp()
    {
        // NUnit reuses one fixture instance for all its tests.
        _measurements.Clear();
        _instruments.Clear();
        _feature = "metrics_" + Guid.NewGuid().ToString("N");
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == CostTrackingTelemetry.MeterName)
                {
                    _instruments[instrument.Name] = (instrument.Unit, instrument.Description);
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tagMap = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                tagMap[tag.Key] = tag.Value;
            }

            if (Equals(tagMap.GetValueOrDefault("costtracking.feature"), _feature))
            {
                _measurements.Enqueue(new Measurement(instrument.Name, value, tagMap));
            }
        });
        _listener.Start();
        _harness = CostTrackingHarness.Create();
        _userId = CostTrackingHarness.NewUserId();
    }

    [TearDown]
    public void TearDown()
    {
        _harness.Dispose();
        _listener.Dispose();
    }

    [Test]
    public async Task RecordUsageAsync_Standalone_CountsOneOperationAndItsCostInNanoDollarsWithTags()
    {
        await _harness.Tracker.RecordUsageAsync(Record(UsageType.ApiUsage, "google_maps", 0.00283m));

        var operations = Of("costtracking.operations");
        var cost = Of("costtracking.cost");
        operations.Should().ContainSingle().Which.Value.Should().Be(1);
        cost.Should().ContainSingle().Which.Value.Should().Be(2_830_000);
        foreach (var m in operations.Concat(cost))
        {
            m.Tags.Should().BeEquivalentTo(new Dictionary<string, object?>
            {
                ["costtracking.usage_type"] = "ApiUsage",
                ["costtracking.provider"] = "google_maps",
                ["costtracking.feature"] = _feature,
                ["costtracking.in_session"] = false,
            });
        }

        Of("costtracking.duplicates").Should().BeEmpty();
        _instruments["costtracking.cost"].Unit.Should().Be("{nanoUSD}");
        _instruments["costtracking.operations"].Unit.Should().Be("{operation}");
        _instruments.Values.Should().AllSatisfy(i => i.Description.Should().NotBeNullOrWhiteSpace());
    }

    [Test]
    public async Task RecordUsageAsync_SessionStep_IsTaggedInSessionWithItsUsageType()
    {
        await _harness.Tracker.RecordUsageAsync(Record(UsageType.AIUsage, "openai", 0.000123456m, sessionId: "s-1"));

        var cost = Of("costtracking.cost").Should().ContainSingle().Subject;
        cost.Value.Should().Be(123_456);
        cost.Tags["costtracking.usage_type"].Should().Be("AIUsage");
        cost.Tags["costtracking.provider"].Should().Be("openai");
        cost.Tags["costtracking.in_session"].Should().Be(true);
        Of("costtracking.operations").Should().ContainSingle().Which.Tags["costtracking.in_session"].Should().Be(true);
    }

    [Test]
    public async Task RecordUsageAsync_Duplicates_CountAsDuplicatesNotAsOperationsOrCost()
    {
        var record = Record(UsageType.ApiUsage, "google_maps", 0.017m, operationId: "op-1");
        var step = Record(UsageType.ApiUsage, "google_maps", 0.017m, operationId: "step-1", sessionId: "s-1");

        await _harness.Tracker.RecordUsageAsync(record);
        await _harness.Tracker.RecordUsageAsync(record);
        await _harness.Tracker.RecordUsageAsync(record);
        await _harness.Tracker.RecordUsageAsync(step);
        await _harness.Tracker.RecordUsageAsync(step);

        Of("costtracking.operations").Sum(m => m.Value).Should().Be(2);
        Of("costtracking.cost").Sum(m => m.Value).Should().Be(34_000_000);
        var duplicates = Of("costtracking.duplicates");
        duplicates.Sum(m => m.Value).Should().Be(3);
        duplicates.Count(m => Equals(m.Tags["costtracking.in_session"], true)).Should().Be(1);
        duplicates.Should().AllSatisfy(m => m.Tags["costtracking.provider"].Should().Be("google_maps"));
    }

    [Test]
    public async Task RecordUsageAsync_RejectedRecord_PublishesNothing()
    {
        var act = async () => await _harness.Tracker.RecordUsageAsync(Record(UsageType.ApiUsage, "google_maps", -1m));

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
        _measurements.Should().BeEmpty();
    }

    private List<Measurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

    private UsageRecord Record(UsageType type, string provider, decimal cost, string? sessionId = null, string? operationId = null) => new()
    {
        UserId = _userId,
        UsageType = type,
        Feature = _feature,
        Provider = provider,
        Cost = cost,
        SessionId = sessionId,
        OperationId = operationId,
    };

    private sealed record Measurement(string Instrument, long Value, Dictionary<string, object?> Tags);
}
