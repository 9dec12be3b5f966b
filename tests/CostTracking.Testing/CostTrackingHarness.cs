using CostTracking.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.Testing;

/// <summary>A DI container with cost tracking, a <see cref="FakeTimeProvider"/> and a store that counts the calls reaching it.</summary>
public sealed class CostTrackingHarness : IDisposable
{
    /// <summary>The instant the fake clock starts at unless told otherwise: mid-month, mid-day, with sub-microsecond ticks to prove truncation.</summary>
    public static readonly DateTimeOffset DefaultStart = new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5_358_979);

    private CostTrackingHarness(ServiceProvider services, FakeTimeProvider time, RecordingUsageStore store)
    {
        Services = services;
        Time = time;
        Store = store;
    }

    /// <summary>Gets the container.</summary>
    public ServiceProvider Services { get; }

    /// <summary>Gets the clock the trackers read.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Gets the store the trackers write to.</summary>
    public RecordingUsageStore Store { get; }

    /// <summary>Gets the cost tracker.</summary>
    public ICostTracker Tracker => Services.GetRequiredService<ICostTracker>();

    /// <summary>Gets the session tracker.</summary>
    public ISessionTracker Sessions => Services.GetRequiredService<ISessionTracker>();

    /// <summary>Builds a container the way an app would: the fake clock and the store registered, then <c>AddCostTracking</c>.</summary>
    /// <param name="configure">Sets options, or <see langword="null"/> for the defaults.</param>
    /// <param name="start">The fake clock's start, or <see langword="null"/> for <see cref="DefaultStart"/>.</param>
    /// <param name="store">The store to wrap, or <see langword="null"/> for a fresh in-memory store.</param>
    /// <param name="configureBuilder">Adds to the cost tracking builder (policies, alert handlers…), or <see langword="null"/>.</param>
    /// <returns>The harness; dispose it.</returns>
    public static CostTrackingHarness Create(Action<CostTrackingOptions>? configure = null, DateTimeOffset? start = null, IUsageStore? store = null, Action<ICostTrackingBuilder>? configureBuilder = null)
    {
        var time = new FakeTimeProvider(start ?? DefaultStart);
        var recording = new RecordingUsageStore(store ?? new InMemoryUsageStore());
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IUsageStore>(recording);
        var builder = configure is null ? services.AddCostTracking() : services.AddCostTracking(configure);
        configureBuilder?.Invoke(builder);

        return new CostTrackingHarness(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }), time, recording);
    }

    /// <summary>A new user id, unique to the calling test.</summary>
    /// <returns>The id.</returns>
    public static string NewUserId() => "user-" + Guid.NewGuid().ToString("N");

    /// <summary>Gets the month the fake clock is in.</summary>
    /// <returns>The UTC month of <see cref="Time"/>.</returns>
    public UsageMonth CurrentMonth() => UsageMonth.FromTimestamp(Time.GetUtcNow());

    /// <inheritdoc />
    public void Dispose() => Services.Dispose();
}
