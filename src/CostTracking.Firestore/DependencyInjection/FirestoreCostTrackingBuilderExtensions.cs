using CostTracking.Firestore;
using CostTracking.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Stores cost tracking's records in Google Cloud Firestore.</summary>
public static class FirestoreCostTrackingBuilderExtensions
{
    /// <summary>Replaces the in-memory store with <see cref="FirestoreUsageStore"/>, configured by a delegate.</summary>
    /// <param name="builder">The builder returned by <c>AddCostTracking</c>.</param>
    /// <param name="configure">Sets the options; <see cref="FirestoreStoreOptions.ProjectId"/> is required.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The options are validated when the host starts; an invalid option fails the start with a message that names it.</remarks>
    public static ICostTrackingBuilder UseFirestore(this ICostTrackingBuilder builder, Action<FirestoreStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddFirestore(builder.Services).Configure(configure);
        return builder;
    }

    /// <summary>Replaces the in-memory store with <see cref="FirestoreUsageStore"/>, its options bound from a configuration section, usually <c>configuration.GetSection("CostTracking:Firestore")</c>.</summary>
    /// <param name="builder">The builder returned by <c>AddCostTracking</c>.</param>
    /// <param name="configuration">The section holding <c>ProjectId</c>, <c>DatabaseId</c>, <c>EmulatorHost</c>, <c>CredentialsFile</c>, <c>MaxRetryAttempts</c>, <c>InitialRetryDelay</c>, <c>MaxRetryDelay</c>, <c>RequestTimeout</c>, <c>WriteMode</c>, <c>MaxBatchDelay</c>, <c>MaxBatchSize</c> and <c>MaxCommitsInFlight</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>The options are validated when the host starts; an invalid option fails the start with a message that names it.</remarks>
    public static ICostTrackingBuilder UseFirestore(this ICostTrackingBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        AddFirestore(builder.Services).Configure(o => FirestoreConfiguration.Bind(configuration, o));
        return builder;
    }

    private static OptionsBuilder<FirestoreStoreOptions> AddFirestore(IServiceCollection services)
    {
        var options = services.AddOptions<FirestoreStoreOptions>();
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirestoreStoreOptions>, FirestoreStoreOptionsValidator>());
        // Each attempt has its own deadline (FirestoreStoreOptions.RequestTimeout); the client's own 100 s cap would cut a longer one short.
        services.AddHttpClient(FirestoreUsageStore.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            return new FirestoreUsageStore(
                () => factory.CreateClient(FirestoreUsageStore.HttpClientName),
                sp.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value,
                sp.GetService<ILoggerFactory>()?.CreateLogger<FirestoreUsageStore>(),
                sp.GetRequiredService<TimeProvider>());
        });

        // AddCostTracking registered the in-memory store with TryAdd; this one takes its place.
        services.Replace(ServiceDescriptor.Singleton<IUsageStore>(sp => sp.GetRequiredService<FirestoreUsageStore>()));
        return options;
    }
}
