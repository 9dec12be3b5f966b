using System.Text.Json;
using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;

namespace CostTracking.Firestore.Tests;

/// <summary>Every query the store runs is served in production by an index that ships in firestore.indexes.json.</summary>
public sealed partial class FirestoreUsageStoreTests
{
    [Test]
    public async Task Queries_EveryShape_NeedOnlyIndexesDeclaredInFirestoreIndexesJson()
    {
        // A project of its own, so the emulator's report holds exactly these queries.
        var projectId = FirestoreEmulator.NewProjectId();
        var store = NewStore(configure: o => o.ProjectId = projectId);
        using var http = new HttpClient();
        var raw = new RawFirestore(http, FirestoreEmulator.Host, projectId);
        var user = NewId("user");
        for (var i = 0; i < 3; i++)
        {
            await store.CreateSessionAsync(user, $"s-{i}", "maps", BaseTime.AddSeconds(i));
            await store.RecordSessionStepAsync(Step(user, $"s-{i}", "step-1"));
            await store.RecordOperationAsync(Operation(user, $"op-{i}", type: UsageType.ApiUsage, at: BaseTime.AddSeconds(i)));
            await store.RecordOperationAsync(Operation(user, $"op-{i}", type: UsageType.AIUsage, at: BaseTime.AddSeconds(i)));
        }

        await store.CloseSessionAsync(user, "s-0", SessionStatus.Completed, BaseTime.AddMinutes(1));

        // Every listing shape, first page and a cursor page.
        foreach (var query in new[]
        {
            new SessionQuery { PageSize = 1 },
            new SessionQuery { PageSize = 1, Status = SessionStatus.InProgress },
            new SessionQuery { PageSize = 1, Feature = "maps" },
            new SessionQuery { PageSize = 1, Status = SessionStatus.InProgress, Feature = "maps" },
        })
        {
            var first = await store.ListSessionsAsync(user, query);
            first.ContinuationToken.Should().NotBeNull();
            await store.ListSessionsAsync(user, query with { ContinuationToken = first.ContinuationToken });
        }

        foreach (var type in new[] { UsageType.ApiUsage, UsageType.AIUsage })
        {
            var first = await store.ListOperationsAsync(user, type, new OperationQuery { PageSize = 1 });
            await store.ListOperationsAsync(user, type, new OperationQuery { PageSize = 1, ContinuationToken = first.ContinuationToken });
        }

        await store.GetSessionAsync(user, "s-1");
        await store.GetMonthlySummaryAsync(user, UsageType.ApiUsage, BaseMonth);
        await RunLifecycleQueriesAsync(store, user);

        var used = (await raw.IndexUsageAsync()).GetProperty("reports").EnumerateArray()
            .Select(r => IndexKey(r.GetProperty("index"), implyName: true))
            .ToHashSet(StringComparer.Ordinal);
        var (declared, overridden) = DeclaredIndexes();

        used.Should().NotBeEmpty("the filtered session listings and the cross-user queries need indexes");
        foreach (var key in used)
        {
            // A one-field index of a collection is automatic unless the file overrides that field; every other one must be declared.
            var automatic = key.Contains("/COLLECTION: ", StringComparison.Ordinal) && !key.Contains(", ", StringComparison.Ordinal)
                && !overridden.Contains(key[..key.IndexOf('/', StringComparison.Ordinal)] + "." + key[(key.IndexOf(": ", StringComparison.Ordinal) + 2)..key.LastIndexOf(' ')]);
            if (!automatic)
            {
                declared.Should().Contain(key, "the query needing {0} must be served by an index that ships in firestore.indexes.json", key);
            }
        }

        // And nothing declared is dead weight (every index makes every write dearer): each composite index and each
        // collection-group field index serves one of the shapes above.
        declared.Where(key => key.Contains(", ", StringComparison.Ordinal) || key.Contains("/COLLECTION_GROUP: ", StringComparison.Ordinal))
            .Should().BeSubsetOf(used, "every composite and collection-group index in firestore.indexes.json must be needed by a query the store runs");
    }

    /// <summary>Every query shape of the lifecycle interfaces: idle listing (paged through both of its queries), retention of sessions and operations, aggregations and session reads for one user and for everyone, with and without a feature.</summary>
    private static async Task RunLifecycleQueriesAsync(FirestoreUsageStore store, string user)
    {
        var first = await store.ListIdleSessionsAsync(BaseTime.AddHours(1), 1, null);
        first.ContinuationToken.Should().NotBeNull("two of the sessions are idle");

        // Paged to the end: through this store's sessions, then the query for the seed's sessions (without lastUpdatedMicros).
        var token = first.ContinuationToken;
        while (token is not null)
        {
            token = (await store.ListIdleSessionsAsync(BaseTime.AddHours(1), 1, token)).ContinuationToken;
        }
        foreach (var userId in new[] { user, null })
        {
            foreach (var feature in new[] { null, "maps" })
            {
                var range = new SessionRange(userId, BaseTime.AddDays(-1), BaseTime.AddDays(1), feature);
                (await store.AggregateSessionsAsync(range))[SessionStatus.Completed].Count.Should().Be(1, "s-0 is completed");
                await foreach (var session in store.ReadSessionsAsync(range))
                {
                    session.Steps.Should().NotBeNull();
                }
            }
        }

        (await store.DeleteSessionsCreatedBeforeAsync(BaseTime.AddDays(-1), 10)).Should().Be(0);
        (await store.DeleteOperationsRecordedBeforeAsync(BaseTime.AddDays(-1), 10)).Should().Be(0);
        await store.AbandonIfIdleAsync(new SessionKey(user, "s-2"), BaseTime.AddHours(1), BaseTime.AddHours(1));
        (await store.DeleteSessionsCreatedBeforeAsync(BaseTime.AddSeconds(1), 1)).Should().Be(1, "s-0 goes, with its steps (a keys-only query under the session)");
    }

    /// <summary>The indexes firestore.indexes.json declares (composite indexes and the ordered indexes of field overrides, as keys like the report's), and the <c>group.field</c> pairs it overrides.</summary>
    private static (HashSet<string> Declared, HashSet<string> Overridden) DeclaredIndexes()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "firestore.indexes.json")));
        var declared = file.RootElement.GetProperty("indexes").EnumerateArray().Select(i => IndexKey(i, implyName: false)).ToHashSet(StringComparer.Ordinal);
        var overridden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fieldOverride in file.RootElement.GetProperty("fieldOverrides").EnumerateArray())
        {
            var group = fieldOverride.GetProperty("collectionGroup").GetString();
            var field = fieldOverride.GetProperty("fieldPath").GetString();
            overridden.Add($"{group}.{field}");
            foreach (var index in fieldOverride.GetProperty("indexes").EnumerateArray())
            {
                if (index.TryGetProperty("order", out var order))
                {
                    declared.Add($"{group}/{index.GetProperty("queryScope").GetString()}: {field} {order.GetString()}");
                }
            }
        }

        return (declared, overridden);
    }

    /// <summary>Writes an index as <c>group/scope: field order, …</c>, with the trailing <c>__name__</c> the emulator reports dropped when it is the implied one (same direction as the last field), as firestore.indexes.json leaves it out.</summary>
    private static string IndexKey(JsonElement index, bool implyName)
    {
        var group = index.TryGetProperty("collectionGroup", out var g) ? g.GetString()! : index.GetProperty("name").GetString()!.Split('/')[^3];
        var scope = index.GetProperty("queryScope").GetString();
        var fields = index.GetProperty("fields").EnumerateArray().Select(f => (Path: f.GetProperty("fieldPath").GetString()!, Order: f.GetProperty("order").GetString()!)).ToList();
        if (implyName && fields.Count > 1 && fields[^1].Path == "__name__" && fields[^1].Order == fields[^2].Order)
        {
            fields.RemoveAt(fields.Count - 1);
        }

        return $"{group}/{scope}: " + string.Join(", ", fields.Select(f => $"{f.Path} {f.Order}"));
    }
}
