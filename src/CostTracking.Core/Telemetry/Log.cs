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

    [LoggerMessage(5, LogLevel.Warning, "Budget alert {Kind} for user {UserId} in {Month}: threshold {ThresholdPercent}%, value {Value} against {Limit}.")]
    public static partial void BudgetAlert(ILogger logger, Budgets.BudgetAlertKind kind, string userId, string month, int? thresholdPercent, decimal value, decimal limit);

    [LoggerMessage(11, LogLevel.Warning, "Budget alert UnusualSpending for user {UserId} in {Month}: spent {Value} today against a trailing daily average of {Average}.")]
    public static partial void UnusualSpendingAlert(ILogger logger, string userId, string month, decimal value, decimal average);

    [LoggerMessage(6, LogLevel.Error, "Checking budget alerts for user {UserId} failed; the record itself was stored.")]
    public static partial void AlertCheckFailed(ILogger logger, Exception exception, string userId);

    [LoggerMessage(7, LogLevel.Error, "Budget alert handler {Handler} failed on {Kind} for user {UserId}.")]
    public static partial void AlertHandlerFailed(ILogger logger, Exception exception, string handler, Budgets.BudgetAlertKind kind, string userId);

    [LoggerMessage(8, LogLevel.Information, "Session sweep abandoned {Count} idle session(s) last changed before {IdleBefore:o}.")]
    public static partial void SessionsAbandoned(ILogger logger, int count, DateTimeOffset idleBefore);

    [LoggerMessage(9, LogLevel.Information, "Retention deleted {Sessions} session(s) and {Operations} operation(s).")]
    public static partial void RetentionApplied(ILogger logger, int sessions, int operations);

    [LoggerMessage(10, LogLevel.Information, "Session {SessionId} of user {UserId} was re-priced by {Policy}: {StepCount} step(s).")]
    public static partial void SessionRepriced(ILogger logger, string sessionId, string userId, string policy, int stepCount);
}
