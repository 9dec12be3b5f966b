using Microsoft.Extensions.Logging;

namespace CostTracking.AI.Internal;

internal static partial class ChatTrackingLog
{
    [LoggerMessage(101, LogLevel.Warning, "A chat call to model {ModelId} was not recorded: it had no user (begin a CostTrackingScope or set ChatOptions.AdditionalProperties[\"costtracking.user_id\"]).")]
    public static partial void NoUser(ILogger logger, string modelId);

    [LoggerMessage(102, LogLevel.Warning, "Model {ModelId} has no price: its call for user {UserId} was recorded unpriced (cost 0, metadata unpriced=true). Add the model under CostTracking:Pricing:Models.")]
    public static partial void Unpriced(ILogger logger, string modelId, string userId);

    [LoggerMessage(103, LogLevel.Error, "Tracking a chat call to model {ModelId} for user {UserId} failed; the call itself was not affected.")]
    public static partial void TrackingFailed(ILogger logger, Exception exception, string modelId, string userId);

    [LoggerMessage(104, LogLevel.Warning, "A streamed chat call to model {ModelId} for user {UserId} ended before it reported token usage (stopped early or failed): it was not recorded, though the provider may bill it.")]
    public static partial void StreamEndedWithoutUsage(ILogger logger, string modelId, string userId);
}
