using CostTracking;
using CostTracking.Analytics;
using CostTracking.Budgets;
using CostTracking.Internal;
using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers cost tracking in an <see cref="IServiceCollection"/>.</summary>
public static class CostTrackingServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ICostTracker"/>, <see cref="ISessionTracker"/>, <see cref="IPriceRegistry"/>, <see cref="IBudgetService"/>, <see cref="IUsageAnalytics"/> and the in-memory store (unless a store is already registered).</summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to choose a store or configure more.</returns>
    /// <remarks>Calling it more than once is harmless: services are added once and option delegates accumulate.</remarks>
    public static ICostTrackingBuilder AddCostTracking(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<CostTrackingOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CostTrackingOptions>, CostTrackingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IUsageStore, InMemoryUsageStore>();
        services.TryAddSingleton<CostTrackingMetrics>();
        services.TryAddSingleton<IPriceRegistry>(sp => new PriceRegistry(
            sp.GetRequiredService<IOptions<CostTrackingOptions>>().Value.Pricing,
            DateOnly.FromDateTime(sp.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime)));
        services.TryAddSingleton<IBudgetLimitProvider, OptionsBudgetLimitProvider>();
        services.TryAddSingleton(sp => new BudgetAlertMonitor(
            sp.GetRequiredService<IUsageStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CostTrackingOptions>>(),
            sp.GetRequiredService<IBudgetLimitProvider>(),
            sp.GetServices<IBudgetAlertHandler>(),
            LoggerFactory(sp).CreateLogger<BudgetAlertMonitor>()));
        services.TryAddSingleton(sp => new SessionTracker(
            sp.GetRequiredService<IUsageStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CostTrackingOptions>>(),
            sp.GetRequiredService<CostTrackingMetrics>(),
            sp.GetRequiredService<BudgetAlertMonitor>(),
            sp.GetServices<ISessionPricingPolicy>(),
            LoggerFactory(sp).CreateLogger<SessionTracker>()));
        services.TryAddSingleton<ISessionTracker>(sp => sp.GetRequiredService<SessionTracker>());
        services.TryAddSingleton<ICostTracker>(sp => new CostTracker(
            sp.GetRequiredService<IUsageStore>(),
            sp.GetRequiredService<SessionTracker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CostTrackingOptions>>(),
            LoggerFactory(sp).CreateLogger<CostTracker>()));
        services.TryAddSingleton<IBudgetService>(sp => new BudgetService(
            sp.GetRequiredService<IUsageStore>(),
            sp.GetRequiredService<ICostTracker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CostTrackingOptions>>(),
            sp.GetRequiredService<IBudgetLimitProvider>()));
        services.TryAddSingleton<IUsageAnalytics>(sp => new UsageAnalytics(sp.GetRequiredService<IUsageStore>()));
        return new CostTrackingBuilder(services);
    }

    // Logging is optional: an app that never called AddLogging still gets working trackers.
    private static ILoggerFactory LoggerFactory(IServiceProvider sp) => sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;

    /// <summary>Registers cost tracking and configures its options.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>A builder to choose a store or configure more.</returns>
    public static ICostTrackingBuilder AddCostTracking(this IServiceCollection services, Action<CostTrackingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddCostTracking();
        services.Configure(configure);
        return builder;
    }

    /// <summary>Registers cost tracking and binds its options from a configuration section, usually <c>configuration.GetSection("CostTracking")</c>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The section holding the options (<c>MaxCostPerRecord</c>, <c>MaxMetadataBytes</c>, <c>Pricing:Apis</c>, <c>Pricing:Models</c>).</param>
    /// <returns>A builder to choose a store or configure more.</returns>
    public static ICostTrackingBuilder AddCostTracking(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddCostTracking();
        services.Configure<CostTrackingOptions>(o => CostTrackingConfiguration.Bind(configuration, o));
        return builder;
    }
}
