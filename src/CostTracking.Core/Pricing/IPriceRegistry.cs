using System.Diagnostics.CodeAnalysis;

namespace CostTracking.Pricing;

/// <summary>The runtime price registry: per-request API prices and per-token AI model prices, each with its effective date and source.</summary>
/// <remarks>
/// Built from the defaults in <see cref="ApiCosts"/> and the built-in model list, then the additions and overrides of
/// <see cref="CostTrackingOptions.Pricing"/> (from code or the <c>CostTracking:Pricing</c> configuration section).
/// Lookups are case-insensitive and thread-safe. An unknown key or model throws <see cref="PriceNotFoundException"/>.
/// </remarks>
public interface IPriceRegistry
{
    /// <summary>Gets every API price.</summary>
    IReadOnlyCollection<ApiPrice> ApiPrices { get; }

    /// <summary>Gets every model price.</summary>
    IReadOnlyCollection<ModelPrice> ModelPrices { get; }

    /// <summary>Gets the price of an API request by key.</summary>
    /// <param name="key">The key, such as <see cref="ApiCosts.GoogleMaps.PlaceDetails.Key"/>.</param>
    /// <returns>The price.</returns>
    /// <exception cref="PriceNotFoundException">No price has that key.</exception>
    ApiPrice GetApiPrice(string key);

    /// <summary>Tries to get the price of an API request by key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="price">The price, when found.</param>
    /// <returns><see langword="true"/> when the key has a price.</returns>
    bool TryGetApiPrice(string key, [NotNullWhen(true)] out ApiPrice? price);

    /// <summary>Gets the price of a model; a versioned id (<c>gpt-4o-2024-08-06</c>, <c>claude-sonnet-4-5-20250929</c>, <c>…-preview-09-2025</c>) resolves to the longest registered id it starts with followed by '-' and a date, version number or release tag; another suffix is another model (<c>o3-mini</c> is not <c>o3</c>).</summary>
    /// <param name="modelId">The model id.</param>
    /// <returns>The price.</returns>
    /// <exception cref="PriceNotFoundException">No price matches the model.</exception>
    ModelPrice GetModelPrice(string modelId);

    /// <summary>Tries to get the price of a model, resolving versioned ids like <see cref="GetModelPrice"/>.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="price">The price, when found.</param>
    /// <returns><see langword="true"/> when the model has a price.</returns>
    bool TryGetModelPrice(string modelId, [NotNullWhen(true)] out ModelPrice? price);

    /// <summary>Computes the cost of an AI call from its token counts, rounded to the nano-dollar.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="inputTokens">All input tokens, cached ones included.</param>
    /// <param name="outputTokens">The output tokens.</param>
    /// <param name="cachedInputTokens">How many input tokens were read from the prompt cache.</param>
    /// <returns>The cost in US dollars.</returns>
    /// <exception cref="PriceNotFoundException">No price matches the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative or more tokens are cached than were input.</exception>
    decimal CalculateAICost(string modelId, long inputTokens, long outputTokens, long cachedInputTokens = 0);
}
