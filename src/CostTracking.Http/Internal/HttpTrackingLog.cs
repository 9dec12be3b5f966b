using Microsoft.Extensions.Logging;

namespace CostTracking.Http.Internal;

internal static partial class HttpTrackingLog
{
    [LoggerMessage(201, LogLevel.Warning, "A request priced as {PriceKey} on HttpClient {ClientName} was sent unrecorded: it had no user (begin a CostTrackingScope).")]
    public static partial void NoUser(ILogger logger, string clientName, string priceKey);

    [LoggerMessage(202, LogLevel.Error, "Recording a request priced as {PriceKey} on HttpClient {ClientName} for user {UserId} failed; the request itself was not affected.")]
    public static partial void TrackingFailed(ILogger logger, Exception exception, string clientName, string priceKey, string userId);
}
