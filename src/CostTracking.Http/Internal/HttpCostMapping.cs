namespace CostTracking.Http.Internal;

/// <summary>One rule of an <see cref="HttpCostTrackingOptions"/> map: which requests it matches, and the price and feature they are recorded with.</summary>
internal sealed class HttpCostMapping(Func<HttpRequestMessage, bool> matches, string priceKey, string feature, bool isBillableRun, string description)
{
    public Func<HttpRequestMessage, bool> Matches { get; } = matches;

    public string PriceKey { get; } = priceKey;

    public string Feature { get; } = feature;

    public bool IsBillableRun { get; } = isBillableRun;

    /// <summary>Gets what the rule matches, for messages: <c>host/path-prefix*</c> or <c>a predicate</c>.</summary>
    public string Description { get; } = description;
}
