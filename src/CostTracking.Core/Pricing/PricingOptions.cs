namespace CostTracking.Pricing;

/// <summary>Additions to and overrides of the built-in price list; bound from the <c>CostTracking:Pricing</c> configuration section.</summary>
public sealed class PricingOptions
{
    /// <summary>Gets API prices by registry key. An existing key takes the values set here; a new key needs a price.</summary>
    public IDictionary<string, ApiPriceOptions> Apis { get; } = new Dictionary<string, ApiPriceOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets model prices by model id. An existing model takes the values set here; a new model needs input and output prices.</summary>
    public IDictionary<string, ModelPriceOptions> Models { get; } = new Dictionary<string, ModelPriceOptions>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>An API price to add or override; unset values keep the built-in ones.</summary>
public sealed class ApiPriceOptions
{
    /// <summary>Gets or sets the provider that bills the request.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the price of one request in US dollars.</summary>
    public decimal? PerRequest { get; set; }

    /// <summary>Gets or sets the price of 1,000 requests in US dollars (used when <see cref="PerRequest"/> is not set).</summary>
    public decimal? Per1000 { get; set; }

    /// <summary>Gets or sets the day the price took effect; defaults to the day the registry is built.</summary>
    public DateOnly? EffectiveDate { get; set; }

    /// <summary>Gets or sets where the price comes from.</summary>
    public string? Source { get; set; }
}

/// <summary>A model price to add or override, per million tokens; unset values keep the built-in ones.</summary>
public sealed class ModelPriceOptions
{
    /// <summary>Gets or sets the provider that bills the model.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the price of one million uncached input tokens in US dollars.</summary>
    public decimal? InputPerMillion { get; set; }

    /// <summary>Gets or sets the price of one million output tokens in US dollars.</summary>
    public decimal? OutputPerMillion { get; set; }

    /// <summary>Gets or sets the price of one million cached input tokens in US dollars.</summary>
    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>Gets or sets the day the price took effect; defaults to the day the registry is built.</summary>
    public DateOnly? EffectiveDate { get; set; }

    /// <summary>Gets or sets where the price comes from.</summary>
    public string? Source { get; set; }
}
