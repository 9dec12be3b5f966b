namespace CostTracking.Pricing;

/// <summary>The price of one request to a third-party API.</summary>
/// <param name="Key">The registry key, such as <c>google_maps.place_details</c>.</param>
/// <param name="Provider">The provider that bills the request, such as <c>google_maps</c>.</param>
/// <param name="PerRequest">The price of one request in US dollars.</param>
/// <param name="EffectiveDate">The day the price took effect.</param>
/// <param name="Source">Where the price comes from (a URL or a note).</param>
public sealed record ApiPrice(string Key, string Provider, decimal PerRequest, DateOnly EffectiveDate, string Source)
{
    /// <summary>Gets the price of 1,000 requests in US dollars.</summary>
    public decimal Per1000 => PerRequest * 1000m;

    /// <summary>Gets the price of a number of requests in US dollars.</summary>
    /// <param name="requests">How many requests; not negative.</param>
    /// <returns>The exact price.</returns>
    public decimal ForRequests(long requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        return PerRequest * requests;
    }
}
