using BenchmarkDotNet.Attributes;
using CostTracking;
using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Benchmarks;

/// <summary>The hot path of an app on the embedded store: one record through ICostTracker into InMemoryUsageStore.</summary>
[MemoryDiagnoser]
public class InMemoryRecordBenchmarks
{
    private ServiceProvider _provider = null!;
    private ICostTracker _tracker = null!;
    private UsageRecord _standalone = null!;
    private UsageRecord _step = null!;

    [GlobalSetup]
    public void Setup()
    {
        _provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();
        _tracker = _provider.GetRequiredService<ICostTracker>();
        _standalone = new UsageRecord
        {
            UserId = "user-heavy",
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Cost = ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest,
            Provider = ApiCosts.GoogleMaps.Provider,
        };
        _step = new UsageRecord
        {
            UserId = "user-heavy",
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Cost = ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest,
            Provider = ApiCosts.GoogleMaps.Provider,
            SessionId = "session-heavy",
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    /// <summary>A standalone operation with a generated id: stored once and added to the monthly summary.</summary>
    [Benchmark(Baseline = true)]
    public RecordUsageResult StandaloneRecord() => _tracker.RecordUsageAsync(_standalone).GetAwaiter().GetResult();

    /// <summary>A session step with a generated id: appended to the session and added to the monthly summary.</summary>
    [Benchmark]
    public RecordUsageResult SessionStep() => _tracker.RecordUsageAsync(_step).GetAwaiter().GetResult();
}
