using CostTracking.Testing;
using System.Net;
using System.Net.Http.Json;
using CostTracking.Pricing;
using CostTracking.Storage;
using CostTracking.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CostTracking.Http.Tests;

public sealed class CostTrackingHttpHandlerTests
{
    private const string UserId = "user-alice";
    private const string Autocomplete = "https://places.googleapis.com/v1/places:autocomplete";
    private const string Details = "https://places.googleapis.com/v1/places/ChIJ-pizzeria";
    private static readonly DateTimeOffset Now = new(2026, 3, 15, 10, 30, 0, TimeSpan.Zero);

    private StubHandler _network = null!;
    private ServiceProvider _provider = null!;

    [SetUp]
    public void SetUp() => _network = new StubHandler();

    [TearDown]
    public async Task TearDown()
    {
        _network.Dispose();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    private ICostTracker Tracker => _provider.GetRequiredService<ICostTracker>();

    private FakeLogCollector Logs => _provider.GetFakeLogCollector();

    [Test]
    public async Task SendAsync_MappedSuccessfulRequest_RecordsApiUsagePricedFromRegistry()
    {
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId))
        {
            using var response = await client.PostAsJsonAsync(Autocomplete, new { input = "pizza" });
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var operation = await SingleOperation();
        operation.Cost.Should().Be(ApiCosts.GoogleMaps.PlacesAutocomplete.PerRequest);
        operation.Provider.Should().Be(ApiCosts.GoogleMaps.Provider);
        operation.Feature.Should().Be("google_maps_autocomplete");
        operation.UsageType.Should().Be(UsageType.ApiUsage);
        operation.Timestamp.Should().Be(Now);
        operation.Metadata.Should().Contain(new Dictionary<string, object?>
        {
            ["priceKey"] = ApiCosts.GoogleMaps.PlacesAutocomplete.Key,
            ["method"] = "POST",
            ["statusCode"] = 200L,
        }).And.NotContainKey("failed");
    }

    [Test]
    public async Task SendAsync_ScopeWithSession_RecordsSessionStepsWithTheirOwnPrices()
    {
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId, "session-search-1"))
        {
            foreach (var input in new[] { "pi", "piz", "pizza" })
            {
                (await client.PostAsJsonAsync(Autocomplete, new { input })).Dispose();
            }

            (await client.GetAsync(Details)).Dispose();
        }

        var session = await Tracker.GetSessionAsync(UserId, "session-search-1");
        session!.Steps.Select(s => s.Feature).Should().Equal(
            "google_maps_autocomplete", "google_maps_autocomplete", "google_maps_autocomplete", "google_maps_place_details");
        session.TotalCost.Should().Be((3 * 0.00283m) + 0.017m);
        session.TotalRuns.Should().Be(1);
        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_PredicateMapping_RecordsMatchingRequests()
    {
        var client = Build(map => map.Map(
            r => r.RequestUri!.Host == "index.pinecone.io" && r.RequestUri.AbsolutePath.EndsWith("/query", StringComparison.Ordinal),
            ApiCosts.Pinecone.Query.Key,
            "semantic_search"));

        using (Tracker.BeginScope(UserId))
        {
            (await client.PostAsync("https://index.pinecone.io/query", null)).Dispose();
            (await client.PostAsync("https://index.pinecone.io/vectors/upsert", null)).Dispose();
        }

        var operation = await SingleOperation();
        operation.Provider.Should().Be(ApiCosts.Pinecone.Provider);
        operation.Cost.Should().Be(0.000016m);
        _network.Requests.Should().HaveCount(2);
    }

    [Test]
    public async Task SendAsync_SeveralMappingsMatch_FirstOneWins()
    {
        var client = Build(map => map
            .Map("places.googleapis.com", "/v1/places:autocomplete", ApiCosts.GoogleMaps.PlacesAutocomplete.Key, "first")
            .Map("places.googleapis.com", "/", ApiCosts.GoogleMaps.PlaceDetails.Key, "second"));

        using (Tracker.BeginScope(UserId))
        {
            (await client.PostAsync(Autocomplete, null)).Dispose();
        }

        (await SingleOperation()).Feature.Should().Be("first");
    }

    [Test]
    public async Task SendAsync_UnmappedRequest_PassesThroughUnrecorded()
    {
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId))
        {
            using var response = await client.GetAsync("https://maps.googleapis.com/maps/api/geocode/json?key=secret");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        _network.Requests.Should().ContainSingle();
        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().BeEmpty();
        Logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning);
    }

    [Test]
    public async Task SendAsync_UnmappedRequestWithThrowOnUnmappedRequest_ThrowsBeforeSendingWithoutTheQuery()
    {
        var client = Build(map => Places(map).ThrowOnUnmappedRequest = true);

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.GetAsync("https://maps.googleapis.com/maps/api/geocode/json?key=secret");
            var thrown = await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("*maps.googleapis.com/maps/api/geocode/json*no cost tracking mapping*");
            thrown.Which.Message.Should().NotContain("secret");
        }

        _network.Requests.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_FailedStatusByDefault_IsNotRecorded()
    {
        _network.Status = HttpStatusCode.TooManyRequests;
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId))
        {
            using var response = await client.PostAsync(Autocomplete, null);
            response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        }

        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_FailedStatusWithRecordFailedRequests_IsRecordedFlaggedAsFailed()
    {
        _network.Status = HttpStatusCode.InternalServerError;
        var client = Build(map => Places(map).RecordFailedRequests = true);

        using (Tracker.BeginScope(UserId))
        {
            (await client.PostAsync(Autocomplete, null)).Dispose();
        }

        var operation = await SingleOperation();
        operation.Cost.Should().Be(0.00283m);
        operation.Metadata.Should().Contain("failed", true).And.Contain("statusCode", 500L);
    }

    [Test]
    public async Task SendAsync_ExceptionByDefault_IsNotRecordedAndPropagates()
    {
        _network.Throw = new HttpRequestException("Connection reset.");
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.PostAsync(Autocomplete, null);
            await call.Should().ThrowAsync<HttpRequestException>();
        }

        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_ExceptionWithRecordFailedRequests_IsRecordedAndTheSameExceptionPropagates()
    {
        _network.Throw = new HttpRequestException("Connection reset.");
        var client = Build(map => Places(map).RecordFailedRequests = true);

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.PostAsync(Autocomplete, null);
            (await call.Should().ThrowAsync<HttpRequestException>()).Which.Should().BeSameAs(_network.Throw);
        }

        (await SingleOperation()).Metadata.Should().Contain("failed", true).And.Contain("error", nameof(HttpRequestException)).And.NotContainKey("statusCode");
    }

    [Test]
    public async Task SendAsync_CancelledWithRecordFailedRequests_IsNotRecorded()
    {
        _network.Throw = new TaskCanceledException("The request was canceled.");
        var client = Build(map => Places(map).RecordFailedRequests = true);

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.PostAsync(Autocomplete, null);
            await call.Should().ThrowAsync<TaskCanceledException>();
        }

        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_NoScopeByDefault_SendsUnrecordedAndWarns()
    {
        var client = Build(map => Places(map));
        using var untracked = new MetricCollector<long>(null, CostTrackingTelemetry.MeterName, "costtracking.http.untracked_requests");

        using var response = await client.PostAsync(Autocomplete, null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        _network.Requests.Should().ContainSingle();
        Logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Warning).Which.Message.Should().Contain("no user");
        untracked.GetMeasurementSnapshot().Should().Contain(m => (string?)m.Tags["costtracking.reason"] == "no_user");
    }

    [Test]
    public async Task SendAsync_NoScopeWithRequireUser_ThrowsBeforeSending()
    {
        var client = Build(map => Places(map).RequireUser = true);

        var call = () => client.PostAsync(Autocomplete, null);

        await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("*no user*");
        _network.Requests.Should().BeEmpty();
    }

    [Test]
    public async Task SendAsync_StoreFailsByDefault_ReturnsResponseAndLogsError()
    {
        var client = Build(map => Places(map), s => s.AddSingleton<IUsageStore, ThrowingUsageStore>());

        using (Tracker.BeginScope(UserId))
        {
            using var response = await client.PostAsync(Autocomplete, null);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        Logs.GetSnapshot().Should().ContainSingle(r => r.Level == LogLevel.Error).Which.Exception.Should().BeOfType<IOException>();
    }

    [Test]
    public async Task SendAsync_StoreFailsWithThrowOnTrackingFailure_Rethrows()
    {
        var client = Build(map => Places(map).ThrowOnTrackingFailure = true, s => s.AddSingleton<IUsageStore, ThrowingUsageStore>());

        using (Tracker.BeginScope(UserId))
        {
            var call = () => client.PostAsync(Autocomplete, null);
            await call.Should().ThrowAsync<IOException>();
        }
    }

    [Test]
    public void Send_Synchronous_RecordsToo()
    {
        var client = Build(map => Places(map));

        using (Tracker.BeginScope(UserId))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Autocomplete);
            client.Send(request).Dispose();
        }

        Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage).GetAwaiter().GetResult().Items.Should().ContainSingle();
    }

    [Test]
    public async Task AddCostTracking_CalledTwiceForOneClient_RecordsEachRequestOnce()
    {
        var client = Build(map => Places(map), s => s.AddHttpClient("places").AddCostTracking(map => Places(map)));

        using (Tracker.BeginScope(UserId))
        {
            (await client.PostAsync(Autocomplete, null)).Dispose();
        }

        await SingleOperation();
    }

    [Test]
    public void Start_MappingWithUnknownPriceKey_FailsValidationNamingTheKey()
    {
        var services = Services();
        services.AddHttpClient("places").AddCostTracking(map => map.Map("places.googleapis.com", "/", "google_maps.places_search", "search"));
        _provider = services.BuildServiceProvider();

        // What the host runs at start (ValidateOnStart), then what a first CreateClient runs.
        var start = () => _provider.GetRequiredService<IStartupValidator>().Validate();
        var create = () => _provider.GetRequiredService<IHttpClientFactory>().CreateClient("places");

        start.Should().Throw<OptionsValidationException>().WithMessage("*'google_maps.places_search'*Known keys*google_maps.place_details*");
        create.Should().Throw<OptionsValidationException>();
    }

    [Test]
    public void Start_NoMapping_FailsValidation()
    {
        var services = Services();
        services.AddHttpClient("places").AddCostTracking(_ => { });
        _provider = services.BuildServiceProvider();

        var start = () => _provider.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().WithMessage("*maps no request*");
    }

    [TestCase("https://places.googleapis.com", "/")]
    [TestCase("places.googleapis.com", "v1/places")]
    public void Map_MalformedHostOrPath_Throws(string host, string pathPrefix)
    {
        var map = () => new HttpCostTrackingOptions().Map(host, pathPrefix, ApiCosts.GoogleMaps.PlaceDetails.Key, "details");

        map.Should().Throw<ArgumentException>();
    }

    [Test]
    public async Task SendAsync_FiftyConcurrentRequestsEachInItsOwnScope_RecordsEachForItsOwnUser()
    {
        var client = Build(map => Places(map));

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            using (Tracker.BeginScope($"user-{i}", $"session-{i}"))
            {
                await Task.Yield();
                (await client.PostAsync(Autocomplete, null)).Dispose();
                (await client.GetAsync(Details)).Dispose();
            }
        })));

        for (var i = 0; i < 50; i++)
        {
            var page = await Tracker.GetUserSessionsAsync($"user-{i}");
            var session = page.Items.Should().ContainSingle().Subject;
            session.SessionId.Should().Be($"session-{i}");
            session.StepCount.Should().Be(2);
        }
    }

    private static HttpCostTrackingOptions Places(HttpCostTrackingOptions map) => map
        .Map(host: "places.googleapis.com", pathPrefix: "/v1/places:autocomplete", priceKey: ApiCosts.GoogleMaps.PlacesAutocomplete.Key, feature: "google_maps_autocomplete")
        .Map(host: "places.googleapis.com", pathPrefix: "/v1/places/", priceKey: ApiCosts.GoogleMaps.PlaceDetails.Key, feature: "google_maps_place_details", isBillableRun: true);

    private HttpClient Build(Action<HttpCostTrackingOptions> configure, Action<IServiceCollection>? services = null)
    {
        var collection = Services();
        services?.Invoke(collection);
        collection.AddHttpClient("places")
            .AddCostTracking(configure)
            .ConfigurePrimaryHttpMessageHandler(() => _network);
        _provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _provider.GetRequiredService<IStartupValidator>().Validate();
        return _provider.GetRequiredService<IHttpClientFactory>().CreateClient("places");
    }

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        services.AddFakeLogging();
        return services;
    }

    private async Task<UsageOperation> SingleOperation() =>
        (await Tracker.GetOperationsAsync(UserId, UsageType.ApiUsage)).Items.Should().ContainSingle().Subject;
}
