namespace CostTracking.Pricing;

/// <summary>The built-in price list: the seed's APIs and the current major OpenAI, Anthropic and Google models.</summary>
/// <remarks>
/// Model prices are list prices for standard (non-batch) requests, per million tokens. Tiered prices (Gemini Pro
/// above 200k prompt tokens) use the first tier. Override any of them through <see cref="PricingOptions"/>.
/// </remarks>
internal static class DefaultPrices
{
    private const string GoogleMapsSource = "https://developers.google.com/maps/billing-and-pricing/pricing";
    private const string PineconeSource = "https://www.pinecone.io/pricing/";
    private const string Neo4jSource = "https://neo4j.com/pricing/";
    private const string OpenAISource = "https://openai.com/api/pricing/";
    private const string AnthropicSource = "https://docs.claude.com/en/docs/about-claude/pricing";
    private const string GoogleAISource = "https://ai.google.dev/gemini-api/docs/pricing";

    public static IEnumerable<ApiPrice> Apis()
    {
        yield return new(ApiCosts.GoogleMaps.PlacesAutocomplete.Key, ApiCosts.GoogleMaps.Provider, ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest, new DateOnly(2025, 3, 1), GoogleMapsSource);
        yield return new(ApiCosts.GoogleMaps.AutocompleteSessionUsage.Key, ApiCosts.GoogleMaps.Provider, ApiCosts.GoogleMaps.AutocompleteSessionUsage.PerRequest, new DateOnly(2025, 3, 1), GoogleMapsSource + " (Autocomplete Session Usage: no charge when the session ends in Place Details)");
        yield return new(ApiCosts.GoogleMaps.PlaceDetails.Key, ApiCosts.GoogleMaps.Provider, ApiCosts.GoogleMaps.PlaceDetails.PerRequest, new DateOnly(2025, 3, 1), GoogleMapsSource);
        yield return new(ApiCosts.Pinecone.Query.Key, ApiCosts.Pinecone.Provider, ApiCosts.Pinecone.Query.PerRequest, new DateOnly(2024, 1, 16), PineconeSource);
        yield return new(ApiCosts.Pinecone.Upsert.Key, ApiCosts.Pinecone.Provider, ApiCosts.Pinecone.Upsert.PerRequest, new DateOnly(2024, 1, 16), PineconeSource);
        yield return new(ApiCosts.Neo4j.Query.Key, ApiCosts.Neo4j.Provider, ApiCosts.Neo4j.Query.PerRequest, new DateOnly(2024, 1, 1), Neo4jSource + " (AuraDB is capacity-priced; no per-query charge)");
    }

    public static IEnumerable<ModelPrice> Models()
    {
        // OpenAI: cached input is the "Cached input" column.
        yield return new("gpt-5", "openai", 1.25m, 10m, 0.125m, new DateOnly(2025, 8, 7), OpenAISource);
        yield return new("gpt-5-mini", "openai", 0.25m, 2m, 0.025m, new DateOnly(2025, 8, 7), OpenAISource);
        yield return new("gpt-5-nano", "openai", 0.05m, 0.40m, 0.005m, new DateOnly(2025, 8, 7), OpenAISource);
        yield return new("gpt-4.1", "openai", 2m, 8m, 0.50m, new DateOnly(2025, 4, 14), OpenAISource);
        yield return new("gpt-4.1-mini", "openai", 0.40m, 1.60m, 0.10m, new DateOnly(2025, 4, 14), OpenAISource);
        yield return new("gpt-4.1-nano", "openai", 0.10m, 0.40m, 0.025m, new DateOnly(2025, 4, 14), OpenAISource);
        yield return new("gpt-4o", "openai", 2.50m, 10m, 1.25m, new DateOnly(2024, 10, 1), OpenAISource);
        yield return new("gpt-4o-mini", "openai", 0.15m, 0.60m, 0.075m, new DateOnly(2024, 7, 18), OpenAISource);
        yield return new("o3", "openai", 2m, 8m, 0.50m, new DateOnly(2025, 6, 10), OpenAISource);
        yield return new("o3-mini", "openai", 1.10m, 4.40m, 0.55m, new DateOnly(2025, 1, 31), OpenAISource);
        yield return new("o4-mini", "openai", 1.10m, 4.40m, 0.275m, new DateOnly(2025, 4, 16), OpenAISource);

        // Anthropic: cached input is the "Cache Hits & Refreshes" rate (0.1x input).
        yield return new("claude-opus-4-5", "anthropic", 5m, 25m, 0.50m, new DateOnly(2025, 11, 24), AnthropicSource);
        yield return new("claude-opus-4-1", "anthropic", 15m, 75m, 1.50m, new DateOnly(2025, 8, 5), AnthropicSource);
        yield return new("claude-sonnet-4-5", "anthropic", 3m, 15m, 0.30m, new DateOnly(2025, 9, 29), AnthropicSource);
        yield return new("claude-sonnet-4", "anthropic", 3m, 15m, 0.30m, new DateOnly(2025, 5, 22), AnthropicSource);
        yield return new("claude-haiku-4-5", "anthropic", 1m, 5m, 0.10m, new DateOnly(2025, 10, 15), AnthropicSource);
        yield return new("claude-3-5-haiku", "anthropic", 0.80m, 4m, 0.08m, new DateOnly(2024, 11, 4), AnthropicSource);

        // Google: paid tier, prompts up to 200k tokens; cached input is the context-caching rate.
        yield return new("gemini-3-pro-preview", "google", 2m, 12m, 0.20m, new DateOnly(2025, 11, 18), GoogleAISource);
        yield return new("gemini-2.5-pro", "google", 1.25m, 10m, 0.125m, new DateOnly(2025, 6, 17), GoogleAISource);
        yield return new("gemini-2.5-flash", "google", 0.30m, 2.50m, 0.03m, new DateOnly(2025, 6, 17), GoogleAISource);
        yield return new("gemini-2.5-flash-lite", "google", 0.10m, 0.40m, 0.01m, new DateOnly(2025, 7, 22), GoogleAISource);
    }
}
