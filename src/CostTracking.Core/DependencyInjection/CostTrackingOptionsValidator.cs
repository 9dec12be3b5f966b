using CostTracking;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="CostTrackingOptions"/> at start; each failure names the option.</summary>
internal sealed class CostTrackingOptionsValidator : IValidateOptions<CostTrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, CostTrackingOptions options)
    {
        var errors = new List<string>();
        if (options.MaxCostPerRecord <= 0m || options.MaxCostPerRecord > CostTrackingDefaults.MaxCostPerRecordCeiling)
        {
            errors.Add($"CostTracking:MaxCostPerRecord must be above 0 and at most {CostTrackingDefaults.MaxCostPerRecordCeiling} (value: {options.MaxCostPerRecord}).");
        }

        if (options.MaxMetadataBytes < 0 || options.MaxMetadataBytes > CostTrackingDefaults.MaxMetadataBytesCeiling)
        {
            errors.Add($"CostTracking:MaxMetadataBytes must be 0 to {CostTrackingDefaults.MaxMetadataBytesCeiling} (value: {options.MaxMetadataBytes}).");
        }

        var builtInApis = CostTracking.Pricing.DefaultPrices.Apis().Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, api) in options.Pricing.Apis)
        {
            var path = $"CostTracking:Pricing:Apis:{key}";
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add("CostTracking:Pricing:Apis has an empty key.");
            }

            if (api is null)
            {
                errors.Add($"{path} is null.");
                continue;
            }

            CheckPrice(errors, $"{path}:PerRequest", api.PerRequest);
            CheckPrice(errors, $"{path}:Per1000", api.Per1000);
            if (api.PerRequest is null && api.Per1000 is null && !builtInApis.Contains(key))
            {
                errors.Add($"{path} is not a built-in price, so it needs PerRequest or Per1000.");
            }
        }

        var builtInModels = CostTracking.Pricing.DefaultPrices.Models().Select(p => p.ModelId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, model) in options.Pricing.Models)
        {
            var path = $"CostTracking:Pricing:Models:{id}";
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add("CostTracking:Pricing:Models has an empty model id.");
            }

            if (model is null)
            {
                errors.Add($"{path} is null.");
                continue;
            }

            CheckPrice(errors, $"{path}:InputPerMillion", model.InputPerMillion);
            CheckPrice(errors, $"{path}:OutputPerMillion", model.OutputPerMillion);
            CheckPrice(errors, $"{path}:CachedInputPerMillion", model.CachedInputPerMillion);
            if ((model.InputPerMillion is null || model.OutputPerMillion is null) && !builtInModels.Contains(id))
            {
                errors.Add($"{path} is not a built-in model, so it needs InputPerMillion and OutputPerMillion.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPrice(List<string> errors, string path, decimal? price)
    {
        if (price < 0m)
        {
            errors.Add($"{path} must not be negative (value: {price}).");
        }
    }
}
