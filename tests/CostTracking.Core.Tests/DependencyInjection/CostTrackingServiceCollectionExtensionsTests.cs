using System.Text;
using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.Tests.DependencyInjection;

public sealed class CostTrackingServiceCollectionExtensionsTests
{
    [Test]
    public void AddCostTracking_Defaults_RegistersTheTrackersTheRegistryAndTheInMemoryStore()
    {
        var services = new ServiceCollection();

        var builder = services.AddCostTracking();

        builder.Services.Should().BeSameAs(services);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<ICostTracker>().Should().NotBeNull();
        provider.GetRequiredService<ISessionTracker>().Should().NotBeNull();
        provider.GetRequiredService<IPriceRegistry>().GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key).PerRequest.Should().Be(0.017m);
        provider.GetRequiredService<IUsageStore>().Should().BeOfType<InMemoryUsageStore>();
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
        provider.GetRequiredService<IUsageStore>().Should().BeSameAs(provider.GetRequiredService<IUsageStore>());
        provider.GetRequiredService<ICostTracker>().Should().BeSameAs(provider.GetRequiredService<ICostTracker>());
    }

    [Test]
    public async Task AddCostTracking_CalledTwice_RegistersEachServiceOnceAndKeepsWorking()
    {
        var services = new ServiceCollection();

        services.AddCostTracking(o => o.MaxCostPerRecord = 50m);
        services.AddCostTracking();
        services.AddCostTracking(o => o.MaxMetadataBytes = 1024);

        services.Count(d => d.ServiceType == typeof(ICostTracker)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ISessionTracker)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IUsageStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IPriceRegistry)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TimeProvider)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IValidateOptions<CostTrackingOptions>)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<CostTrackingOptions>>().Value;
        options.MaxCostPerRecord.Should().Be(50m, "option delegates accumulate");
        options.MaxMetadataBytes.Should().Be(1024);
        var user = CostTrackingHarness.NewUserId();
        var tracker = provider.GetRequiredService<ICostTracker>();
        (await tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.ApiUsage, Feature = "f", Provider = "p", Cost = 1m, OperationId = "op" })).IsRecorded.Should().BeTrue();
        (await tracker.GetMonthlySummaryAsync(user, UsageType.ApiUsage, UsageMonth.FromTimestamp(TimeProvider.System.GetUtcNow()))).TotalCost.Should().Be(1m);
    }

    [Test]
    public async Task AddCostTracking_StoreAndTimeProviderRegisteredBefore_AreUsed()
    {
        var store = new RecordingUsageStore();
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<IUsageStore>(store);
        services.AddSingleton<TimeProvider>(time);

        services.AddCostTracking();

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IUsageStore>().Should().BeSameAs(store);
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(time);
        var user = CostTrackingHarness.NewUserId();
        await provider.GetRequiredService<ICostTracker>().RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.AIUsage, Feature = "f", Provider = "p", Cost = 1m });
        store.WriteCalls.Should().Be(1);
        (await store.GetMonthlySummaryAsync(user, UsageType.AIUsage, new UsageMonth(2027, 5))).OperationCount.Should().Be(1);
    }

    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case("MaxCostPerRecord zero", o => o.MaxCostPerRecord = 0m, "CostTracking:MaxCostPerRecord");
        yield return Case("MaxCostPerRecord negative", o => o.MaxCostPerRecord = -1m, "CostTracking:MaxCostPerRecord");
        yield return Case("MaxCostPerRecord over the ceiling", o => o.MaxCostPerRecord = 1_000_000_001m, "CostTracking:MaxCostPerRecord");
        yield return Case("MaxMetadataBytes negative", o => o.MaxMetadataBytes = -1, "CostTracking:MaxMetadataBytes");
        yield return Case("MaxMetadataBytes over the ceiling", o => o.MaxMetadataBytes = 256 * 1024 + 1, "CostTracking:MaxMetadataBytes");
        yield return Case(
            "negative API price",
            o => o.Pricing.Apis[ApiCosts.GoogleMaps.PlaceDetails.Key] = new ApiPriceOptions { PerRequest = -0.017m },
            "CostTracking:Pricing:Apis:google_maps.place_details:PerRequest");
        yield return Case(
            "negative API price per 1000",
            o => o.Pricing.Apis["acme.search"] = new ApiPriceOptions { Per1000 = -1m },
            "CostTracking:Pricing:Apis:acme.search:Per1000");
        yield return Case(
            "new API without a price",
            o => o.Pricing.Apis["acme.search"] = new ApiPriceOptions { Provider = "acme" },
            "CostTracking:Pricing:Apis:acme.search");
        yield return Case(
            "negative model input price",
            o => o.Pricing.Models["gpt-4o"] = new ModelPriceOptions { InputPerMillion = -2.5m },
            "CostTracking:Pricing:Models:gpt-4o:InputPerMillion");
        yield return Case(
            "negative cached price",
            o => o.Pricing.Models["gpt-4o"] = new ModelPriceOptions { CachedInputPerMillion = -1m },
            "CostTracking:Pricing:Models:gpt-4o:CachedInputPerMillion");
        yield return Case(
            "new model without an output price",
            o => o.Pricing.Models["acme-llm"] = new ModelPriceOptions { InputPerMillion = 1m },
            "CostTracking:Pricing:Models:acme-llm");

        static TestCaseData Case(string name, Action<CostTrackingOptions> configure, string mentions) =>
            new TestCaseData(configure, mentions).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void AddCostTracking_InvalidOptions_FailAtStartNamingTheOption(Action<CostTrackingOptions> configure, string mentions)
    {
        var services = new ServiceCollection();
        services.AddCostTracking(configure);
        using var provider = services.BuildServiceProvider();

        var atStart = FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which;
        atStart.Message.Should().Contain(mentions);
        atStart.OptionsType.Should().Be<CostTrackingOptions>();

        FluentActions.Invoking(() => provider.GetRequiredService<ICostTracker>())
            .Should().Throw<OptionsValidationException>().WithMessage($"*{mentions}*");
        FluentActions.Invoking(() => provider.GetRequiredService<IPriceRegistry>())
            .Should().Throw<OptionsValidationException>().WithMessage($"*{mentions}*");
    }

    [Test]
    public void AddCostTracking_OverridingABuiltInPriceWithoutAValue_IsValid()
    {
        var services = new ServiceCollection();
        services.AddCostTracking(o => o.Pricing.Apis[ApiCosts.GoogleMaps.PlaceDetails.Key] = new ApiPriceOptions { Source = "contract 2026" });
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var price = provider.GetRequiredService<IPriceRegistry>().GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key);
        price.PerRequest.Should().Be(0.017m);
        price.Source.Should().Be("contract 2026");
    }

    [Test]
    public async Task AddCostTracking_InMemoryConfiguration_BindsLimitsPriceOverridesAndNewModels()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CostTracking:MaxCostPerRecord"] = "25.5",
                ["CostTracking:MaxMetadataBytes"] = "2048",
                ["CostTracking:Pricing:Apis:google_maps.places_autocomplete:PerRequest"] = "0.0032",
                ["CostTracking:Pricing:Apis:acme.geocode:Per1000"] = "4.5",
                ["CostTracking:Pricing:Apis:acme.geocode:Provider"] = "acme_maps",
                ["CostTracking:Pricing:Models:acme-llm:Provider"] = "acme",
                ["CostTracking:Pricing:Models:acme-llm:InputPerMillion"] = "0.8",
                ["CostTracking:Pricing:Models:acme-llm:OutputPerMillion"] = "3.2",
                ["CostTracking:Pricing:Models:acme-llm:CachedInputPerMillion"] = "8e-2",
                ["CostTracking:Pricing:Models:acme-llm:EffectiveDate"] = "2026-02-01",
                ["CostTracking:Pricing:Models:acme-llm:Source"] = "https://acme.example/pricing",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(CostTrackingHarness.DefaultStart));
        services.AddCostTracking(configuration.GetSection(CostTrackingOptions.SectionName));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var options = provider.GetRequiredService<IOptions<CostTrackingOptions>>().Value;
        options.MaxCostPerRecord.Should().Be(25.5m);
        options.MaxMetadataBytes.Should().Be(2048);
        var registry = provider.GetRequiredService<IPriceRegistry>();
        registry.GetApiPrice(ApiCosts.GoogleMaps.PlacesAutocomplete.Key).PerRequest.Should().Be(0.0032m);
        registry.GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key).PerRequest.Should().Be(0.017m, "prices not overridden keep their defaults");
        var geocode = registry.GetApiPrice("acme.geocode");
        geocode.PerRequest.Should().Be(0.0045m);
        geocode.Provider.Should().Be("acme_maps");
        var model = registry.GetModelPrice("acme-llm");
        model.Should().Be(new ModelPrice("acme-llm", "acme", 0.8m, 3.2m, 0.08m, new DateOnly(2026, 2, 1), "https://acme.example/pricing"));
        registry.CalculateAICost("acme-llm", 2_000, 1_000, 1_000).Should().Be(0.00408m);
        var tracker = provider.GetRequiredService<ICostTracker>();
        var over = async () => await tracker.RecordUsageAsync(new UsageRecord { UserId = "u", UsageType = UsageType.ApiUsage, Feature = "f", Provider = "p", Cost = 25.51m });
        (await over.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("25.5");
    }

    [Test]
    public void AddCostTracking_JsonConfiguration_BindsLikeAppSettings()
    {
        const string json = """
            {
              "CostTracking": {
                "MaxCostPerRecord": 100,
                "Pricing": {
                  "Apis": {
                    "google_maps.place_details": { "PerRequest": 0.02, "EffectiveDate": "2026-03-01", "Source": "renegotiated" }
                  },
                  "Models": {
                    "gpt-4o": { "OutputPerMillion": 9.5 },
                    "house-model": { "Provider": "self", "InputPerMillion": 0.1, "OutputPerMillion": 0.2 }
                  }
                }
              }
            }
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var services = new ServiceCollection();
        services.AddCostTracking(configuration.GetSection("CostTracking"));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        provider.GetRequiredService<IOptions<CostTrackingOptions>>().Value.MaxCostPerRecord.Should().Be(100m);
        var registry = provider.GetRequiredService<IPriceRegistry>();
        var details = registry.GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key);
        details.PerRequest.Should().Be(0.02m);
        details.EffectiveDate.Should().Be(new DateOnly(2026, 3, 1));
        details.Source.Should().Be("renegotiated");
        var gpt4o = registry.GetModelPrice("gpt-4o-2024-11-20");
        gpt4o.OutputPerMillion.Should().Be(9.5m);
        gpt4o.InputPerMillion.Should().Be(2.5m);
        registry.GetModelPrice("house-model").Provider.Should().Be("self");
    }

    [TestCase("CostTracking:MaxCostPerRecord", "ten dollars")]
    [TestCase("CostTracking:MaxCostPerRecord", "0,017")]
    [TestCase("CostTracking:MaxMetadataBytes", "16k")]
    [TestCase("CostTracking:Pricing:Apis:google_maps.place_details:PerRequest", "0.017$")]
    [TestCase("CostTracking:Pricing:Apis:google_maps.place_details:PerRequest", "0,017")]
    [TestCase("CostTracking:Pricing:Apis:acme.search:Per1000", "1,000")]
    [TestCase("CostTracking:Pricing:Models:gpt-4o:InputPerMillion", "2.5.1")]
    [TestCase("CostTracking:Pricing:Models:gpt-4o:EffectiveDate", "01/02/2026")]
    public void AddCostTracking_ConfigurationValueThatIsNotANumberOrDate_FailsAtStartNamingTheKey(string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();
        var services = new ServiceCollection();
        services.AddCostTracking(configuration.GetSection("CostTracking"));
        using var provider = services.BuildServiceProvider();

        FluentActions.Invoking(() => provider.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<Exception>().Which.Message.Should().Contain($"'{key}'").And.Contain($"'{value}'");
        FluentActions.Invoking(() => provider.GetRequiredService<ICostTracker>())
            .Should().Throw<Exception>().Which.Message.Should().Contain(key);
    }
}
