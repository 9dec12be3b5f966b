using System.Globalization;
using CostTracking.Pricing;
using Microsoft.Extensions.Logging;

namespace CostTracking.Http.Internal;

/// <summary>Records each mapped request as an <see cref="UsageType.ApiUsage"/> operation for the user of the ambient <see cref="CostTrackingScope"/>.</summary>
internal sealed class CostTrackingHttpHandler : DelegatingHandler
{
    private readonly string _clientName;
    private readonly (HttpCostMapping Mapping, ApiPrice Price)[] _mappings;
    private readonly HttpCostTrackingOptions _options;
    private readonly ICostTracker _tracker;
    private readonly ILogger _logger;

    public CostTrackingHttpHandler(string clientName, HttpCostTrackingOptions options, IPriceRegistry prices, ICostTracker tracker, ILogger logger)
    {
        _clientName = clientName;
        _options = options;
        _tracker = tracker;
        _logger = logger;

        // The registry is immutable and the options were validated, so prices are looked up once per handler.
        _mappings = options.Mappings.Select(m => (m, prices.GetApiPrice(m.PriceKey))).ToArray();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (BeginCall(request) is not { } call)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ShouldRecordFailure(ex, cancellationToken))
        {
            await TrackAsync(call, request, null, ex).ConfigureAwait(false);
            throw;
        }

        await TrackResponseAsync(call, request, response).ConfigureAwait(false);
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (BeginCall(request) is not { } call)
        {
            return base.Send(request, cancellationToken);
        }

        HttpResponseMessage response;
        try
        {
            response = base.Send(request, cancellationToken);
        }
        catch (Exception ex) when (ShouldRecordFailure(ex, cancellationToken))
        {
            // The caller chose a blocking send, so recording blocks too.
            TrackAsync(call, request, null, ex).AsTask().GetAwaiter().GetResult();
            throw;
        }

        TrackResponseAsync(call, request, response).AsTask().GetAwaiter().GetResult();
        return response;
    }

    /// <summary>Finds the request's mapping and user before it is sent; <see langword="null"/> when it passes through untracked.</summary>
    private HttpCall? BeginCall(HttpRequestMessage request)
    {
        var match = Array.FindIndex(_mappings, m => m.Mapping.Matches(request));
        if (match < 0)
        {
            return _options.ThrowOnUnmappedRequest
                ? throw new InvalidOperationException(
                    $"{request.Method} {Describe(request)} on HttpClient '{_clientName}' matches no cost tracking mapping, so it was not sent ({nameof(HttpCostTrackingOptions)}.{nameof(HttpCostTrackingOptions.ThrowOnUnmappedRequest)} is true). Map it with map.Map(...).")
                : null;
        }

        var (mapping, price) = _mappings[match];
        if (CostTrackingScope.Current is not { } scope)
        {
            if (_options.RequireUser)
            {
                throw new InvalidOperationException(
                    $"{request.Method} {Describe(request)} on HttpClient '{_clientName}' has no user to record its cost for: begin a CostTrackingScope (tracker.BeginScope(userId)). It was not sent ({nameof(HttpCostTrackingOptions)}.{nameof(HttpCostTrackingOptions.RequireUser)} is true).");
            }

            HttpTrackingLog.NoUser(_logger, _clientName, mapping.PriceKey);
            HttpTrackingMetrics.Untracked("no_user", price.Provider, mapping.Feature);
            return null;
        }

        return new HttpCall(mapping, price, scope.UserId, scope.SessionId);
    }

    private bool ShouldRecordFailure(Exception exception, CancellationToken cancellationToken) =>
        _options.RecordFailedRequests && !(exception is OperationCanceledException || cancellationToken.IsCancellationRequested);

    private async ValueTask TrackResponseAsync(HttpCall call, HttpRequestMessage request, HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode && !_options.RecordFailedRequests)
        {
            return;
        }

        try
        {
            await TrackAsync(call, request, response, null).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async ValueTask TrackAsync(HttpCall call, HttpRequestMessage request, HttpResponseMessage? response, Exception? error)
    {
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["priceKey"] = call.Price.Key,
            ["method"] = request.Method.Method,
        };
        if (response is not null)
        {
            metadata["statusCode"] = (int)response.StatusCode;
        }

        if (error is not null || response is { IsSuccessStatusCode: false })
        {
            metadata["failed"] = true;
        }

        if (error is not null)
        {
            metadata["error"] = error.GetType().Name;
        }

        try
        {
            // The request was made whatever happens to the caller's token now, so recording is not cancelled with it.
            await _tracker.RecordUsageAsync(
                new UsageRecord
                {
                    UserId = call.UserId,
                    SessionId = call.SessionId,
                    UsageType = UsageType.ApiUsage,
                    Feature = call.Mapping.Feature,
                    Provider = call.Price.Provider,
                    Cost = call.Price.PerRequest,
                    IsBillableRun = call.Mapping.IsBillableRun,
                    Metadata = metadata,
                },
                CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A tracking failure must not break the call unless the app opted in.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HttpTrackingLog.TrackingFailed(_logger, ex, _clientName, call.Price.Key, call.UserId);
            HttpTrackingMetrics.Untracked("failed", call.Price.Provider, call.Mapping.Feature);

            // A call that threw keeps its own exception.
            if (_options.ThrowOnTrackingFailure && error is null)
            {
                throw;
            }
        }
    }

    // The query is left out: it may hold API keys.
    private static string Describe(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri
            ? string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}")
            : request.RequestUri?.OriginalString ?? "(no URI)";

    private sealed record HttpCall(HttpCostMapping Mapping, ApiPrice Price, string UserId, string? SessionId);
}
