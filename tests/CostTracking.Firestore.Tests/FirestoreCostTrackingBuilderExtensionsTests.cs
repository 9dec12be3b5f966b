using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CostTracking.Firestore.Tests;

/// <summary>Registration with <c>AddCostTracking().UseFirestore(...)</c>: the store replaces the in-memory one, options bind and are validated at start.</summary>
public sealed class FirestoreCostTrackingBuilderExtensionsTests
{
    [Test]
    public void UseFirestore_Configured_ReplacesTheInMemoryStoreWithOneFirestoreStore()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = "my-project";
            o.EmulatorHost = "127.0.0.1:8080";
        });

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();

        services.Count(d => d.ServiceType == typeof(IUsageStore)).Should().Be(1);
        provider.GetRequiredService<IUsageStore>().Should().BeOfType<FirestoreUsageStore>()
            .And.BeSameAs(provider.GetRequiredService<FirestoreUsageStore>());
    }

    [Test]
    public void UseFirestore_MissingProjectId_FailsAtStartNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o => o.EmulatorHost = "127.0.0.1:8080");
        using var provider = services.BuildServiceProvider();

        var start = () => provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*FirestoreStoreOptions.ProjectId is required*");
    }

    [Test]
    public void UseFirestore_InvalidOptions_ListsEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = "Bad_Project";
            o.DatabaseId = "";
            o.EmulatorHost = "http://localhost";
            o.MaxRetryAttempts = -1;
            o.RequestTimeout = TimeSpan.Zero;
        });
        using var provider = services.BuildServiceProvider();

        var failures = provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().Which.Failures.ToList();

        failures.Should().HaveCount(5);
        failures.Should().Contain(f => f.Contains("ProjectId", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("DatabaseId", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("EmulatorHost", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxRetryAttempts", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("RequestTimeout", StringComparison.Ordinal));
    }

    [Test]
    public void UseFirestore_MissingCredentialsFile_FailsAtStartNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = "my-project";
            o.EmulatorHost = null;
            o.CredentialsFile = "/nonexistent/key.json";
        });
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<IStartupValidator>().Validate())
            .Should().Throw<OptionsValidationException>().WithMessage("*FirestoreStoreOptions.CredentialsFile*does not exist*");
    }

    [Test]
    public void UseFirestore_FromConfiguration_BindsEveryOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CostTracking:Firestore:ProjectId"] = "from-config",
            ["CostTracking:Firestore:DatabaseId"] = "usage-db",
            ["CostTracking:Firestore:EmulatorHost"] = "localhost:9090",
            ["CostTracking:Firestore:MaxRetryAttempts"] = "7",
            ["CostTracking:Firestore:InitialRetryDelay"] = "00:00:00.050",
            ["CostTracking:Firestore:MaxRetryDelay"] = "00:00:02",
            ["CostTracking:Firestore:RequestTimeout"] = "00:00:15",
        }).Build();
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(configuration.GetSection(FirestoreStoreOptions.SectionName));
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value;

        options.ProjectId.Should().Be("from-config");
        options.DatabaseId.Should().Be("usage-db");
        options.EmulatorHost.Should().Be("localhost:9090");
        options.MaxRetryAttempts.Should().Be(7);
        options.InitialRetryDelay.Should().Be(TimeSpan.FromMilliseconds(50));
        options.MaxRetryDelay.Should().Be(TimeSpan.FromSeconds(2));
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(15));
    }

    [Test]
    public void UseFirestore_UnparsableDurationInConfiguration_ThrowsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Firestore:ProjectId"] = "p",
            ["Firestore:RequestTimeout"] = "thirty seconds",
        }).Build();
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(configuration.GetSection("Firestore"));
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value)
            .Should().Throw<InvalidOperationException>().WithMessage("*Firestore:RequestTimeout*thirty seconds*");
    }

    [Test]
    public void FirestoreStoreOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new FirestoreStoreOptions();

        options.DatabaseId.Should().Be("(default)");
        options.EmulatorHost.Should().Be(Environment.GetEnvironmentVariable("FIRESTORE_EMULATOR_HOST") is { Length: > 0 } host ? host : null);
        options.MaxRetryAttempts.Should().Be(5);
        options.InitialRetryDelay.Should().Be(TimeSpan.FromMilliseconds(200));
        options.MaxRetryDelay.Should().Be(TimeSpan.FromSeconds(5));
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingTheOption()
    {
        using var client = new HttpClient();

        var create = () => new FirestoreUsageStore(client, new FirestoreStoreOptions { EmulatorHost = "127.0.0.1:1" });

        create.Should().Throw<ArgumentException>().WithMessage("*ProjectId*");
    }

    [Test]
    public async Task UseFirestore_AgainstTheEmulator_TheTrackerRecordsThroughFirestore()
    {
        FirestoreEmulator.Require();
        var projectId = FirestoreEmulator.NewProjectId();
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = projectId;
            o.EmulatorHost = FirestoreEmulator.Host;
        });
        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var tracker = provider.GetRequiredService<ICostTracker>();
        var user = "user-" + Guid.NewGuid().ToString("N")[..8];

        var first = await tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.AIUsage, Feature = "summarize", Provider = "openai", Cost = 0.0042m, OperationId = "op-1" });
        var again = await tracker.RecordUsageAsync(new UsageRecord { UserId = user, UsageType = UsageType.AIUsage, Feature = "summarize", Provider = "openai", Cost = 0.0042m, OperationId = "op-1" });

        first.Outcome.Should().Be(RecordOutcome.Recorded);
        again.Outcome.Should().Be(RecordOutcome.AlreadyRecorded);
        using var http = new HttpClient();
        var raw = new RawFirestore(http, FirestoreEmulator.Host, projectId);
        (await raw.GetAsync($"AIUsage/{user}/operations/op-1")).Should().NotBeNull();
    }
}
