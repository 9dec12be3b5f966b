using CostTracking.Firestore.Internal;
using CostTracking.Storage;
using Microsoft.Extensions.Logging;

namespace CostTracking.Firestore.Tests.Support;

/// <summary>A fixture that runs against the emulator in a project of its own and disposes the clients it hands out.</summary>
public abstract class EmulatorFixture
{
    /// <summary>A time with a microsecond fraction in March 2026.</summary>
    protected static readonly DateTimeOffset BaseTime = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    /// <summary>The month of <see cref="BaseTime"/>.</summary>
    protected static readonly UsageMonth BaseMonth = new(2026, 3);

    private readonly List<IDisposable> _disposables = [];

    /// <summary>Gets this fixture's project id.</summary>
    protected string ProjectId { get; private set; } = "";

    /// <summary>Gets a reader of raw documents in this fixture's project.</summary>
    internal RawFirestore Raw { get; private set; } = null!;

    [OneTimeSetUp]
    public void SetUpProject()
    {
        FirestoreEmulator.Require();
        ProjectId = FirestoreEmulator.NewProjectId();
        Raw = new RawFirestore(Track(new HttpClient()), FirestoreEmulator.Host, ProjectId);
    }

    [OneTimeTearDown]
    public void DisposeClients()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _disposables.Clear();
    }

    /// <summary>A new id with a prefix, unique across runs.</summary>
    protected static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Options for this fixture's project on the emulator.</summary>
    protected FirestoreStoreOptions Options(string? projectId = null) => new()
    {
        ProjectId = projectId ?? ProjectId,
        EmulatorHost = FirestoreEmulator.Host,
    };

    /// <summary>A store with its own HttpClient (its own connection pool, like another app instance), optionally behind test handlers.</summary>
    /// <param name="wrap">Wraps the socket handler, e.g. in a fault-injecting handler.</param>
    /// <param name="configure">Changes the options.</param>
    internal FirestoreUsageStore NewStore(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null, Action<FirestoreStoreOptions>? configure = null, IAccessTokenSource? tokens = null, ILogger? logger = null)
    {
        HttpMessageHandler handler = new SocketsHttpHandler();
        handler = wrap?.Invoke(handler) ?? handler;
        var client = Track(new HttpClient(handler));
        var options = Options();
        configure?.Invoke(options);
        return new FirestoreUsageStore(() => client, options, logger, timeProvider: null, tokens);
    }

    /// <summary>A standalone operation.</summary>
    protected static UsageOperation Operation(
        string userId,
        string id,
        decimal cost = 0.00283m,
        UsageType type = UsageType.ApiUsage,
        string feature = "google_maps_autocomplete",
        string provider = "google_maps",
        bool billable = false,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, object?>? metadata = null) => new()
        {
            OperationId = id,
            UserId = userId,
            UsageType = type,
            Feature = feature,
            Provider = provider,
            Cost = cost,
            IsBillableRun = billable,
            Timestamp = at ?? BaseTime,
            Metadata = metadata ?? new Dictionary<string, object?>(),
        };

    /// <summary>A session step.</summary>
    protected static SessionStepEntry Step(
        string userId,
        string sessionId,
        string id,
        decimal cost = 0.00283m,
        UsageType type = UsageType.ApiUsage,
        string feature = "google_maps_autocomplete",
        string provider = "google_maps",
        bool billable = false,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, object?>? metadata = null,
        string sessionFeature = "google_maps") => new()
        {
            UserId = userId,
            SessionId = sessionId,
            SessionFeature = sessionFeature,
            Step = new SessionStep
            {
                OperationId = id,
                UsageType = type,
                Feature = feature,
                Provider = provider,
                Cost = cost,
                IsBillableRun = billable,
                Timestamp = at ?? BaseTime,
                Metadata = metadata ?? new Dictionary<string, object?>(),
            },
        };

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
