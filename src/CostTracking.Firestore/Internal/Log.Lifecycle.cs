using Microsoft.Extensions.Logging;

namespace CostTracking.Firestore.Internal;

internal static partial class Log
{
    [LoggerMessage(105, LogLevel.Debug, "Firestore {Operation} on {DocumentPath} met a concurrent change ({Status}); re-reading for attempt {Attempt} in {DelayMs} ms.")]
    public static partial void ConcurrentChange(ILogger logger, string operation, string documentPath, string status, int attempt, long delayMs);

    [LoggerMessage(106, LogLevel.Debug, "Retention deleted session {DocumentPath} with its {StepCount} steps.")]
    public static partial void SessionDeleted(ILogger logger, string documentPath, int stepCount);

    [LoggerMessage(107, LogLevel.Debug, "Session {DocumentPath} re-priced by {Policy}: {StepCount} steps, {DeltaNanos} nano-dollars.")]
    public static partial void SessionRepriced(ILogger logger, string documentPath, string policy, int stepCount, long deltaNanos);
}
