using BenchmarkDotNet.Attributes;
using CostTracking;
using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Benchmarks;

/// <summary>The hot path of an app on the embedded store: one record through ICostTracker into InMemoryUsageStore.</summary>
/// <remarks>
/// Each iteration starts from a fresh container and records <see cref="RecordsPerIteration"/> records for one heavy user,
/// so the numbers include the store's growth (its id set and operation log) at a realistic size instead of a store that
/// has swallowed tens of millions of records over the whole run.
/// </remarks>
[MemoryDiagnoser]
public class InMemoryRecordBenchmarks
{
    private const int RecordsPerIteration = 100_000;

    private ServiceProvider? _provider;
    private ICostTracker _tracker = null!;
    private UsageRecord _standalone = null!;
    private UsageRecord _step = null!;

    [GlobalSetup]
    public void Setup()
    {
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

    [IterationSetup]
    public void FreshStore()
    {
        _provider?.Dispose();
        _provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();
        _tracker = _provider.GetRequiredService<ICostTracker>();
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    /// <summary>A standalone operation with a generated id: stored once and added to the monthly summary.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerIteration)]
    [InvocationCount(1)]
    public RecordUsageResult StandaloneRecord()
    {
        RecordUsageResult last = default;
        for (var i = 0; i < RecordsPerIteration; i++)
        {
            last = _tracker.RecordUsageAsync(_standalone).GetAwaiter().GetResult();
        }

        return last;
    }

    /// <summary>A session step with a generated id: appended to the session and added to the monthly summary.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerIteration)]
    [InvocationCount(1)]
    public RecordUsageResult SessionStep()
    {
        RecordUsageResult last = default;
        for (var i = 0; i < RecordsPerIteration; i++)
        {
            last = _tracker.RecordUsageAsync(_step).GetAwaiter().GetResult();
        }

        return last;
    }
}
