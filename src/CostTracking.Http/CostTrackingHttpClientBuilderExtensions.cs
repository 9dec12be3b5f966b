using CostTracking;
using CostTracking.Http;
using CostTracking.Http.Internal;
using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds cost tracking to a named <see cref="HttpClient"/>.</summary>
public static class CostTrackingHttpClientBuilderExtensions
{
    /// <summary>Records every mapped request of this client as an API call of the user of the current <see cref="CostTrackingScope"/>, priced from the registry.</summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="configure">Maps requests to price keys and features, and sets the handler's rules.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Registers cost tracking itself too (<c>services.AddCostTracking()</c>, harmless when already done). The map is
    /// validated against the price registry when the host starts and at the latest when the client is first created:
    /// an unknown price key fails there with <see cref="OptionsValidationException"/>. Calling it again for the same
    /// client adds mappings; the handler is added once.
    /// </remarks>
    public static IHttpClientBuilder AddCostTracking(this IHttpClientBuilder builder, Action<HttpCostTrackingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        var name = builder.Name;
        services.AddCostTracking();
        services.AddOptions<HttpCostTrackingOptions>(name).Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpCostTrackingOptions>, HttpCostTrackingOptionsValidator>());
        if (!services.Any(d => d.ServiceType == typeof(HttpCostTrackingMarker) && !d.IsKeyedService && d.ImplementationInstance is HttpCostTrackingMarker m && m.ClientName == name))
        {
            services.AddSingleton(new HttpCostTrackingMarker(name));
            builder.AddHttpMessageHandler(sp => new CostTrackingHttpHandler(
                name,
                sp.GetRequiredService<IOptionsMonitor<HttpCostTrackingOptions>>().Get(name),
                sp.GetRequiredService<IPriceRegistry>(),
                sp.GetRequiredService<ICostTracker>(),
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("CostTracking.Http.CostTrackingHttpHandler")));
        }

        return builder;
    }
}

/// <summary>Marks a client whose handler is already added, so adding cost tracking twice never records a request twice.</summary>
internal sealed record HttpCostTrackingMarker(string ClientName);
