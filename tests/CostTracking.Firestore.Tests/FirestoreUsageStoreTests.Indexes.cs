using System.Text.Json;
using CostTracking.Firestore.Tests.Support;

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

        var used = (await raw.IndexUsageAsync()).GetProperty("reports").EnumerateArray().Select(r => r.GetProperty("index")).ToList();
        var declared = DeclaredIndexes();

        used.Should().NotBeEmpty("the filtered session listings need composite indexes");
        foreach (var index in used)
        {
            var key = IndexKey(index, implyName: true);
            declared.Should().Contain(key, "the query needing {0} must be served by an index that ships in firestore.indexes.json", key);
        }
    }

    private static HashSet<string> DeclaredIndexes()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "firestore.indexes.json")));
        return file.RootElement.GetProperty("indexes").EnumerateArray().Select(i => IndexKey(i, implyName: false)).ToHashSet(StringComparer.Ordinal);
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
