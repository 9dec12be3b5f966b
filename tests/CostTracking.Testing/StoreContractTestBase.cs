using CostTracking.Storage;

namespace CostTracking.Testing;

/// <summary>What the store contract suites share: the store's life per test, a unique user per test, and builders of entries as the trackers hand them over.</summary>
public abstract class StoreContractTestBase
{
    /// <summary>An instant with a microsecond fraction, so that a store keeping only milliseconds fails.</summary>
    protected static readonly DateTimeOffset BaseTime = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    /// <summary>The UTC month of <see cref="BaseTime"/>.</summary>
    protected static readonly UsageMonth BaseMonth = new(2026, 3);

    private IUsageStore? _store;

    /// <summary>Gets the store under test.</summary>
    protected IUsageStore Store => _store ?? throw new InvalidOperationException("The store is created in SetUp.");

    /// <summary>Gets the user id of the running test, unique to it.</summary>
    protected string UserId { get; private set; } = "";

    /// <summary>Gets the factor by which concurrency tests multiply their writes (each task writes 25 × this).</summary>
    protected virtual int ConcurrencyScale => 1;

    /// <summary>Creates (or hands out a shared) store; called before each test.</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IUsageStore> CreateStoreAsync();

    /// <summary>Releases a store created by <see cref="CreateStoreAsync"/>; called after each test.</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task.</returns>
    protected virtual Task DisposeStoreAsync(IUsageStore store) => Task.CompletedTask;

    [SetUp]
    public async Task SetUpStoreAsync()
    {
        _store = await CreateStoreAsync().ConfigureAwait(false);
        UserId = NewId("user");
    }

    [TearDown]
    public async Task TearDownStoreAsync()
    {
        if (_store is { } store)
        {
            _store = null;
            await DisposeStoreAsync(store).ConfigureAwait(false);
        }
    }

    /// <summary>A new id with a prefix, unique across runs.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The id.</returns>
    protected static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N");

    /// <summary>Builds a standalone operation of the running test's user, as the tracker would hand it over.</summary>
    /// <returns>The operation.</returns>
    protected UsageOperation Operation(
        string id,
        UsageType type = UsageType.ApiUsage,
        decimal cost = 0.00283m,
        string feature = "google_maps_autocomplete",
        string provider = "google_maps",
        bool billable = false,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, object?>? metadata = null,
        string? userId = null) => new()
        {
            OperationId = id,
            UserId = userId ?? UserId,
            UsageType = type,
            Feature = feature,
            Provider = provider,
            Cost = cost,
            IsBillableRun = billable,
            Timestamp = at ?? BaseTime,
            Metadata = metadata ?? new Dictionary<string, object?>(),
        };

    /// <summary>Builds a session step of the running test's user, as the tracker would hand it over.</summary>
    /// <returns>The entry.</returns>
    protected SessionStepEntry Step(
        string sessionId,
        string id,
        UsageType type = UsageType.ApiUsage,
        decimal cost = 0.00283m,
        string feature = "google_maps_autocomplete",
        string provider = "google_maps",
        bool billable = false,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, object?>? metadata = null,
        string sessionFeature = "google_maps") => new()
        {
            UserId = UserId,
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

    /// <summary>Metadata holding every normalized type, nested, with keys a path-based store could trip over.</summary>
    /// <returns>A fresh map.</returns>
    protected static Dictionary<string, object?> RichMetadata() => new()
    {
        ["text"] = "pizza near me",
        ["empty_text"] = "",
        ["unicode"] = "café ☕ 日本語 🍕",
        ["count"] = 42L,
        ["negative"] = -7L,
        ["max_long"] = long.MaxValue,
        ["min_long"] = long.MinValue,
        ["ratio"] = 0.1,
        ["integral_double"] = 3.0,
        ["big_double"] = 1.7976931348623157E+308,
        ["negative_double"] = -2.5e-300,
        ["flag"] = true,
        ["off"] = false,
        ["nothing"] = null,
        ["dotted.key"] = "a.b",
        ["key with spaces"] = "ok",
        ["clé-ü"] = 1L,
        ["nested"] = new Dictionary<string, object?>
        {
            ["level"] = 2L,
            ["deeper"] = new Dictionary<string, object?>
            {
                ["level"] = 3L,
                ["tags"] = new List<object?> { "a", "b" },
            },
            ["empty_map"] = new Dictionary<string, object?>(),
        },
        ["list"] = new List<object?>
        {
            "one",
            2L,
            3.5,
            false,
            null,
            new Dictionary<string, object?> { ["inner"] = new List<object?> { 1L, "x" } },
        },
        ["empty_list"] = new List<object?>(),
    };

    /// <summary>Runs <paramref name="tasks"/> tasks that start together, each doing <paramref name="perTask"/> calls in sequence.</summary>
    /// <param name="tasks">How many tasks.</param>
    /// <param name="perTask">How many calls each.</param>
    /// <param name="body">One call, given the task and call numbers.</param>
    /// <returns>A task.</returns>
    protected static async Task RunConcurrentlyAsync(int tasks, int perTask, Func<int, int, Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            await start.Task.ConfigureAwait(false);
            for (var i = 0; i < perTask; i++)
            {
                await body(t, i).ConfigureAwait(false);
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    /// <summary>Starts <paramref name="count"/> calls together and returns their results in call order.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="count">How many calls.</param>
    /// <param name="call">One call, given its number.</param>
    /// <returns>The results.</returns>
    protected static async Task<T[]> RaceAsync<T>(int count, Func<int, Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task.ConfigureAwait(false);
            return await call(i).ConfigureAwait(false);
        })).ToArray();
        start.SetResult();
        return await Task.WhenAll(running).ConfigureAwait(false);
    }

}
