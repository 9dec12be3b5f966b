using Microsoft.Extensions.Logging;

namespace CostTracking.Firestore.Internal;

internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Warning, "Firestore {Operation} on {DocumentPath} failed transiently ({Status}, attempt {Attempt}); retrying in {DelayMs} ms.")]
    public static partial void Retrying(ILogger logger, string operation, string documentPath, string status, int attempt, long delayMs, Exception? exception);

    [LoggerMessage(102, LogLevel.Debug, "Firestore reported {DocumentPath} as existing after a retried write; the write token shows it was {Outcome}.")]
    public static partial void ResolvedRetriedWrite(ILogger logger, string documentPath, RecordOutcome outcome);

    [LoggerMessage(103, LogLevel.Information, "Session document {DocumentPath} is full: later steps are kept only in its steps subcollection and the inline steps array is marked truncated.")]
    public static partial void InlineStepsFull(ILogger logger, string documentPath);

    [LoggerMessage(104, LogLevel.Warning, "Firestore rejected session document {DocumentPath} with a step copied inline ({Message}); the step was written without the inline copy, and later steps of the session will be too.")]
    public static partial void InlineStepRejected(ILogger logger, string documentPath, string message);
}
