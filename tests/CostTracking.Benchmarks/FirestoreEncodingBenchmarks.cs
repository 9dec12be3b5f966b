using BenchmarkDotNet.Attributes;
using CostTracking.Firestore;
using CostTracking.Firestore.Internal;
using CostTracking.Storage;

namespace CostTracking.Benchmarks;

/// <summary>Firestore Value encoding: the commit body of one typical standalone operation (its document and its monthly increment), as the store sends it.</summary>
[MemoryDiagnoser]
public class FirestoreEncodingBenchmarks
{
    private FirestoreUsageStore _store = null!;
    private UsageOperation _operation = null!;
    private long _nanos;

    [GlobalSetup]
    public void Setup()
    {
        // No request is sent: the store only encodes.
        _store = new FirestoreUsageStore(new HttpClient(), new FirestoreStoreOptions { ProjectId = "bench", EmulatorHost = "127.0.0.1:1" });
        _operation = new UsageOperation
        {
            OperationId = "op_3f2c9a41b7d04e8c9a1f6b2d7e5c8a90",
            UserId = "user-heavy",
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Provider = "google_maps",
            Cost = 0.00283m,
            IsBillableRun = true,
            Timestamp = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560),
            Metadata = new Dictionary<string, object?> { ["input"] = "pizza near me", ["results"] = 5L, ["session_token"] = "a1b2c3" },
        };
        _nanos = NanoUsd.FromDollars(_operation.Cost);
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    /// <summary>The whole commit body: operation document with its Values, exists=false, the monthly summary's 14 transforms.</summary>
    [Benchmark]
    public int OperationCommitBody() => _store.OperationCommitBody(_operation, _nanos, "0123456789abcdef0123456789abcdef").Length;

    /// <summary>A write token (was Guid.NewGuid().ToString("N")).</summary>
    [Benchmark]
    public string WriteToken() => WriteTokens.New();

    /// <summary>What the write token cost before.</summary>
    [Benchmark]
    public string GuidToken() => Guid.NewGuid().ToString("N");
}
