using CostTracking.Pricing;
using Microsoft.Extensions.Options;

namespace CostTracking.Http.Internal;

/// <summary>Checks at start that every mapping names a price the registry has.</summary>
internal sealed class HttpCostTrackingOptionsValidator(IPriceRegistry prices) : IValidateOptions<HttpCostTrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpCostTrackingOptions options)
    {
        var client = string.IsNullOrEmpty(name) ? "(default)" : name;
        if (options.Mappings.Count == 0)
        {
            return ValidateOptionsResult.Fail($"The cost tracking of HttpClient '{client}' maps no request: add map.Map(...) calls.");
        }

        var errors = new List<string>();
        foreach (var mapping in options.Mappings)
        {
            if (!prices.TryGetApiPrice(mapping.PriceKey, out _))
            {
                errors.Add($"The cost tracking of HttpClient '{client}' maps {mapping.Description} to price key '{mapping.PriceKey}', which the price registry does not have. Known keys: {string.Join(", ", prices.ApiPrices.Select(p => p.Key).Order(StringComparer.Ordinal))}. Add it under CostTracking:Pricing:Apis.");
            }

            if (mapping.Feature.Length > HttpTrackingDefaults.MaxNameLength || mapping.Feature.Any(char.IsControl))
            {
                errors.Add($"The cost tracking of HttpClient '{client}' maps {mapping.Description} to feature '{mapping.Feature}', which is over {HttpTrackingDefaults.MaxNameLength} characters or holds control characters.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>The handler's constants, in one place.</summary>
internal static class HttpTrackingDefaults
{
    public const int MaxNameLength = 256;
}
