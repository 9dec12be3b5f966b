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

        var sessions = options.Sessions;
        if (sessions.IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"CostTracking:Sessions:IdleTimeout must be positive (value: {sessions.IdleTimeout}).");
        }

        if (sessions.SweepInterval <= TimeSpan.Zero)
        {
            errors.Add($"CostTracking:Sessions:SweepInterval must be positive (value: {sessions.SweepInterval}).");
        }

        if (sessions.SweepPageSize < 1 || sessions.SweepPageSize > SessionQuery.MaxPageSize)
        {
            errors.Add($"CostTracking:Sessions:SweepPageSize must be 1 to {SessionQuery.MaxPageSize} (value: {sessions.SweepPageSize}).");
        }

        if (sessions.SessionRetention <= TimeSpan.Zero)
        {
            errors.Add($"CostTracking:Sessions:SessionRetention must be positive when set (value: {sessions.SessionRetention}).");
        }

        if (sessions.OperationRetention <= TimeSpan.Zero)
        {
            errors.Add($"CostTracking:Sessions:OperationRetention must be positive when set (value: {sessions.OperationRetention}).");
        }

        var budgets = options.Budgets;
        if (budgets.MonthlyCostLimit < 0m)
        {
            errors.Add($"CostTracking:Budgets:MonthlyCostLimit must not be negative (value: {budgets.MonthlyCostLimit}).");
        }

        if (budgets.MonthlyRunLimit < 0)
        {
            errors.Add($"CostTracking:Budgets:MonthlyRunLimit must not be negative (value: {budgets.MonthlyRunLimit}).");
        }

        foreach (var percent in budgets.AlertThresholdPercents.Where(p => p < 1 || p > 1000))
        {
            errors.Add($"CostTracking:Budgets:AlertThresholdPercents must hold percentages from 1 to 1000 (value: {percent}).");
        }

        if (budgets.ReservationTimeout <= TimeSpan.Zero)
        {
            errors.Add($"CostTracking:Budgets:ReservationTimeout must be positive (value: {budgets.ReservationTimeout}).");
        }

        if (budgets.UnusualSpendingMultiple <= 1m)
        {
            errors.Add($"CostTracking:Budgets:UnusualSpendingMultiple must be above 1 when set (value: {budgets.UnusualSpendingMultiple}).");
        }

        if (budgets.UnusualSpendingTrailingDays < 1 || budgets.UnusualSpendingTrailingDays > 28)
        {
            errors.Add($"CostTracking:Budgets:UnusualSpendingTrailingDays must be 1 to 28 (value: {budgets.UnusualSpendingTrailingDays}).");
        }

        if (budgets.UnusualSpendingMinimumCost < 0m)
        {
            errors.Add($"CostTracking:Budgets:UnusualSpendingMinimumCost must not be negative (value: {budgets.UnusualSpendingMinimumCost}).");
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
