namespace CostTracking.Firestore.Internal;

/// <summary>The document paths and field names of the store: the seed's layout, plus exact integer fields beside its doubles.</summary>
/// <remarks>Paths are relative to <c>projects/{p}/databases/{d}/documents</c>; the README documents every field.</remarks>
internal static partial class FirestoreLayout
{
    public const string SessionUsage = "SessionUsage";
    public const string Operations = "operations";
    public const string Monthly = "monthly";
    public const string Sessions = "sessions";
    public const string Steps = "steps";
    public const string State = "state";
    public const string CloseMarker = "close";

    public const string StatusInProgress = "in-progress";
    public const string StatusCompleted = "completed";
    public const string StatusAbandoned = "abandoned";

    public static string UsageCollection(UsageType type) => type == UsageType.AIUsage ? "AIUsage" : "ApiUsage";

    public static string UserPath(UsageType type, string userId) => $"{UsageCollection(type)}/{userId}";

    public static string OperationPath(UsageType type, string userId, string operationId) => $"{UsageCollection(type)}/{userId}/{Operations}/{operationId}";

    public static string MonthlyPath(UsageType type, string userId, UsageMonth month) => $"{UsageCollection(type)}/{userId}/{Monthly}/{month}";

    public static string SessionUserPath(string userId) => $"{SessionUsage}/{userId}";

    public static string SessionPath(string userId, string sessionId) => $"{SessionUsage}/{userId}/{Sessions}/{sessionId}";

    public static string StepPath(string userId, string sessionId, string operationId) => $"{SessionPath(userId, sessionId)}/{Steps}/{operationId}";

    public static string ClosePath(string userId, string sessionId) => $"{SessionPath(userId, sessionId)}/{State}/{CloseMarker}";

    public static string StatusName(SessionStatus status) => status switch
    {
        SessionStatus.Completed => StatusCompleted,
        SessionStatus.Abandoned => StatusAbandoned,
        _ => StatusInProgress,
    };

    public static SessionStatus ParseStatus(string? status) => status switch
    {
        StatusCompleted => SessionStatus.Completed,
        StatusAbandoned => SessionStatus.Abandoned,
        _ => SessionStatus.InProgress,
    };

    /// <summary>Field names shared by operation documents, step documents and inline steps.</summary>
    public static partial class Op
    {
        public const string OperationId = "operationId";
        public const string UserId = "userId";
        public const string SessionId = "sessionId";
        public const string UsageType = "usageType";
        public const string Feature = "feature";
        public const string Provider = "provider";
        public const string Cost = "cost";
        public const string CostNanos = "costNanos";
        public const string IsBillableRun = "isBillableRun";
        public const string Timestamp = "timestamp";
        public const string Month = "month";
        public const string Metadata = "metadata";
        public const string WriteToken = "writeToken";
    }

    /// <summary>Field names of a monthly summary document.</summary>
    public static class Summary
    {
        public const string UserId = "userId";
        public const string UsageType = "usageType";
        public const string Month = "month";
        public const string TotalCost = "totalCost";
        public const string TotalCostNanos = "totalCostNanos";
        public const string OperationCount = "operationCount";
        public const string TotalRuns = "totalRuns";
        public const string SessionCost = "sessionCost";
        public const string SessionCostNanos = "sessionCostNanos";
        public const string SessionOperationCount = "sessionOperationCount";
        public const string FeatureBreakdown = "featureBreakdown";
        public const string ProviderBreakdown = "providerBreakdown";
        public const string DayBreakdown = "dayBreakdown";
        public const string LastUpdated = "lastUpdated";
        public const string Cost = "cost";
        public const string CostNanos = "costNanos";
        public const string Count = "count";
    }

    /// <summary>Field names of a session document.</summary>
    public static partial class Session
    {
        public const string UserId = "userId";
        public const string SessionId = "sessionId";
        public const string Feature = "feature";
        public const string Status = "status";
        public const string TotalCost = "totalCost";
        public const string TotalCostNanos = "totalCostNanos";
        public const string TotalRuns = "totalRuns";
        public const string StepCount = "stepCount";
        public const string Steps = "steps";
        public const string StepsTruncated = "stepsTruncated";
        public const string InlineStepsBytes = "inlineStepsBytes";
        public const string StepsNotInline = "stepsNotInline";
        public const string CreatedAt = "createdAt";
        public const string LastUpdatedAt = "lastUpdatedAt";
        public const string LastUpdatedMicros = "lastUpdatedMicros";
        public const string CompletedAt = "completedAt";
        public const string AbandonedAt = "abandonedAt";
        public const string CreateToken = "createToken";

        /// <summary>Every field but the inline <c>steps</c> array: what a listing or a session read asks for.</summary>
        public static readonly string[] Header =
        [
            UserId, SessionId, Feature, Status, TotalCost, TotalCostNanos, TotalRuns, StepCount, StepsTruncated,
            CreatedAt, LastUpdatedAt, LastUpdatedMicros, CompletedAt, AbandonedAt, RepricedBy, RepricedAt,
        ];
    }

    /// <summary>Field names of the close marker, <c>…/sessions/{s}/state/close</c>.</summary>
    public static class Close
    {
        public const string Status = "status";
        public const string ClosedAt = "closedAt";
    }
}
