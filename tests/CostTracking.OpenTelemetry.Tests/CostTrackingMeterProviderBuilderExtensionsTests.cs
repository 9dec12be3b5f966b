using System.Net;
using CostTracking.Pricing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace CostTracking.OpenTelemetry.Tests;

public sealed class CostTrackingMeterProviderBuilderExtensionsTests
{
    [Test]
    public async Task AddCostTrackingInstrumentation_RecordedAndUntrackedCalls_ExportsTheMetersInstrumentsWithUnits()
    {
        var exported = new List<Metric>();
        List<(string Name, string Unit, string MeterName)> instruments;
        long cost, operations;
        using (var meterProvider = Sdk.CreateMeterProviderBuilder().AddCostTrackingInstrumentation().AddInMemoryExporter(exported).Build())
        {
            var services = new ServiceCollection();
            services.AddCostTracking();
            services.AddHttpClient("places")
                .AddCostTracking(map => map.Map("places.googleapis.com", "/", ApiCosts.GoogleMaps.PlaceDetails.Key, "google_maps_place_details"))
                .ConfigurePrimaryHttpMessageHandler(() => new OkHandler());
            await using var provider = services.BuildServiceProvider();
            var tracker = provider.GetRequiredService<ICostTracker>();
            using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("places");
            using var chat = new UnknownModelChatClient().AsBuilder().UseCostTracking(o => o.RecordUnpricedCalls = true).Build(provider);

            using (tracker.BeginScope("user-alice"))
            {
                (await http.GetAsync("https://places.googleapis.com/v1/places/abc")).Dispose();
                await tracker.RecordUsageAsync(new UsageRecord { UserId = "user-alice", UsageType = UsageType.ApiUsage, Feature = "f", Provider = "p", Cost = 0.5m, OperationId = "op-1" });
                await tracker.RecordUsageAsync(new UsageRecord { UserId = "user-alice", UsageType = UsageType.ApiUsage, Feature = "f", Provider = "p", Cost = 0.5m, OperationId = "op-1" });
                await chat.GetResponseAsync("Hi");
            }

            (await http.GetAsync("https://places.googleapis.com/v1/places/abc")).Dispose();
            await chat.GetResponseAsync("Hi");
            meterProvider.ForceFlush().Should().BeTrue();

            // Read before the provider's shutdown exports everything a second time.
            instruments = exported.Select(m => (m.Name, m.Unit, m.MeterName)).ToList();
            cost = Sum(exported, "costtracking.cost");
            operations = Sum(exported, "costtracking.operations");
            exported.Should().OnlyContain(m => m.Name == m.Name.ToLowerInvariant() && !string.IsNullOrEmpty(m.Description));
        }

        instruments.Should().BeEquivalentTo(new[]
        {
            ("costtracking.cost", "{nanoUSD}", "CostTracking"),
            ("costtracking.operations", "{operation}", "CostTracking"),
            ("costtracking.duplicates", "{operation}", "CostTracking"),
            ("costtracking.ai.unpriced_calls", "{call}", "CostTracking"),
            ("costtracking.ai.untracked_calls", "{call}", "CostTracking"),
            ("costtracking.http.untracked_requests", "{request}", "CostTracking"),
        });

        // The Place Details request ($0.017), the API call ($0.50) and the unpriced AI call ($0).
        cost.Should().Be(17_000_000 + 500_000_000);
        operations.Should().Be(3);
    }

    private static long Sum(List<Metric> metrics, string name)
    {
        var total = 0L;
        foreach (ref readonly var point in metrics.Single(m => m.Name == name).GetMetricPoints())
        {
            total += point.GetSumLong();
        }

        return total;
    }

    private sealed class OkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }

    private sealed class UnknownModelChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hi")) { ModelId = "in-house-7b", Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } });

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
