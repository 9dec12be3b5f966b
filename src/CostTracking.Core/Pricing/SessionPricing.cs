namespace CostTracking.Pricing;

/// <summary>Re-prices a session's steps once it is closed, for providers that bill a workflow differently from its calls.</summary>
/// <remarks>
/// Policies run when a session is completed or abandoned (by <see cref="ISessionTracker.FinalizeSessionAsync"/> or the idle
/// sweep). The first policy that returns a re-pricing wins; the store applies it exactly once, keeps each step's original
/// cost visible and moves the session's total and the monthly summaries by the difference.
/// </remarks>
public interface ISessionPricingPolicy
{
    /// <summary>Gets the policy's name, kept on a re-priced session.</summary>
    string Name { get; }

    /// <summary>Computes new step costs for a closed session.</summary>
    /// <param name="session">The closed session with all its steps.</param>
    /// <returns>The new costs, or <see langword="null"/> when the policy does not apply or changes nothing.</returns>
    SessionRepricing? Reprice(UsageSession session);
}

/// <summary>New costs for some steps of a session.</summary>
/// <param name="PolicyName">The policy that computed them.</param>
/// <param name="Steps">The steps to re-price; steps not listed keep their cost.</param>
public sealed record SessionRepricing(string PolicyName, IReadOnlyList<StepRepricing> Steps);

/// <summary>A step's new cost and the price it comes from.</summary>
/// <param name="OperationId">The step.</param>
/// <param name="NewCost">Its new cost in US dollars.</param>
/// <param name="PriceKey">The registry key of the price applied.</param>
/// <param name="EffectiveDate">The effective date of that price.</param>
public sealed record StepRepricing(string OperationId, decimal NewCost, string PriceKey, DateOnly EffectiveDate);

/// <summary>Options of <see cref="GooglePlacesSessionPricingPolicy"/>.</summary>
public sealed class GooglePlacesSessionPricingOptions
{
    /// <summary>Gets the step features that are Places Autocomplete requests.</summary>
    /// <value>The default value is <c>google_maps_autocomplete</c>.</value>
    public ISet<string> AutocompleteFeatures { get; } = new HashSet<string>(StringComparer.Ordinal) { "google_maps_autocomplete" };

    /// <summary>Gets the step features that are Place Details requests, which end a search session.</summary>
    /// <value>The default value is <c>google_maps_place_details</c>.</value>
    public ISet<string> PlaceDetailsFeatures { get; } = new HashSet<string>(StringComparer.Ordinal) { "google_maps_place_details" };
}

/// <summary>Google's session billing for Places: autocomplete requests of a session that ends in a Place Details call are billed with that call (at the session-usage price), and each autocomplete request of an abandoned session is billed on its own.</summary>
/// <remarks>
/// A completed session with a Place Details step after autocomplete steps: its autocomplete steps are re-priced at
/// <see cref="ApiCosts.GoogleMaps.AutocompleteSessionUsage"/> (registry key <c>google_maps.places_autocomplete_session</c>).
/// An abandoned session (or a completed one without Place Details): its autocomplete steps are re-priced at the
/// per-request price (<c>google_maps.places_autocomplete</c>). Prices come from the registry, with their dates.
/// </remarks>
public sealed class GooglePlacesSessionPricingPolicy(IPriceRegistry prices, GooglePlacesSessionPricingOptions options) : ISessionPricingPolicy
{
    /// <summary>The policy's name.</summary>
    public const string PolicyName = "google-places-session";

    /// <inheritdoc />
    public string Name => PolicyName;

    /// <inheritdoc />
    public SessionRepricing? Reprice(UsageSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.Status == SessionStatus.InProgress)
        {
            return null;
        }

        var firstAutocomplete = -1;
        var endsInDetails = false;
        for (var i = 0; i < session.Steps.Count; i++)
        {
            var feature = session.Steps[i].Feature;
            if (options.AutocompleteFeatures.Contains(feature) && firstAutocomplete < 0)
            {
                firstAutocomplete = i;
            }
            else if (options.PlaceDetailsFeatures.Contains(feature) && firstAutocomplete >= 0)
            {
                endsInDetails = true;
            }
        }

        if (firstAutocomplete < 0)
        {
            return null;
        }

        var price = session.Status == SessionStatus.Completed && endsInDetails
            ? prices.GetApiPrice(ApiCosts.GoogleMaps.AutocompleteSessionUsage.Key)
            : prices.GetApiPrice(ApiCosts.GoogleMaps.PlacesAutocomplete.Key);
        var steps = session.Steps
            .Where(s => options.AutocompleteFeatures.Contains(s.Feature) && s.Cost != price.PerRequest)
            .Select(s => new StepRepricing(s.OperationId, price.PerRequest, price.Key, price.EffectiveDate))
            .ToArray();
        return steps.Length == 0 ? null : new SessionRepricing(PolicyName, steps);
    }
}
