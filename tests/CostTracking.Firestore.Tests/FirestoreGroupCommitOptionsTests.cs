using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CostTracking.Firestore.Tests;

/// <summary>The group-commit options: defaults, binding from configuration, and validation at start.</summary>
public sealed class FirestoreGroupCommitOptionsTests
{
    [Test]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new FirestoreStoreOptions();

        options.WriteMode.Should().Be(FirestoreWriteMode.Immediate);
        options.MaxBatchDelay.Should().Be(TimeSpan.FromMilliseconds(2));
        options.MaxBatchSize.Should().Be(100);
        options.MaxCommitsInFlight.Should().Be(1);
    }

    [Test]
    public void UseFirestore_FromConfiguration_BindsTheGroupCommitOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Firestore:ProjectId"] = "p",
            ["Firestore:WriteMode"] = "groupcommit",
            ["Firestore:MaxBatchDelay"] = "00:00:00.010",
            ["Firestore:MaxBatchSize"] = "250",
            ["Firestore:MaxCommitsInFlight"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(configuration.GetSection("Firestore"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value;

        options.WriteMode.Should().Be(FirestoreWriteMode.GroupCommit);
        options.MaxBatchDelay.Should().Be(TimeSpan.FromMilliseconds(10));
        options.MaxBatchSize.Should().Be(250);
        options.MaxCommitsInFlight.Should().Be(2);
    }

    [TestCase("WriteMode", "Batched", "Immediate or GroupCommit")]
    [TestCase("WriteMode", "1", "Immediate or GroupCommit")]
    [TestCase("MaxBatchSize", "many", "a whole number")]
    public void UseFirestore_UnparsableValueInConfiguration_ThrowsNamingTheKey(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Firestore:ProjectId"] = "p",
            [$"Firestore:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(configuration.GetSection("Firestore"));
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value)
            .Should().Throw<InvalidOperationException>().WithMessage($"*Firestore:{key}*{value}*{expected}*");
    }

    [Test]
    public void UseFirestore_OutOfRangeGroupCommitOptions_FailAtStartNamingEachOption()
    {
        var services = new ServiceCollection();
        services.AddCostTracking().UseFirestore(o =>
        {
            o.ProjectId = "p";
            o.MaxBatchSize = 0;
            o.MaxBatchDelay = TimeSpan.FromSeconds(2);
            o.MaxCommitsInFlight = 17;
        });
        using var provider = services.BuildServiceProvider();

        provider.Invoking(p => p.GetRequiredService<IOptions<FirestoreStoreOptions>>().Value)
            .Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().Contain(f => f.Contains("MaxBatchSize", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxBatchDelay", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("MaxCommitsInFlight", StringComparison.Ordinal));
    }
}
