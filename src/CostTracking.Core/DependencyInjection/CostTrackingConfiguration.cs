using System.Globalization;
using CostTracking;
using CostTracking.Budgets;
using CostTracking.Pricing;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Binds <see cref="CostTrackingOptions"/> from configuration by hand: invariant-culture decimals, no reflection, and errors that name the key.</summary>
internal static class CostTrackingConfiguration
{
    public static void Bind(IConfiguration section, CostTrackingOptions options)
    {
        if (Decimal(section, nameof(CostTrackingOptions.MaxCostPerRecord)) is { } maxCost)
        {
            options.MaxCostPerRecord = maxCost;
        }

        if (section[nameof(CostTrackingOptions.MaxMetadataBytes)] is { } maxBytes)
        {
            options.MaxMetadataBytes = int.TryParse(maxBytes, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Invalid(section, nameof(CostTrackingOptions.MaxMetadataBytes), maxBytes, "a whole number");
        }

        var sessions = section.GetSection(nameof(CostTrackingOptions.Sessions));
        var lifecycle = options.Sessions;
        lifecycle.IdleTimeout = Time(sessions, nameof(SessionLifecycleOptions.IdleTimeout)) ?? lifecycle.IdleTimeout;
        lifecycle.SweepInterval = Time(sessions, nameof(SessionLifecycleOptions.SweepInterval)) ?? lifecycle.SweepInterval;
        lifecycle.SweepPageSize = Int(sessions, nameof(SessionLifecycleOptions.SweepPageSize)) ?? lifecycle.SweepPageSize;
        lifecycle.SessionRetention = Time(sessions, nameof(SessionLifecycleOptions.SessionRetention)) ?? lifecycle.SessionRetention;
        lifecycle.OperationRetention = Time(sessions, nameof(SessionLifecycleOptions.OperationRetention)) ?? lifecycle.OperationRetention;

        var budgetSection = section.GetSection(nameof(CostTrackingOptions.Budgets));
        var budgets = options.Budgets;
        budgets.MonthlyCostLimit = Decimal(budgetSection, nameof(BudgetOptions.MonthlyCostLimit)) ?? budgets.MonthlyCostLimit;
        budgets.MonthlyRunLimit = Int(budgetSection, nameof(BudgetOptions.MonthlyRunLimit)) ?? budgets.MonthlyRunLimit;
        budgets.ReservationTimeout = Time(budgetSection, nameof(BudgetOptions.ReservationTimeout)) ?? budgets.ReservationTimeout;
        budgets.UnusualSpendingMultiple = Decimal(budgetSection, nameof(BudgetOptions.UnusualSpendingMultiple)) ?? budgets.UnusualSpendingMultiple;
        budgets.UnusualSpendingTrailingDays = Int(budgetSection, nameof(BudgetOptions.UnusualSpendingTrailingDays)) ?? budgets.UnusualSpendingTrailingDays;
        budgets.UnusualSpendingMinimumCost = Decimal(budgetSection, nameof(BudgetOptions.UnusualSpendingMinimumCost)) ?? budgets.UnusualSpendingMinimumCost;
        var thresholds = budgetSection.GetSection(nameof(BudgetOptions.AlertThresholdPercents)).GetChildren().ToList();
        if (thresholds.Count > 0)
        {
            budgets.AlertThresholdPercents.Clear();
            foreach (var threshold in thresholds)
            {
                budgets.AlertThresholdPercents.Add(int.TryParse(threshold.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent)
                    ? percent
                    : throw Invalid(budgetSection, $"{nameof(BudgetOptions.AlertThresholdPercents)}:{threshold.Key}", threshold.Value ?? "", "a whole percentage such as 80"));
            }
        }

        var pricing = section.GetSection(nameof(CostTrackingOptions.Pricing));
        foreach (var api in pricing.GetSection(nameof(PricingOptions.Apis)).GetChildren())
        {
            if (!options.Pricing.Apis.TryGetValue(api.Key, out var o))
            {
                options.Pricing.Apis[api.Key] = o = new ApiPriceOptions();
            }

            o.Provider = api[nameof(ApiPriceOptions.Provider)] ?? o.Provider;
            o.PerRequest = Decimal(api, nameof(ApiPriceOptions.PerRequest)) ?? o.PerRequest;
            o.Per1000 = Decimal(api, nameof(ApiPriceOptions.Per1000)) ?? o.Per1000;
            o.EffectiveDate = Date(api, nameof(ApiPriceOptions.EffectiveDate)) ?? o.EffectiveDate;
            o.Source = api[nameof(ApiPriceOptions.Source)] ?? o.Source;
        }

        foreach (var model in pricing.GetSection(nameof(PricingOptions.Models)).GetChildren())
        {
            if (!options.Pricing.Models.TryGetValue(model.Key, out var o))
            {
                options.Pricing.Models[model.Key] = o = new ModelPriceOptions();
            }

            o.Provider = model[nameof(ModelPriceOptions.Provider)] ?? o.Provider;
            o.InputPerMillion = Decimal(model, nameof(ModelPriceOptions.InputPerMillion)) ?? o.InputPerMillion;
            o.OutputPerMillion = Decimal(model, nameof(ModelPriceOptions.OutputPerMillion)) ?? o.OutputPerMillion;
            o.CachedInputPerMillion = Decimal(model, nameof(ModelPriceOptions.CachedInputPerMillion)) ?? o.CachedInputPerMillion;
            o.EffectiveDate = Date(model, nameof(ModelPriceOptions.EffectiveDate)) ?? o.EffectiveDate;
            o.Source = model[nameof(ModelPriceOptions.Source)] ?? o.Source;
        }
    }

    private static decimal? Decimal(IConfiguration section, string key) =>
        section[key] is not { } text ? null
        // Float, not Number: Number allows thousands separators, so "0,017" would silently bind as 17.
        : decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(section, key, text, "a decimal number such as 0.017");

    private static int? Int(IConfiguration section, string key) =>
        section[key] is not { } text ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(section, key, text, "a whole number");

    private static TimeSpan? Time(IConfiguration section, string key) =>
        section[key] is not { } text ? null
        : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value
        : throw Invalid(section, key, text, "a time span such as 01:00:00 (hh:mm:ss) or 7.00:00:00 (days)");

    private static DateOnly? Date(IConfiguration section, string key) =>
        section[key] is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value
        : throw Invalid(section, key, text, "a date such as 2026-01-31");

    private static InvalidOperationException Invalid(IConfiguration section, string key, string value, string expected)
    {
        var path = section is IConfigurationSection s ? $"{s.Path}:{key}" : key;
        return new InvalidOperationException($"Configuration value '{path}' = '{value}' is not {expected}.");
    }
}
