using CostTracking;
using CostTracking.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the CostTracking background services to a host.</summary>
public static class CostTrackingHostingExtensions
{
    /// <summary>Runs a hosted service that marks idle sessions abandoned and applies retention every <c>CostTracking:Sessions:SweepInterval</c>, stopping with the host.</summary>
    /// <param name="builder">The cost tracking builder.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>Needs a store that implements <c>IUsageMaintenanceStore</c> (the in-memory and Firestore stores do). Calling it twice adds one service.</remarks>
    public static ICostTrackingBuilder AddSessionSweeper(this ICostTrackingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SessionSweeperService>(sp => new SessionSweeperService(
            sp.GetRequiredService<ISessionTracker>(),
            sp.GetRequiredService<ICostTracker>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<CostTrackingOptions>>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<SessionSweeperService>())));
        return builder;
    }
}
