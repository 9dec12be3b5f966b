using CostTracking.Http.Internal;

namespace CostTracking.Http;

/// <summary>The map from requests to prices and features, and the rules of the cost tracking HTTP handler of one named client.</summary>
/// <remarks>
/// Requests are matched against the mappings in the order they were added; the first match wins. Every price key
/// must be in the <see cref="Pricing.IPriceRegistry"/>: an unknown one fails validation when the host starts (or, at
/// the latest, when the client is first created), never at the first request.
/// </remarks>
public sealed class HttpCostTrackingOptions
{
    private readonly List<HttpCostMapping> _mappings = [];

    /// <summary>Gets or sets a value indicating whether calls that fail (a non-success status code, or an exception other than cancellation) are recorded too.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: only successful responses are recorded. When <see langword="true"/>
    /// failed calls are recorded at the full price with metadata <c>failed = true</c> and the status code or error type;
    /// choose it for providers that bill failed requests. Cancelled calls (HttpClient time-outs included) are never recorded.
    /// </value>
    public bool RecordFailedRequests { get; set; }

    /// <summary>Gets or sets a value indicating whether a request that matches no mapping is refused instead of passed through untracked.</summary>
    /// <value>The default value is <see langword="false"/>. When <see langword="true"/> such a request throws <see cref="InvalidOperationException"/> before it is sent.</value>
    public bool ThrowOnUnmappedRequest { get; set; }

    /// <summary>Gets or sets a value indicating whether a mapped request made outside any <see cref="CostTrackingScope"/> is refused.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: the request goes through unrecorded, with a warning and a count in
    /// <c>costtracking.http.untracked_requests</c>. When <see langword="true"/> it throws <see cref="InvalidOperationException"/>
    /// before it is sent, so no untracked money is spent.
    /// </value>
    public bool RequireUser { get; set; }

    /// <summary>Gets or sets a value indicating whether a failure to record a call (a store error) is thrown to the caller.</summary>
    /// <value>
    /// The default value is <see langword="false"/>: the failure is logged as an error and counted in
    /// <c>costtracking.http.untracked_requests</c>, and the caller gets its response. When <see langword="true"/> the exception
    /// reaches the caller instead of the (disposed) response. A call that itself threw keeps its own exception.
    /// </value>
    public bool ThrowOnTrackingFailure { get; set; }

    internal IReadOnlyList<HttpCostMapping> Mappings => _mappings;

    /// <summary>Maps requests to one host whose path starts with a prefix.</summary>
    /// <param name="host">The host, compared case-insensitively, such as <c>places.googleapis.com</c>.</param>
    /// <param name="pathPrefix">The start of the path, compared case-sensitively, such as <c>/v1/places:autocomplete</c>; <c>/</c> for every path.</param>
    /// <param name="priceKey">The key of the request's price in the registry, such as <see cref="Pricing.ApiCosts.GoogleMaps.PlacesAutocomplete.Key"/>.</param>
    /// <param name="feature">The feature the requests are recorded under, such as <c>google_maps_autocomplete</c>.</param>
    /// <param name="isBillableRun">Whether each request counts as a billable run of your product.</param>
    /// <returns>These options, to add more mappings.</returns>
    /// <exception cref="ArgumentException">An argument is empty or malformed.</exception>
    public HttpCostTrackingOptions Map(string host, string pathPrefix, string priceKey, string feature, bool isBillableRun = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentException.ThrowIfNullOrWhiteSpace(pathPrefix);
        if (host.Contains('/', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A host is a bare name such as 'places.googleapis.com', without scheme, port or path (value: '{host}').", nameof(host));
        }

        if (pathPrefix[0] != '/')
        {
            throw new ArgumentException($"A path prefix starts with '/' (value: '{pathPrefix}').", nameof(pathPrefix));
        }

        return Add(
            request => request.RequestUri is { IsAbsoluteUri: true } uri
                && string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase)
                && uri.AbsolutePath.StartsWith(pathPrefix, StringComparison.Ordinal),
            priceKey,
            feature,
            isBillableRun,
            $"{host}{pathPrefix}*");
    }

    /// <summary>Maps the requests a predicate accepts.</summary>
    /// <param name="predicate">Tells whether a request matches; it must not throw or read the content.</param>
    /// <param name="priceKey">The key of the request's price in the registry.</param>
    /// <param name="feature">The feature the requests are recorded under.</param>
    /// <param name="isBillableRun">Whether each request counts as a billable run of your product.</param>
    /// <returns>These options, to add more mappings.</returns>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public HttpCostTrackingOptions Map(Func<HttpRequestMessage, bool> predicate, string priceKey, string feature, bool isBillableRun = false)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return Add(predicate, priceKey, feature, isBillableRun, "a predicate");
    }

    private HttpCostTrackingOptions Add(Func<HttpRequestMessage, bool> matches, string priceKey, string feature, bool isBillableRun, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(priceKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        _mappings.Add(new HttpCostMapping(matches, priceKey, feature, isBillableRun, description));
        return this;
    }
}
