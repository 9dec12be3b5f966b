using System.Reflection;
using CostTracking.Pricing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CostTracking.MinimumVersions.Tests;

/// <summary>The core's main paths on Microsoft.Extensions 8.0.0: registration, options from configuration, validation at start, recording, sessions, summaries.</summary>
public sealed class MinimumVersionsTests
{
    [TestCase("Microsoft.Extensions.DependencyInjection.Abstractions")]
    [TestCase("Microsoft.Extensions.Options")]
    [TestCase("Microsoft.Extensions.Logging.Abstractions")]
    [TestCase("Microsoft.Extensions.Configuration.Abstractions")]
    public void Dependencies_AreLoadedAtTheLowestShippedVersion(string name)
    {
        // Load through the core's own code paths first, so that every dependency is resolved as an app would resolve it.
        using var provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();
        _ = provider.GetRequiredService<ICostTracker>();

        var loaded = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName()).SingleOrDefault(a => a.Name == name)
            ?? Assembly.Load(name).GetName();

        loaded.Version.Should().Be(new Version(8, 0, 0, 0), $"{name} must run at the version CostTracking.Core ships against");
    }

    [Test]
    public async Task RecordAndSessions_OnTheLowestVersions_WorkEndToEnd()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CostTracking:MaxCostPerRecord"] = "50",
                ["CostTracking:Pricing:Apis:geocoding.lookup:PerRequest"] = "0.005",
                ["CostTracking:Pricing:Apis:geocoding.lookup:Provider"] = "google_maps",
            })
            .Build();
        using var provider = new ServiceCollection().AddCostTracking(configuration.GetSection("CostTracking")).Services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ICostTracker>();
        var prices = provider.GetRequiredService<IPriceRegistry>();
        var month = UsageMonth.FromTimestamp(TimeProvider.System.GetUtcNow());

        var first = await tracker.RecordUsageAsync(Record(prices.GetApiPrice("geocoding.lookup").PerRequest, operationId: "op-1"));
        var again = await tracker.RecordUsageAsync(Record(0.005m, operationId: "op-1"));
        await tracker.RecordUsageAsync(Record(ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest, sessionId: "search"));
        await tracker.RecordUsageAsync(Record(ApiCosts.GoogleMaps.PlaceDetails.PerRequest, sessionId: "search"));
        var session = await tracker.FinalizeSessionAsync("user-1", "search");
        var summary = await tracker.GetMonthlySummaryAsync("user-1", UsageType.ApiUsage, month);

        first.Outcome.Should().Be(RecordOutcome.Recorded);
        again.Outcome.Should().Be(RecordOutcome.AlreadyRecorded);
        session.Status.Should().Be(SessionStatus.Completed);
        session.Steps.Should().HaveCount(2);
        session.TotalCost.Should().Be(0.01983m);
        summary.TotalCost.Should().Be(0.02483m);
        summary.SessionCost.Should().Be(0.01983m);
        provider.GetRequiredService<IOptions<CostTrackingOptions>>().Value.MaxCostPerRecord.Should().Be(50m);
    }

    [Test]
    public void InvalidOptions_OnTheLowestVersions_FailAtResolutionNamingTheOption()
    {
        using var provider = new ServiceCollection().AddCostTracking(o => o.MaxCostPerRecord = -1m).Services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<CostTrackingOptions>>().Value)
            .Should().Throw<OptionsValidationException>().WithMessage("*MaxCostPerRecord*");
    }

    private static UsageRecord Record(decimal cost, string? operationId = null, string? sessionId = null) => new()
    {
        UserId = "user-1",
        UsageType = UsageType.ApiUsage,
        Feature = sessionId is null ? "address_lookup" : "google_maps_places",
        Provider = "google_maps",
        Cost = cost,
        OperationId = operationId,
        SessionId = sessionId,
    };
}
