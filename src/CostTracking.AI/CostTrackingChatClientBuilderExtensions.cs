using CostTracking;
using CostTracking.AI;
using CostTracking.AI.Internal;
using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.AI;

/// <summary>Adds cost tracking to a <see cref="ChatClientBuilder"/>.</summary>
public static class CostTrackingChatClientBuilderExtensions
{
    /// <summary>Records the cost of every response (streaming included) for the user of the current <see cref="CostTrackingScope"/>, priced through the registry by model.</summary>
    /// <param name="builder">The chat client builder.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// <see cref="ICostTracker"/> and <see cref="IPriceRegistry"/> come from the service provider the builder is built
    /// with (<c>services.AddCostTracking()</c>, then <c>services.AddChatClient(...).UseCostTracking()</c> or
    /// <c>builder.Build(serviceProvider)</c>); so does an optional <see cref="ILoggerFactory"/>.
    /// </remarks>
    /// <exception cref="Options.OptionsValidationException">The options are not valid.</exception>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, Action<CostTrackingChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = CreateOptions(configure);
        return builder.Use((inner, services) => new CostTrackingChatClient(
            inner,
            services.GetService<ICostTracker>() ?? throw NotRegistered(nameof(ICostTracker)),
            services.GetService<IPriceRegistry>() ?? throw NotRegistered(nameof(IPriceRegistry)),
            options,
            CreateLogger(services)));
    }

    /// <summary>Records the cost of every response (streaming included) through the given tracker and price registry.</summary>
    /// <param name="builder">The chat client builder.</param>
    /// <param name="tracker">The tracker to record with.</param>
    /// <param name="prices">The registry to price tokens with.</param>
    /// <param name="configure">Sets the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="Options.OptionsValidationException">The options are not valid.</exception>
    public static ChatClientBuilder UseCostTracking(this ChatClientBuilder builder, ICostTracker tracker, IPriceRegistry prices, Action<CostTrackingChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(prices);
        var options = CreateOptions(configure);
        return builder.Use((inner, services) => new CostTrackingChatClient(inner, tracker, prices, options, CreateLogger(services)));
    }

    private static CostTrackingChatClientOptions CreateOptions(Action<CostTrackingChatClientOptions>? configure)
    {
        var options = new CostTrackingChatClientOptions();
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    // Logging is optional: a container without AddLogging still gets a working client.
    private static ILogger CreateLogger(IServiceProvider services) =>
        (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("CostTracking.AI.CostTrackingChatClient");

    private static InvalidOperationException NotRegistered(string service) => new(
        $"UseCostTracking needs {service}, which the service provider given to ChatClientBuilder.Build does not have: call services.AddCostTracking() and build the chat client from that provider, or pass the tracker and the price registry to UseCostTracking.");
}
