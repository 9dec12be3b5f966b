using CostTracking;
using CostTracking.Pricing;

namespace CostTracking.Sample;

/// <summary>A stand-in for the Google Places API: answers from memory, so the sample needs no network or key.</summary>
public sealed class FakePlacesClient
{
    public Task<IReadOnlyList<string>> AutocompleteAsync(string input, string sessionToken) =>
        Task.FromResult<IReadOnlyList<string>>([$"{input} Pizzeria, Main St", $"{input} & Pasta, Harbour Rd"]);

    public Task<string> PlaceDetailsAsync(string placeId, string sessionToken) =>
        Task.FromResult($"{placeId}: open 11:00-23:00, rated 4.6");
}

/// <summary>The app's own Places service: every paid call is recorded as a step of the user's search session.</summary>
public sealed class PlacesService(FakePlacesClient places, ICostTracker tracker, IPriceRegistry prices)
{
    public async Task<IReadOnlyList<string>> SearchPlacesAsync(string userId, string input, string sessionId, CancellationToken cancellationToken = default)
    {
        var suggestions = await places.AutocompleteAsync(input, sessionId);
        await tracker.RecordUsageAsync(new UsageRecord
        {
            UserId = userId,
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Cost = prices.GetApiPrice(ApiCosts.GoogleMaps.PlacesAutocomplete.Key).PerRequest,
            Provider = ApiCosts.GoogleMaps.Provider,
            SessionId = sessionId,
            Metadata = new Dictionary<string, object?> { ["input"] = input, ["results"] = suggestions.Count },
        }, cancellationToken);
        return suggestions;
    }

    /// <summary>Fetches the chosen place; the search is over, so the session is finalized.</summary>
    public async Task<string> GetPlaceDetailsAsync(string userId, string placeId, string sessionId, CancellationToken cancellationToken = default)
    {
        var details = await places.PlaceDetailsAsync(placeId, sessionId);
        await tracker.RecordUsageAsync(new UsageRecord
        {
            UserId = userId,
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_place_details",
            Cost = prices.GetApiPrice(ApiCosts.GoogleMaps.PlaceDetails.Key).PerRequest,
            Provider = ApiCosts.GoogleMaps.Provider,
            SessionId = sessionId,
            IsBillableRun = true,
            Metadata = new Dictionary<string, object?> { ["placeId"] = placeId },
        }, cancellationToken);
        await tracker.FinalizeSessionAsync(userId, sessionId, cancellationToken);
        return details;
    }
}
