using System.Net;
using System.Net.Http.Json;
using System.Text;
using CostTracking;

namespace CostTracking.Sample;

/// <summary>The app's own Places service. Its HttpClient carries the cost-tracking handler, so no call here records anything by hand.</summary>
public sealed class PlacesService(HttpClient http, ICostTracker tracker)
{
    /// <summary>One autocomplete keystroke (Places API (New): POST /v1/places:autocomplete).</summary>
    public async Task<IReadOnlyList<string>> SearchPlacesAsync(string input, string sessionToken, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("/v1/places:autocomplete", new { input, sessionToken }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<AutocompleteResponse>(cancellationToken);
        return body?.Suggestions ?? [];
    }

    /// <summary>The chosen place (GET /v1/places/{id}); the search is over, so the session is finalized.</summary>
    public async Task<string> GetPlaceDetailsAsync(string userId, string placeId, string sessionId, CancellationToken cancellationToken = default)
    {
        var details = await http.GetStringAsync($"/v1/places/{Uri.EscapeDataString(placeId)}?sessionToken={sessionId}", cancellationToken);
        await tracker.FinalizeSessionAsync(userId, sessionId, cancellationToken);
        return details;
    }

    private sealed record AutocompleteResponse(IReadOnlyList<string> Suggestions);
}

/// <summary>A stand-in for places.googleapis.com: answers from memory, so the sample needs no network and no API key.</summary>
public sealed class FakePlacesHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Post && path == "/v1/places:autocomplete")
        {
            var input = (await request.Content!.ReadFromJsonAsync<Dictionary<string, string>>(cancellationToken))!["input"];
            return Json($$"""{"suggestions":["{{input}} Pizzeria, Main St","{{input}} & Pasta, Harbour Rd"]}""");
        }

        if (request.Method == HttpMethod.Get && path.StartsWith("/v1/places/", StringComparison.Ordinal))
        {
            return Json($$"""{"id":"{{path["/v1/places/".Length..]}}","hours":"11:00-23:00","rating":4.6}""");
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
