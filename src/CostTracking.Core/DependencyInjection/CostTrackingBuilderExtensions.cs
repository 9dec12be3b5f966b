using CostTracking.Pricing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds optional parts of cost tracking to an <see cref="ICostTrackingBuilder"/>.</summary>
public static class CostTrackingBuilderExtensions
{
    /// <summary>Adds a session pricing policy, applied when a session is completed or abandoned; policies run in the order added and the first that applies wins.</summary>
    /// <typeparam name="TPolicy">The policy.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder.</returns>
    public static ICostTrackingBuilder AddSessionPricingPolicy<TPolicy>(this ICostTrackingBuilder builder)
        where TPolicy : class, ISessionPricingPolicy
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionPricingPolicy, TPolicy>());
        return builder;
    }

    /// <summary>Re-prices Places search sessions the way Google bills them: autocomplete requests are billed with the Place Details call that ends a session, and one by one when it is abandoned.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Names the step features that are autocomplete and Place Details requests, if not the defaults.</param>
    /// <returns>The same builder.</returns>
    public static ICostTrackingBuilder UseGooglePlacesSessionPricing(this ICostTrackingBuilder builder, Action<GooglePlacesSessionPricingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISessionPricingPolicy, GooglePlacesSessionPricingPolicy>(sp =>
            new GooglePlacesSessionPricingPolicy(sp.GetRequiredService<IPriceRegistry>(), sp.GetRequiredService<IOptions<GooglePlacesSessionPricingOptions>>().Value)));
        return builder;
    }
}
