namespace CostTracking.Firestore.Internal;

/// <summary>The defaults, limits and fixed names of the Firestore store, in one place.</summary>
internal static class FirestoreDefaults
{
    public const string DatabaseId = "(default)";
    public const string EmulatorHostVariable = "FIRESTORE_EMULATOR_HOST";
    public const string ProductionBaseUrl = "https://firestore.googleapis.com/v1/";
    public const string ProductionAudience = "https://firestore.googleapis.com/";
    public const string DatastoreScope = "https://www.googleapis.com/auth/datastore";

    public const int MaxRetryAttempts = 5;
    public const int MaxRetryAttemptsCeiling = 20;
    public static readonly TimeSpan InitialRetryDelay = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxDelayCeiling = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinRequestTimeout = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Steps are read from the steps subcollection in pages of this many documents.</summary>
    public const int StepPageSize = 1000;

    /// <summary>A step whose inline copy (as request JSON) is larger than this is not copied into the session document's <c>steps</c> array.</summary>
    public const int MaxInlineStepBytes = 16 * 1024;

    /// <summary>Once the inline copies in a session document add up to more than this (as request JSON), later steps are no longer copied in.</summary>
    /// <remarks>Well under the 1 MiB document limit, so that writers in other processes that have not yet noticed still fit.</remarks>
    public const long InlineStepsBudgetBytes = 256 * 1024;

    /// <summary>How many full sessions one store remembers, so that it stops copying their steps inline without a read.</summary>
    public const int FullSessionCacheSize = 10_000;

    /// <summary>Group commit: how long a batch waits for more records of its user.</summary>
    public static readonly TimeSpan MaxBatchDelay = TimeSpan.FromMilliseconds(2);

    /// <summary>Group commit: the ceiling of <see cref="FirestoreStoreOptions.MaxBatchDelay"/>.</summary>
    public static readonly TimeSpan MaxBatchDelayCeiling = TimeSpan.FromSeconds(1);

    /// <summary>Group commit: the most records per commit by default.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>Group commit: the ceiling of <see cref="FirestoreStoreOptions.MaxBatchSize"/>.</summary>
    public const int MaxBatchSizeCeiling = 500;

    /// <summary>Group commit: the ceiling of <see cref="FirestoreStoreOptions.MaxCommitsInFlight"/>.</summary>
    public const int MaxCommitsInFlightCeiling = 16;

    /// <summary>Firestore applies at most this many field transforms to one document in one commit.</summary>
    public const int MaxTransformsPerDocument = 500;

    /// <summary>The request JSON a group commit may send to production (its cap is 10 MiB), with room for the monthly writes.</summary>
    public const int MaxCommitBytes = 9 * 1024 * 1024;

    /// <summary>The same for the emulator, which refuses requests over 4 MiB (its gRPC message limit; the JSON is larger than that message).</summary>
    public const int MaxEmulatorCommitBytes = 3584 * 1024;

    /// <summary>How many times a group commit is re-sent without the operations that turned out to exist before it gives up.</summary>
    public const int MaxGroupCommitRounds = 16;

    /// <summary>How many times one call may switch between the commit shapes of a step (existing session, new session) before giving up.</summary>
    public const int MaxStepCommitShapes = 8;
}
