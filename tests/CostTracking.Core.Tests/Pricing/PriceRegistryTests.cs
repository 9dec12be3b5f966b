using CostTracking.Pricing;
using CostTracking.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Tests.Pricing;

public sealed class PriceRegistryTests
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(CostTrackingHarness.DefaultStart.UtcDateTime);

    private static IPriceRegistry Registry(Action<PricingOptions>? configure = null)
    {
        var options = new PricingOptions();
        configure?.Invoke(options);
        return new PriceRegistry(options, Today);
    }

    [Test]
    public void GetApiPrice_BuiltInKeyInAnyCase_ReturnsThePrice()
    {
        var registry = Registry();

        var price = registry.GetApiPrice("GOOGLE_MAPS.Place_Details");

        price.Key.Should().Be(ApiCosts.GoogleMaps.PlaceDetails.Key);
        price.Provider.Should().Be("google_maps");
        price.PerRequest.Should().Be(0.017m);
        price.Per1000.Should().Be(17m);
        price.ForRequests(3).Should().Be(0.051m);
    }

    public static IEnumerable<TestCaseData> Constants()
    {
        yield return Case(ApiCosts.GoogleMaps.PlacesAutocomplete.Key, ApiCosts.GoogleMaps.Provider, ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest, ApiCosts.GoogleMaps.PlacesAutocomplete.Per1000);
        yield return Case(ApiCosts.GoogleMaps.PlaceDetails.Key, ApiCosts.GoogleMaps.Provider, ApiCosts.GoogleMaps.PlaceDetails.PerRequest, ApiCosts.GoogleMaps.PlaceDetails.Per1000);
        yield return Case(ApiCosts.Pinecone.Query.Key, ApiCosts.Pinecone.Provider, ApiCosts.Pinecone.Query.PerRequest, ApiCosts.Pinecone.Query.Per1000);
        yield return Case(ApiCosts.Pinecone.Upsert.Key, ApiCosts.Pinecone.Provider, ApiCosts.Pinecone.Upsert.PerRequest, ApiCosts.Pinecone.Upsert.Per1000);
        yield return Case(ApiCosts.Neo4j.Query.Key, ApiCosts.Neo4j.Provider, ApiCosts.Neo4j.Query.PerRequest, ApiCosts.Neo4j.Query.Per1000);

        static TestCaseData Case(string key, string provider, decimal perRequest, decimal per1000) =>
            new TestCaseData(key, provider, perRequest, per1000).SetArgDisplayNames(key);
    }

    [TestCaseSource(nameof(Constants))]
    public void ApiCosts_Constants_EqualTheRegistryDefaults(string key, string provider, decimal perRequest, decimal per1000)
    {
        var price = Registry().GetApiPrice(key);

        price.Provider.Should().Be(provider);
        price.PerRequest.Should().Be(perRequest);
        price.Per1000.Should().Be(per1000);
        per1000.Should().Be(perRequest * 1000m, "the per-1000 constant is the per-request price times 1000");
    }

    [Test]
    public void ApiCosts_SeedPrices_AreTheListPrices()
    {
        ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest.Should().Be(0.00283m);
        ApiCosts.GoogleMaps.PlacesAutocomplete.Per1000.Should().Be(2.83m);
        ApiCosts.GoogleMaps.PlaceDetails.PerRequest.Should().Be(0.017m);
        ApiCosts.GoogleMaps.PlaceDetails.Per1000.Should().Be(17m);
    }

    [Test]
    public void ApiPrices_EveryBuiltInKey_HasAConstant()
    {
        Registry().ApiPrices.Select(p => p.Key).Should().BeEquivalentTo(
            ApiCosts.GoogleMaps.PlacesAutocomplete.Key,
            ApiCosts.GoogleMaps.AutocompleteSessionUsage.Key,
            ApiCosts.GoogleMaps.PlaceDetails.Key,
            ApiCosts.Pinecone.Query.Key,
            ApiCosts.Pinecone.Upsert.Key,
            ApiCosts.Neo4j.Query.Key);
    }

    [TestCase("gpt-4o", "gpt-4o")]
    [TestCase("GPT-4o", "gpt-4o")]
    [TestCase("gpt-4o-2024-08-06", "gpt-4o")]
    [TestCase("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [TestCase("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini")]
    [TestCase("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [TestCase("claude-sonnet-4-20250514", "claude-sonnet-4")]
    [TestCase("claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    [TestCase("gemini-2.5-flash-lite-preview-09-2025", "gemini-2.5-flash-lite")]
    public void GetModelPrice_VersionedOrCasedId_ResolvesToTheLongestRegisteredModel(string modelId, string expected)
    {
        var registry = Registry();

        registry.GetModelPrice(modelId).ModelId.Should().Be(expected);
        registry.TryGetModelPrice(modelId, out var price).Should().BeTrue();
        price!.ModelId.Should().Be(expected);
        // A second lookup (served from the alias cache) agrees.
        registry.GetModelPrice(modelId).ModelId.Should().Be(expected);
    }

    [TestCase("llama-9-70b")]
    [TestCase("gpt-4ox")]
    [TestCase("gpt-4o-")]
    [TestCase("claude-opus-4-20250514")]
    [TestCase("")]
    public void GetModelPrice_UnknownModel_ThrowsPriceNotFoundNamingIt(string modelId)
    {
        var registry = Registry();

        for (var attempt = 0; attempt < 2; attempt++)
        {
            var thrown = FluentActions.Invoking(() => registry.GetModelPrice(modelId)).Should().Throw<PriceNotFoundException>().Which;
            thrown.Key.Should().Be(modelId);
            thrown.Message.Should().Contain($"'{modelId}'");
            registry.TryGetModelPrice(modelId, out var price).Should().BeFalse();
            price.Should().BeNull();
        }

        FluentActions.Invoking(() => registry.CalculateAICost(modelId, 1000, 1000)).Should().Throw<PriceNotFoundException>();
    }

    [TestCase("google_maps.street_view")]
    [TestCase("google_maps")]
    [TestCase("")]
    public void GetApiPrice_UnknownKey_ThrowsPriceNotFoundNamingIt(string key)
    {
        var registry = Registry();

        var thrown = FluentActions.Invoking(() => registry.GetApiPrice(key)).Should().Throw<PriceNotFoundException>().Which;

        thrown.Key.Should().Be(key);
        thrown.Message.Should().Contain($"'{key}'");
        registry.TryGetApiPrice(key, out var price).Should().BeFalse();
        price.Should().BeNull();
    }

    [Test]
    public void CalculateAICost_CachedTokens_ArePricedAtTheCachedRateAndNotAgainAsInput()
    {
        // gpt-4o: 2.50 input, 1.25 cached input, 10 output per million.
        var cost = Registry().CalculateAICost("gpt-4o-2024-08-06", inputTokens: 1_000, outputTokens: 500, cachedInputTokens: 400);

        // 600 × 2.50 + 400 × 1.25 + 500 × 10 = 7,000 per million.
        cost.Should().Be(0.007m);
    }

    [Test]
    public void CalculateAICost_KnownModels_AreExact()
    {
        var registry = Registry();

        registry.CalculateAICost("claude-sonnet-4-5", 1_234_567, 89_012).Should().Be(5.038881m);
        registry.CalculateAICost("gpt-5-nano", 1, 1, 1).Should().Be(0.000000405m);
        registry.CalculateAICost("gemini-2.5-flash", 0, 0).Should().Be(0m);
        registry.CalculateAICost("gpt-4o-mini", 1_000_000, 1_000_000, 1_000_000).Should().Be(0.675m);
    }

    [Test]
    public void CalculateAICost_SubNanoResult_IsRoundedToTheNanoAwayFromZero()
    {
        var registry = Registry(o =>
        {
            o.Models["tiny-up"] = new ModelPriceOptions { InputPerMillion = 0.0015m, OutputPerMillion = 0m };
            o.Models["tiny-down"] = new ModelPriceOptions { InputPerMillion = 0.0014m, OutputPerMillion = 0m };
        });

        registry.CalculateAICost("tiny-up", 1, 0).Should().Be(0.000000002m);
        registry.CalculateAICost("tiny-down", 1, 0).Should().Be(0.000000001m);
        registry.CalculateAICost("tiny-down", 3, 0).Should().Be(0.000000004m);
    }

    [Test]
    public void CalculateAICost_ModelWithoutCachedRate_PricesCachedTokensAtTheInputRate()
    {
        var registry = Registry(o => o.Models["plain"] = new ModelPriceOptions { InputPerMillion = 2m, OutputPerMillion = 4m });

        registry.CalculateAICost("plain", 1_000, 0, 1_000).Should().Be(0.002m);
    }

    [TestCase(-1, 0, 0, "inputTokens")]
    [TestCase(0, -1, 0, "outputTokens")]
    [TestCase(0, 0, -1, "cachedInputTokens")]
    [TestCase(10, 0, 11, "cachedInputTokens")]
    public void CalculateAICost_BadTokenCounts_ThrowNamingThem(long input, long output, long cached, string paramName)
    {
        var act = () => Registry().CalculateAICost("gpt-4o", input, output, cached);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(paramName);
    }

    [Test]
    public void Prices_EveryBuiltInPrice_HasAnEffectiveDateAndASource()
    {
        var registry = Registry();

        registry.ApiPrices.Should().NotBeEmpty();
        registry.ModelPrices.Should().NotBeEmpty();
        registry.ApiPrices.Should().AllSatisfy(p =>
        {
            p.EffectiveDate.Should().BeAfter(new DateOnly(2020, 1, 1), "{0} needs a real effective date", p.Key);
            p.EffectiveDate.Should().BeOnOrBefore(Today, "{0} cannot take effect in the future", p.Key);
            p.Source.Should().NotBeNullOrWhiteSpace("{0} needs a source", p.Key);
            p.Provider.Should().NotBeNullOrWhiteSpace();
            p.PerRequest.Should().BeGreaterThanOrEqualTo(0m);
        });
        registry.ModelPrices.Should().AllSatisfy(p =>
        {
            p.EffectiveDate.Should().BeAfter(new DateOnly(2020, 1, 1), "{0} needs a real effective date", p.ModelId);
            p.EffectiveDate.Should().BeOnOrBefore(Today, "{0} cannot take effect in the future", p.ModelId);
            p.Source.Should().StartWith("https://", "{0} needs a source", p.ModelId);
            p.InputPerMillion.Should().BePositive();
            p.OutputPerMillion.Should().BePositive();
            p.CachedInputPerMillion.Should().NotBeNull().And.BeLessThan(p.InputPerMillion, "{0}'s cached input is cheaper than input", p.ModelId);
        });
    }

    [Test]
    public void ModelPrices_BuiltIn_CoverOpenAIAnthropicAndGoogle()
    {
        Registry().ModelPrices.Select(p => p.Provider).Distinct().Should().BeEquivalentTo("openai", "anthropic", "google");
    }

    [Test]
    public void Constructor_OverridesAndAdditions_TakeTheirValuesAndKeepTheRest()
    {
        var registry = Registry(o =>
        {
            o.Apis["Google_Maps.Places_Autocomplete"] = new ApiPriceOptions { PerRequest = 0.0032m };
            o.Apis["acme.search"] = new ApiPriceOptions { Per1000 = 5m };
            o.Models["gpt-4o"] = new ModelPriceOptions { OutputPerMillion = 12m, Source = "negotiated" };
            o.Models["acme-llm"] = new ModelPriceOptions { Provider = "acme", InputPerMillion = 1m, OutputPerMillion = 3m, EffectiveDate = new DateOnly(2026, 2, 1) };
        });

        var autocomplete = registry.GetApiPrice(ApiCosts.GoogleMaps.PlacesAutocomplete.Key);
        autocomplete.Key.Should().Be(ApiCosts.GoogleMaps.PlacesAutocomplete.Key);
        autocomplete.PerRequest.Should().Be(0.0032m);
        autocomplete.Provider.Should().Be("google_maps");
        autocomplete.Source.Should().StartWith("https://");
        var acme = registry.GetApiPrice("ACME.search");
        acme.PerRequest.Should().Be(0.005m);
        acme.Provider.Should().Be("acme");
        acme.EffectiveDate.Should().Be(Today);
        acme.Source.Should().Be("configuration");
        var gpt4o = registry.GetModelPrice("gpt-4o-2024-08-06");
        gpt4o.InputPerMillion.Should().Be(2.50m);
        gpt4o.OutputPerMillion.Should().Be(12m);
        gpt4o.CachedInputPerMillion.Should().Be(1.25m);
        gpt4o.Source.Should().Be("negotiated");
        var added = registry.GetModelPrice("acme-llm-2026-02-01");
        added.ModelId.Should().Be("acme-llm");
        added.Provider.Should().Be("acme");
        added.EffectiveDate.Should().Be(new DateOnly(2026, 2, 1));
        registry.CalculateAICost("acme-llm", 1_000_000, 1_000_000).Should().Be(4m);
    }

    [Test]
    public void AddCostTracking_Registry_IsBuiltFromOptionsWithTodayFromTheTimeProvider()
    {
        using var harness = CostTrackingHarness.Create(o => o.Pricing.Models["house-model"] = new ModelPriceOptions { InputPerMillion = 1m, OutputPerMillion = 2m });

        var price = harness.Services.GetRequiredService<IPriceRegistry>().GetModelPrice("house-model");

        price.EffectiveDate.Should().Be(Today);
        price.Provider.Should().Be("unknown");
    }
}
