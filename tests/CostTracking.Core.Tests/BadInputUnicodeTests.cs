using CostTracking.Testing;

namespace CostTracking.Tests;

[TestFixture]
public sealed class BadInputUnicodeTests
{
    [TestCase("feature")]
    [TestCase("provider")]
    [TestCase("metadata-key")]
    [TestCase("metadata-value")]
    public async Task RecordUsageAsync_LoneSurrogate_IsRefusedAndNothingIsWritten(string where)
    {
        using var h = CostTrackingHarness.Create();
        const string bad = "pizza\uD800";
        var record = new UsageRecord
        {
            UserId = CostTrackingHarness.NewUserId(),
            UsageType = UsageType.ApiUsage,
            Feature = where == "feature" ? bad : "search",
            Provider = where == "provider" ? bad : "google_maps",
            Cost = 0.01m,
            Metadata = where switch
            {
                "metadata-key" => new Dictionary<string, object?> { [bad] = 1L },
                "metadata-value" => new Dictionary<string, object?> { ["q"] = bad },
                _ => null,
            },
        };

        var act = async () => await h.Tracker.RecordUsageAsync(record);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*lone surrogate*");
        h.Store.WriteCalls.Should().Be(0);
    }
}
