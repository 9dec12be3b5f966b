namespace CostTracking.Pricing;

/// <summary>The exception thrown when the registry has no price for an API key or a model: an unknown price is never taken as zero.</summary>
public sealed class PriceNotFoundException : KeyNotFoundException
{
    /// <summary>Initializes a new instance of the <see cref="PriceNotFoundException"/> class.</summary>
    /// <param name="key">The API key or model id that has no price.</param>
    /// <param name="message">The message.</param>
    public PriceNotFoundException(string key, string message)
        : base(message)
    {
        Key = key;
    }

    /// <summary>Gets the API key or model id that has no price.</summary>
    public string Key { get; }
}
