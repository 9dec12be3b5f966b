using Microsoft.Extensions.Logging;

namespace CostTracking.Telemetry;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Operation {OperationId} of user {UserId} was already recorded; it was not counted again.")]
    public static partial void AlreadyRecorded(ILogger logger, string operationId, string userId);

    [LoggerMessage(2, LogLevel.Debug, "Session {SessionId} of user {UserId} started for feature {Feature}.")]
    public static partial void SessionStarted(ILogger logger, string sessionId, string userId, string feature);

    [LoggerMessage(3, LogLevel.Information, "Session {SessionId} of user {UserId} is {Status} with {StepCount} steps and a total of {TotalCost} USD.")]
    public static partial void SessionClosed(ILogger logger, string sessionId, string userId, SessionStatus status, int stepCount, decimal totalCost);

    [LoggerMessage(4, LogLevel.Warning, "Session {SessionId} of user {UserId} was asked to be {Requested} but is already {Status}; the first close stands.")]
    public static partial void SessionAlreadyClosed(ILogger logger, string sessionId, string userId, SessionStatus requested, SessionStatus status);
}
