using BenchmarkDotNet.Attributes;
using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Benchmarks;

/// <summary>Price lookups and AI cost from token counts: called on every paid call.</summary>
[MemoryDiagnoser]
public class PricingBenchmarks
{
    private ServiceProvider _provider = null!;
    private IPriceRegistry _registry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _provider = new ServiceCollection().AddCostTracking().Services.BuildServiceProvider();
        _registry = _provider.GetRequiredService<IPriceRegistry>();
        _ = _registry.GetModelPrice("gpt-4o-2024-08-06");
    }

    [GlobalCleanup]
    public void Cleanup() => _provider.Dispose();

    [Benchmark]
    public decimal ApiPriceLookup() => _registry.GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key).PerRequest;

    [Benchmark]
    public ModelPrice ModelPriceLookup() => _registry.GetModelPrice("gpt-4o");

    [Benchmark]
    public ModelPrice VersionedModelPriceLookup() => _registry.GetModelPrice("gpt-4o-2024-08-06");

    [Benchmark]
    public decimal AICostFromTokens() => _registry.CalculateAICost("gpt-4o", 1_250, 310, 1_000);
}
