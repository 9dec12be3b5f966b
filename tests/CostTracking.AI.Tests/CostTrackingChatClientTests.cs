using CostTracking.Testing;
using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.AI.Tests;

public sealed class CostTrackingChatClientTests
{
    private const string UserId = "user-alice";
    private static readonly DateTimeOffset Now = new(2026, 3, 15, 10, 30, 0, TimeSpan.Zero);
    private static readonly UsageMonth Month = new(2026, 3);

    private FakeChatClient _inner = null!;
    private ServiceProvider _provider = null!;

    [SetUp]
    public void SetUp() => _inner = new FakeChatClient();

    [TearDown]
    public async Task TearDown()
    {
        _inner.Dispose();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    private ICostTracker Tracker => _provider.GetRequiredService<ICostTracker>();

    private FakeLogCollector Logs => _provider.GetFakeLogCollector();

    [Test]
    public async Task GetResponseAsync_Gpt4oWithCachedTokens_RecordsCostToTheNano()
    {
        // 800 uncached input at $2.50/M + 200 cached at $1.25/M + 500 output at $10/M = $0.00725.
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200, OutputTokenCount = 500 });
        var client = Build(o => o.Feature = "review_summary");

        using (Tracker.BeginScope(UserId))
        {
            var response = await client.GetResponseAsync("Summarize the reviews.");
            response.Text.Should().Be("Hello!");
        }

        var operation = (await Tracker.GetOperationsAsync(UserId, UsageType.AIUsage)).Items.Should().ContainSingle().Subject;
        operation.Cost.Should().Be(0.007250000m);
        operation.Provider.Should().Be("openai");
        operation.Feature.Should().Be("review_summary");
        operation.IsBillableRun.Should().BeFalse();
        operation.Timestamp.Should().Be(Now);
        operation.Metadata.Should().Contain(new Dictionary<string, object?>
        {
            ["model"] = "gpt-4o-2024-08-06",
            ["inputTokens"] = 1_000L,
            ["cachedInputTokens"] = 200L,
            ["outputTokens"] = 500L,
        });
        var summary = await Tracker.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, Month);
        summary.TotalCost.Should().Be(0.00725m);
        summary.ByProvider.Should().ContainKey("openai");
    }

    [Test]
    public async Task GetResponseAsync_OddTokenCounts_RoundsOnlyOnceToTheNano()
    {
        // gpt-4o-mini: (1,001 - 333) x 0.15 + 333 x 0.075 + 77 x 0.60 = 100.2 + 24.975 + 46.2 = 171.375 per million.
        _inner.ModelId = "gpt-4o-mini";
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_001, CachedInputTokenCount = 333, OutputTokenCount = 77 });
        var client = Build();

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi");
        }

        (await SingleOperation()).Cost.Should().Be(0.000171375m);
    }

    [Test]
    public async Task GetStreamingResponseAsync_UsageInLastUpdate_RecordsSameCostAsNonStreaming()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200, OutputTokenCount = 500 });
        var client = Build();

        var text = string.Empty;
        using (Tracker.BeginScope(UserId))
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                text += update.Text;
            }
        }

        text.Should().Be("Hello!");
        var operation = await SingleOperation();
        operation.Cost.Should().Be(0.00725m);
        operation.Metadata.Should().Contain("streaming", true);
    }

    [Test]
    public async Task GetStreamingResponseAsync_UsageInSeveralUpdates_AddsThemUp()
    {
        // Anthropic-style streams report input at the start and output at the end.
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200 });
        _inner.Usage.Add(new UsageDetails { OutputTokenCount = 500 });
        var client = Build();

        using (Tracker.BeginScope(UserId))
        {
            await client.GetStreamingResponseAsync("Hi").ToListAsync();
        }

        (await SingleOperation()).Cost.Should().Be(0.00725m);
    }

    [Test]
    public async Task GetStreamingResponseAsync_ConsumerStopsAfterUsage_StillRecords()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200, OutputTokenCount = 500 });
        var client = Build();

        using (Tracker.BeginScope(UserId))
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                if (update.Contents.OfType<UsageContent>().Any())
                {
                    break;
                }
            }
        }

        (await SingleOperation()).Cost.Should().Be(0.00725m);
    }

    [Test]
    public async Task GetStreamingResponseAsync_ConsumerStopsBeforeUsage_RecordsNothingButWarnsAndCountsIt()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, OutputTokenCount = 500 });
        var client = Build();
        using var untracked = new MetricCollector<long>(null, CostTrackingTelemetry.MeterName, "costtracking.ai.untracked_calls");

        using (Tracker.BeginScope(UserId))
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                break;
            }
        }

        await ShouldHaveNoOperations();
        Logs.LatestRecord.Level.Should().Be(LogLevel.Warning);
        Logs.LatestRecord.Message.Should().Contain("ended before it reported token usage").And.Contain(UserId);
        untracked.GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags.Should().Contain("costtracking.reason", "incomplete_stream");
    }

    [Test]
    public async Task GetResponseAsync_ResponseWithoutModelId_PricesByChatOptionsModelId()
    {
        _inner.ModelId = null;
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000_000, OutputTokenCount = 0 });
        var client = Build();

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi", new ChatOptions { ModelId = "claude-haiku-4-5" });
        }

        var operation = await SingleOperation();
        operation.Cost.Should().Be(1m);
        operation.Provider.Should().Be("anthropic");
        operation.Metadata.Should().Contain("model", "claude-haiku-4-5");
    }

    [Test]
    public async Task GetResponseAsync_InputTokenCountExcludesCached_AddsCachedTokensToInput()
    {
        // A client reporting like Anthropic's Messages API: 100 uncached input tokens, 1,000 cache reads.
        // claude-sonnet-4-5: 100 x $3/M + 1,000 x $0.30/M + 200 x $15/M = $0.0036.
        _inner.ModelId = "claude-sonnet-4-5-20250929";
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 100, CachedInputTokenCount = 1_000, OutputTokenCount = 200 });
        var client = Build(o => o.InputTokenCountIncludesCached = false);

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi");
        }

        var operation = await SingleOperation();
        operation.Cost.Should().Be(0.0036m);
        operation.Metadata.Should().Contain("inputTokens", 1_100L);
    }

    [Test]
    public async Task GetResponseAsync_MoreCachedThanInputTokens_IsATrackingFailureNamingTheOption()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 100, CachedInputTokenCount = 1_000, OutputTokenCount = 200 });
        var client = Build();

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi");
        }

        await ShouldHaveNoOperations();
        Logs.LatestRecord.Level.Should().Be(LogLevel.Error);
        Logs.LatestRecord.Exception!.Message.Should().Contain(nameof(CostTrackingChatClientOptions.InputTokenCountIncludesCached));
    }

    [Test]
    public async Task GetResponseAsync_UnknownModelByDefault_RecordsNothingLogsErrorAndReturnsResponse()
    {
        _inner.ModelId = "my-finetune-v3";
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build();
        using var untracked = new MetricCollector<long>(null, CostTrackingTelemetry.MeterName, "costtracking.ai.untracked_calls");

        ChatResponse response;
        using (Tracker.BeginScope(UserId))
        {
            response = await client.GetResponseAsync("Hi");
        }

        response.Text.Should().Be("Hello!");
        await ShouldHaveNoOperations();
        Logs.LatestRecord.Level.Should().Be(LogLevel.Error);
        Logs.LatestRecord.Exception.Should().BeOfType<PriceNotFoundException>().Which.Key.Should().Be("my-finetune-v3");
        untracked.GetMeasurementSnapshot().Should().ContainSingle(m => (string?)m.Tags["costtracking.model"] == "my-finetune-v3")
            .Which.Tags.Should().Contain("costtracking.reason", "failed");
    }

    [Test]
    public async Task GetResponseAsync_UnknownModelWithThrowOnTrackingFailure_ThrowsPriceNotFound()
    {
        _inner.ModelId = "my-finetune-v3";
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build(o => o.ThrowOnTrackingFailure = true);

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.GetResponseAsync("Hi");
            await call.Should().ThrowAsync<PriceNotFoundException>().WithMessage("*my-finetune-v3*RecordUnpricedCalls*");
        }

        await ShouldHaveNoOperations();
    }

    [Test]
    public async Task GetResponseAsync_UnknownModelWithRecordUnpricedCalls_RecordsFlaggedZeroCostWarnsAndCounts()
    {
        _inner.ModelId = "my-finetune-v3";
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 20 });
        var client = Build(o => o.RecordUnpricedCalls = true);
        using var unpriced = new MetricCollector<long>(null, CostTrackingTelemetry.MeterName, "costtracking.ai.unpriced_calls");

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi");
        }

        var operation = await SingleOperation();
        operation.Cost.Should().Be(0m);
        operation.Provider.Should().Be("fakeai");
        operation.Metadata.Should().Contain("unpriced", true).And.Contain("outputTokens", 20L);
        Logs.GetSnapshot().Should().Contain(r => r.Level == LogLevel.Warning && r.Message.Contains("my-finetune-v3"));
        unpriced.GetMeasurementSnapshot().Should().ContainSingle(m => (string?)m.Tags["costtracking.model"] == "my-finetune-v3");
    }

    [Test]
    public async Task GetResponseAsync_NoUserByDefault_SendsCallRecordsNothingAndWarns()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build();

        var response = await client.GetResponseAsync("Hi");

        response.Text.Should().Be("Hello!");
        _inner.Calls.Should().ContainSingle();
        Logs.LatestRecord.Level.Should().Be(LogLevel.Warning);
        Logs.LatestRecord.Message.Should().Contain("no user");
    }

    [Test]
    public async Task GetResponseAsync_NoUserWithRequireUser_ThrowsBeforeSending()
    {
        var client = Build(o => o.RequireUser = true);

        var call = () => client.GetResponseAsync("Hi");

        await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("*no user*BeginScope*");
        _inner.Calls.Should().BeEmpty();
    }

    [Test]
    public async Task GetStreamingResponseAsync_NoUserWithRequireUser_ThrowsBeforeSending()
    {
        var client = Build(o => o.RequireUser = true);

        var call = async () => await client.GetStreamingResponseAsync("Hi").ToListAsync();

        await call.Should().ThrowAsync<InvalidOperationException>();
        _inner.Calls.Should().BeEmpty();
    }

    [Test]
    public async Task GetResponseAsync_StoreFailsByDefault_ReturnsResponseAndLogsError()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build(services: s => s.AddSingleton<IUsageStore, ThrowingUsageStore>());

        ChatResponse response;
        using (Tracker.BeginScope(UserId))
        {
            response = await client.GetResponseAsync("Hi");
        }

        response.Text.Should().Be("Hello!");
        Logs.LatestRecord.Level.Should().Be(LogLevel.Error);
        Logs.LatestRecord.Exception.Should().BeOfType<IOException>();
    }

    [Test]
    public async Task GetResponseAsync_StoreFailsWithThrowOnTrackingFailure_Rethrows()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build(o => o.ThrowOnTrackingFailure = true, s => s.AddSingleton<IUsageStore, ThrowingUsageStore>());

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.GetResponseAsync("Hi");
            await call.Should().ThrowAsync<IOException>();
        }
    }

    [Test]
    public async Task GetStreamingResponseAsync_StoreFailsWithThrowOnTrackingFailure_RethrowsAtTheEnd()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build(o => o.ThrowOnTrackingFailure = true, s => s.AddSingleton<IUsageStore, ThrowingUsageStore>());

        using (Tracker.BeginScope(UserId))
        {
            var call = async () => await client.GetStreamingResponseAsync("Hi").ToListAsync();
            await call.Should().ThrowAsync<IOException>();
        }
    }

    [Test]
    public async Task GetResponseAsync_NoUsageReported_IsATrackingFailure()
    {
        var client = Build(o => o.ThrowOnTrackingFailure = true);

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.GetResponseAsync("Hi");
            await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("*no token usage*");
        }
    }

    [Test]
    public async Task GetResponseAsync_ScopeWithSession_RecordsASessionStep()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200, OutputTokenCount = 500 });
        var client = Build(o => o.IsBillableRun = true);

        using (Tracker.BeginScope(UserId, "session-chat-1"))
        {
            await client.GetResponseAsync("Hi");
            await client.GetStreamingResponseAsync("Again").ToListAsync();
        }

        var session = await Tracker.GetSessionAsync(UserId, "session-chat-1");
        session.Should().NotBeNull();
        session!.Steps.Should().HaveCount(2).And.OnlyContain(s => s.Cost == 0.00725m && s.UsageType == UsageType.AIUsage && s.IsBillableRun);
        session.TotalCost.Should().Be(0.0145m);
        await ShouldHaveNoOperations();
        var summary = await Tracker.GetMonthlySummaryAsync(UserId, UsageType.AIUsage, Month);
        summary.SessionCost.Should().Be(0.0145m);
    }

    [Test]
    public async Task GetResponseAsync_ChatOptionsNameUserSessionAndFeature_OverrideScopeAndAreNotForwarded()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build();
        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [CostTrackingChatKeys.UserId] = "user-bob",
                [CostTrackingChatKeys.SessionId] = "session-bob",
                [CostTrackingChatKeys.Feature] = "translate",
                ["temperature_hint"] = "keep",
            },
        };

        using (Tracker.BeginScope(UserId, "session-alice"))
        {
            await client.GetResponseAsync("Hi", options);
        }

        var step = (await Tracker.GetSessionAsync("user-bob", "session-bob"))!.Steps.Should().ContainSingle().Subject;
        step.Feature.Should().Be("translate");
        (await Tracker.GetSessionAsync(UserId, "session-alice")).Should().BeNull();
        var forwarded = _inner.Calls.Should().ContainSingle().Subject!;
        forwarded.AdditionalProperties.Should().ContainKey("temperature_hint").And.HaveCount(1);
        options.AdditionalProperties.Should().HaveCount(4, "the caller's options are not changed");
    }

    [Test]
    public async Task GetResponseAsync_InvalidUserIdInChatOptions_SendsCallAndLogsError()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 10 });
        var client = Build();
        var options = new ChatOptions { AdditionalProperties = new() { [CostTrackingChatKeys.UserId] = "users/../admin" } };

        await client.GetResponseAsync("Hi", options);

        _inner.Calls.Should().ContainSingle();
        Logs.LatestRecord.Level.Should().Be(LogLevel.Error);
        Logs.LatestRecord.Exception.Should().BeOfType<ArgumentException>();
    }

    [Test]
    public void UseCostTracking_EmptyFeature_ThrowsOptionsValidation()
    {
        var build = () => _inner.AsBuilder().UseCostTracking(o => o.Feature = " ");

        build.Should().Throw<OptionsValidationException>().WithMessage("*Feature*");
    }

    [Test]
    public void Build_ProviderWithoutCostTracking_ThrowsNamingTheFix()
    {
        using var services = new ServiceCollection().BuildServiceProvider();

        var build = () => _inner.AsBuilder().UseCostTracking().Build(services);

        build.Should().Throw<InvalidOperationException>().WithMessage("*AddCostTracking*");
    }

    [Test]
    public async Task UseCostTracking_ExplicitTrackerAndRegistry_RecordsThroughThem()
    {
        _inner.Usage.Add(new UsageDetails { InputTokenCount = 1_000, CachedInputTokenCount = 200, OutputTokenCount = 500 });
        _provider = Services().BuildServiceProvider();
        using var client = _inner.AsBuilder().UseCostTracking(Tracker, _provider.GetRequiredService<IPriceRegistry>()).Build();

        using (Tracker.BeginScope(UserId))
        {
            await client.GetResponseAsync("Hi");
        }

        (await SingleOperation()).Cost.Should().Be(0.00725m);
    }

    private IChatClient Build(Action<CostTrackingChatClientOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var collection = Services();
        services?.Invoke(collection);
        collection.AddChatClient(_inner).UseCostTracking(configure);
        _provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return _provider.GetRequiredService<IChatClient>();
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddFakeLogging();
        services.AddCostTracking();
        return services;
    }

    private async Task<UsageOperation> SingleOperation() =>
        (await Tracker.GetOperationsAsync(UserId, UsageType.AIUsage)).Items.Should().ContainSingle().Subject;

    private async Task ShouldHaveNoOperations() =>
        (await Tracker.GetOperationsAsync(UserId, UsageType.AIUsage)).Items.Should().BeEmpty();
}
