using Microsoft.Extensions.Logging;

namespace CostTracking.Firestore.Internal;

internal static partial class Log
{
    [LoggerMessage(150, LogLevel.Debug, "Group commit for user {UserId}: {Count} operation(s) in one commit.")]
    public static partial void GroupCommitted(ILogger logger, string userId, int count);

    [LoggerMessage(151, LogLevel.Warning, "Firestore refused a group commit of {Count} operation(s) for user {UserId} ({Message}); committing them one by one.")]
    public static partial void GroupCommitSplit(ILogger logger, string userId, int count, string message);

    [LoggerMessage(152, LogLevel.Information, "A session of a group commit for user {UserId} does not exist ({Message}); its {Count} step(s) are committed one by one, the operations again as a batch.")]
    public static partial void GroupCommitSessionMissing(ILogger logger, string userId, int count, string message);
}
