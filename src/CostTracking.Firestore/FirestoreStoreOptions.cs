using CostTracking.Firestore.Internal;

namespace CostTracking.Firestore;

/// <summary>Options of the Firestore store: which database, how to authenticate, and how to retry transient faults.</summary>
public sealed class FirestoreStoreOptions
{
    /// <summary>The configuration section the options are usually bound from.</summary>
    public const string SectionName = "CostTracking:Firestore";

    /// <summary>Gets or sets the Google Cloud project id that holds the database.</summary>
    /// <value>Required; there is no default.</value>
    public string? ProjectId { get; set; }

    /// <summary>Gets or sets the Firestore database id.</summary>
    /// <value>The default value is <c>(default)</c>.</value>
    public string DatabaseId { get; set; } = FirestoreDefaults.DatabaseId;

    /// <summary>Gets or sets the <c>host:port</c> of a Firestore emulator; when set, requests go there over plain HTTP with the emulator's admin token instead of to Google.</summary>
    /// <value>The default value is the <c>FIRESTORE_EMULATOR_HOST</c> environment variable when it is set, otherwise <see langword="null"/>.</value>
    public string? EmulatorHost { get; set; } = NullIfEmpty(Environment.GetEnvironmentVariable(FirestoreDefaults.EmulatorHostVariable));

    /// <summary>Gets or sets the path of a service account key file (JSON); when not set, Application Default Credentials are used.</summary>
    /// <value>The default value is <see langword="null"/> (Application Default Credentials). Ignored when <see cref="EmulatorHost"/> is set.</value>
    public string? CredentialsFile { get; set; }

    /// <summary>Gets or sets how many times a request that failed transiently (ABORTED, UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, 5xx, connection failure, timeout) is retried.</summary>
    /// <value>The default value is 5 (so at most 6 attempts); 0 to 20.</value>
    public int MaxRetryAttempts { get; set; } = FirestoreDefaults.MaxRetryAttempts;

    /// <summary>Gets or sets the delay before the first retry; each further retry doubles it, up to <see cref="MaxRetryDelay"/>, and a random jitter takes off up to half.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan InitialRetryDelay { get; set; } = FirestoreDefaults.InitialRetryDelay;

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>The default value is 5 seconds; at least <see cref="InitialRetryDelay"/> and at most 5 minutes.</value>
    public TimeSpan MaxRetryDelay { get; set; } = FirestoreDefaults.MaxRetryDelay;

    /// <summary>Gets or sets how long one attempt may wait for its response before it counts as a transient failure and is retried.</summary>
    /// <value>The default value is 30 seconds; 1 second to 10 minutes.</value>
    public TimeSpan RequestTimeout { get; set; } = FirestoreDefaults.RequestTimeout;

    /// <summary>Gets or sets how standalone operations and session steps are written: one commit each, or gathered per user into group commits.</summary>
    /// <value>The default value is <see cref="FirestoreWriteMode.Immediate"/>.</value>
    /// <remarks>Group commit applies to standalone operations and to the steps of sessions the store knows exist; session creation and closing and reads always go straight to Firestore.</remarks>
    public FirestoreWriteMode WriteMode { get; set; } = FirestoreWriteMode.Immediate;

    /// <summary>Gets or sets, in <see cref="FirestoreWriteMode.GroupCommit"/> mode, how long a batch stays open for more records of its user before it is committed (unless it fills up first).</summary>
    /// <value>The default value is 2 milliseconds; 0 (commit at once: batches then form only while a commit of the user is in flight) to 1 second.</value>
    /// <remarks>A user writing alone (one record waiting, and a last batch of one record) is not made to wait.</remarks>
    public TimeSpan MaxBatchDelay { get; set; } = FirestoreDefaults.MaxBatchDelay;

    /// <summary>Gets or sets, in <see cref="FirestoreWriteMode.GroupCommit"/> mode, the most records one commit holds.</summary>
    /// <value>The default value is 100; 1 to 500. A batch is also closed early to stay within Firestore's request size and its 500 field transforms per document.</value>
    public int MaxBatchSize { get; set; } = FirestoreDefaults.MaxBatchSize;

    /// <summary>Gets or sets, in <see cref="FirestoreWriteMode.GroupCommit"/> mode, how many commits of one user may be in flight at once.</summary>
    /// <value>The default value is 1: the user's monthly document then sees one writer at a time from this instance; 1 to 16.</value>
    /// <remarks>More than one lets a user's next batch start before the last one is acknowledged; it pays only when batches are kept small (<see cref="MaxBatchSize"/>).</remarks>
    public int MaxCommitsInFlight { get; set; } = 1;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
