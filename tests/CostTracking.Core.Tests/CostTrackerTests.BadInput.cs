using System.Collections;
using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Tests;

/// <summary>Bad input: each is rejected with an exception naming the parameter and the value, and nothing reaches the store.</summary>
public sealed partial class CostTrackerTests
{
    private static readonly string[] Places = ["standalone", "session"];

    public static IEnumerable<TestCaseData> BadIds()
    {
        foreach (var place in Places)
        {
            yield return Case(null, "null", place);
            yield return Case("", "empty", place);
            yield return Case(" ", "space", place);
            yield return Case("\t\n", "whitespace", place);
            yield return Case("a/b", "slash", place);
            yield return Case("/", "lone slash", place);
            yield return Case(".", "dot", place);
            yield return Case("..", "dot dot", place);
            yield return Case("__x__", "reserved __x__", place);
            yield return Case("____", "reserved ____", place);
            yield return Case("a\u0000b", "control character", place);
            yield return Case(new string('a', 1501), "1501 ASCII bytes", place);
            yield return Case(new string('é', 751), "1502 UTF-8 bytes in 751 chars", place);
            yield return Case(string.Concat(Enumerable.Repeat("😀", 376)), "1504 UTF-8 bytes of emoji", place);

            // Not valid UTF-8: a database would store U+FFFD instead, so "a\uD800" and "a\uD801" would become one id.
            yield return Case("a\uD800", "lone high surrogate", place);
            yield return Case("\uDC00b", "lone low surrogate", place);
            yield return Case("a\uDE00\uD83D", "surrogates in the wrong order", place);
        }

        static TestCaseData Case(string? id, string name, string place) => new TestCaseData(id, place).SetArgDisplayNames(name, place);
    }

    public static IEnumerable<TestCaseData> GoodIds()
    {
        foreach (var place in Places)
        {
            yield return new TestCaseData(new string('a', 1500), place).SetArgDisplayNames("1500 ASCII bytes", place);
            yield return new TestCaseData(new string('é', 750), place).SetArgDisplayNames("1500 UTF-8 bytes", place);
            yield return new TestCaseData("...", place).SetArgDisplayNames("three dots", place);
            yield return new TestCaseData("a.b", place).SetArgDisplayNames("dotted", place);
            yield return new TestCaseData("__x", place).SetArgDisplayNames("leading __ only", place);
            yield return new TestCaseData("_x_", place).SetArgDisplayNames("single underscores", place);
            yield return new TestCaseData("café ☕ 1", place).SetArgDisplayNames("unicode and space", place);
            yield return new TestCaseData("🍕-user", place).SetArgDisplayNames("surrogate pair", place);
            yield return new TestCaseData(string.Concat(Enumerable.Repeat("😀", 375)), place).SetArgDisplayNames("1500 UTF-8 bytes of emoji", place);
        }
    }

    [TestCaseSource(nameof(BadIds))]
    public async Task RecordUsageAsync_BadUserId_ThrowsNamingItAndWritesNothing(string? id, string place)
    {
        var record = new UsageRecord
        {
            UserId = id!,
            UsageType = UsageType.ApiUsage,
            Feature = "google_maps_autocomplete",
            Provider = "google_maps",
            Cost = 0.00283m,
            SessionId = place == "session" ? "s-1" : null,
        };

        await AssertRejectedAsync(() => Tracker.RecordUsageAsync(record).AsTask(), "record.UserId", id);
    }

    [TestCaseSource(nameof(BadIds))]
    public async Task RecordUsageAsync_BadOperationId_ThrowsNamingItAndWritesNothing(string? id, string place)
    {
        if (id is null)
        {
            // A null operation id is not bad: it asks for a generated one.
            var result = await Tracker.RecordUsageAsync(Record(operationId: null, sessionId: place == "session" ? "s-1" : null));
            result.IsRecorded.Should().BeTrue();
            return;
        }

        var record = Record(operationId: id, sessionId: place == "session" ? "s-1" : null);

        await AssertRejectedAsync(() => Tracker.RecordUsageAsync(record).AsTask(), "record.OperationId", id);
        await AssertNothingStoredAsync();
    }

    [TestCaseSource(nameof(BadIds))]
    public async Task RecordUsageAsync_BadSessionId_ThrowsNamingItAndWritesNothing(string? id, string place)
    {
        if (id is null)
        {
            // A null session id is not bad: it makes a standalone operation.
            (await Tracker.RecordUsageAsync(Record(sessionId: null))).IsRecorded.Should().BeTrue();
            return;
        }

        _ = place;
        var record = Record(sessionId: id);

        await AssertRejectedAsync(() => Tracker.RecordUsageAsync(record).AsTask(), "record.SessionId", id);
        await AssertNothingStoredAsync();
    }

    [TestCaseSource(nameof(GoodIds))]
    public async Task RecordUsageAsync_IdsAtTheLimits_AreAccepted(string id, string place)
    {
        var sessionId = place == "session" ? id : null;

        var result = await _harness.Tracker.RecordUsageAsync(Record(userId: id, operationId: id, sessionId: sessionId));

        result.Should().Be(new RecordUsageResult(id, RecordOutcome.Recorded));
        var summary = await Tracker.GetMonthlySummaryAsync(id, UsageType.ApiUsage, _harness.CurrentMonth());
        summary.OperationCount.Should().Be(1);
        if (sessionId is not null)
        {
            (await Tracker.GetSessionAsync(id, sessionId))!.Steps.Single().OperationId.Should().Be(id);
        }
    }

    [Test]
    public async Task RecordUsageAsync_NullRecord_ThrowsArgumentNull()
    {
        var act = async () => await Tracker.RecordUsageAsync(null!);

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("record");
        _harness.Store.WriteCalls.Should().Be(0);
    }

    [TestCase(-0.01, "standalone")]
    [TestCase(-0.000000001, "standalone")]
    [TestCase(-0.01, "session")]
    public async Task RecordUsageAsync_NegativeCost_ThrowsNamingItAndWritesNothing(double cost, string place)
    {
        var value = (decimal)cost;
        var record = Record(cost: value, sessionId: place == "session" ? "s-1" : null);

        var thrown = await AssertRejectedAsync<ArgumentOutOfRangeException>(() => Tracker.RecordUsageAsync(record).AsTask(), "record.Cost");

        thrown.ActualValue.Should().Be(value);
        thrown.Message.Should().Contain("negative");
        await AssertNothingStoredAsync();
    }

    [TestCase("standalone")]
    [TestCase("session")]
    public async Task RecordUsageAsync_CostOverTheDefaultMaximum_ThrowsNamingTheOptionAndWritesNothing(string place)
    {
        var record = Record(cost: 10_000.000000001m, sessionId: place == "session" ? "s-1" : null);

        var thrown = await AssertRejectedAsync<ArgumentOutOfRangeException>(() => Tracker.RecordUsageAsync(record).AsTask(), "record.Cost");

        thrown.Message.Should().Contain("10000.000000001").And.Contain("MaxCostPerRecord");
        await AssertNothingStoredAsync();
    }

    [Test]
    public async Task RecordUsageAsync_CostAtTheMaximum_IsAccepted()
    {
        (await Tracker.RecordUsageAsync(Record(cost: 10_000m))).IsRecorded.Should().BeTrue();
        (await Tracker.RecordUsageAsync(Record(cost: 0m))).IsRecorded.Should().BeTrue();

        (await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, _harness.CurrentMonth())).TotalCost.Should().Be(10_000m);
    }

    [Test]
    public async Task RecordUsageAsync_CostOverAConfiguredMaximum_ThrowsAndWritesNothing()
    {
        using var harness = CostTrackingHarness.Create(o => o.MaxCostPerRecord = 5m);
        (await harness.Tracker.RecordUsageAsync(Record(cost: 5m))).IsRecorded.Should().BeTrue();
        var writes = harness.Store.WriteCalls;

        var act = async () => await harness.Tracker.RecordUsageAsync(Record(cost: 5.01m));
        var thrown = await act.Should().ThrowAsync<ArgumentOutOfRangeException>();

        thrown.Which.ParamName.Should().Be("record.Cost");
        thrown.Which.Message.Should().Contain("5.01").And.Contain("MaxCostPerRecord");
        harness.Store.WriteCalls.Should().Be(writes);
        var act2 = async () => await harness.Tracker.RecordUsageAsync(Record(cost: decimal.MaxValue));
        await act2.Should().ThrowAsync<ArgumentOutOfRangeException>();
        (await harness.Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, harness.CurrentMonth())).TotalCost.Should().Be(5m);
    }

    [TestCase(42, "standalone")]
    [TestCase(-1, "standalone")]
    [TestCase(2, "session")]
    public async Task RecordUsageAsync_UndefinedUsageType_ThrowsNamingItAndWritesNothing(int value, string place)
    {
        var record = Record(type: (UsageType)value, sessionId: place == "session" ? "s-1" : null);

        var thrown = await AssertRejectedAsync<ArgumentOutOfRangeException>(() => Tracker.RecordUsageAsync(record).AsTask(), "record.UsageType");

        thrown.Message.Should().Contain(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AssertNothingStoredAsync();
    }

    public static IEnumerable<TestCaseData> BadNames()
    {
        foreach (var place in Places)
        {
            yield return new TestCaseData(null, place).SetArgDisplayNames("null", place);
            yield return new TestCaseData("", place).SetArgDisplayNames("empty", place);
            yield return new TestCaseData("   ", place).SetArgDisplayNames("white space", place);
            yield return new TestCaseData(new string('f', 257), place).SetArgDisplayNames("257 chars", place);
            yield return new TestCaseData("__name__", place).SetArgDisplayNames("reserved", place);
            yield return new TestCaseData("a\rb", place).SetArgDisplayNames("control character", place);
        }
    }

    [TestCaseSource(nameof(BadNames))]
    public async Task RecordUsageAsync_BadFeature_ThrowsNamingItAndWritesNothing(string? feature, string place)
    {
        var record = Record(feature: feature!, sessionId: place == "session" ? "s-1" : null);

        await AssertRejectedAsync(() => Tracker.RecordUsageAsync(record).AsTask(), "record.Feature", feature);
        await AssertNothingStoredAsync();
    }

    [TestCaseSource(nameof(BadNames))]
    public async Task RecordUsageAsync_BadProvider_ThrowsNamingItAndWritesNothing(string? provider, string place)
    {
        var record = Record(provider: provider!, sessionId: place == "session" ? "s-1" : null);

        await AssertRejectedAsync(() => Tracker.RecordUsageAsync(record).AsTask(), "record.Provider", provider);
        await AssertNothingStoredAsync();
    }

    [Test]
    public async Task RecordUsageAsync_NamesOf256Characters_AreAccepted()
    {
        var name = new string('n', 256);

        (await Tracker.RecordUsageAsync(Record(feature: name, provider: name))).IsRecorded.Should().BeTrue();
    }

    public static IEnumerable<TestCaseData> BadMetadata()
    {
        IEnumerable<(string Name, Dictionary<string, object?> Metadata, string Mentions)> Cases()
        {
            yield return ("decimal", new() { ["amount"] = 1.5m }, "amount");
            yield return ("DateTime", new() { ["when"] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) }, "when");
            yield return ("DateTimeOffset", new() { ["when"] = DateTimeOffset.UnixEpoch }, "when");
            yield return ("Guid", new() { ["id"] = Guid.Empty }, "id");
            yield return ("TimeSpan", new() { ["took"] = TimeSpan.FromSeconds(1) }, "took");
            yield return ("char", new() { ["letter"] = 'x' }, "letter");
            yield return ("plain object", new() { ["thing"] = new object() }, "thing");
            yield return ("ulong over long", new() { ["huge"] = ulong.MaxValue }, "huge");
            yield return ("list in list", new() { ["matrix"] = new List<object?> { new List<object?> { 1L } } }, "matrix[0]");
            yield return ("array in array", new() { ["matrix"] = new object[] { 1, new[] { 2, 3 } } }, "matrix[1]");
            yield return ("decimal in a nested map", new() { ["outer"] = new Dictionary<string, object?> { ["price"] = 2m } }, "outer.price");
            yield return ("int keys", new() { ["map"] = new Dictionary<int, string> { [1] = "one" } }, "map");
            yield return ("object keys", new() { ["map"] = new Hashtable { [new object()] = "x" } }, "map");
            yield return ("empty key", new() { [""] = "x" }, "empty");
            yield return ("empty nested key", new() { ["outer"] = new Dictionary<string, object?> { [""] = 1 } }, "outer");
            yield return ("reserved key", new() { ["__name__"] = "x" }, "__name__");
            yield return ("nine levels", Nested(9), "Metadata nests deeper");
            yield return ("list at the ninth level", NestedWithList(8), "Metadata nests deeper");
            yield return ("over 16 KiB", new() { ["text"] = new string('x', 17_000) }, "MaxMetadataBytes");
            yield return ("over 16 KiB in many keys", Enumerable.Range(0, 2_000).ToDictionary(i => $"key-{i}", i => (object?)i), "MaxMetadataBytes");
            yield return ("over 16 KiB in a list", new() { ["list"] = Enumerable.Range(0, 2_000).Select(i => (object?)"abcdefghij").ToList() }, "MaxMetadataBytes");
        }

        foreach (var (name, metadata, mentions) in Cases())
        {
            foreach (var place in Places)
            {
                yield return new TestCaseData(metadata, mentions, place).SetArgDisplayNames(name, place);
            }
        }
    }

    [TestCaseSource(nameof(BadMetadata))]
    public async Task RecordUsageAsync_BadMetadata_ThrowsNamingTheProblemAndWritesNothing(Dictionary<string, object?> metadata, string mentions, string place)
    {
        var record = Record(metadata: metadata, sessionId: place == "session" ? "s-1" : null);

        var act = async () => await Tracker.RecordUsageAsync(record);

        var thrown = await act.Should().ThrowAsync<ArgumentException>();
        thrown.Which.ParamName.Should().Be("record.Metadata");
        thrown.Which.Message.Should().Contain(mentions);
        _harness.Store.WriteCalls.Should().Be(0);
        await AssertNothingStoredAsync();
    }

    [Test]
    public async Task RecordUsageAsync_MetadataEightLevelsDeep_IsAccepted()
    {
        (await Tracker.RecordUsageAsync(Record(metadata: Nested(8)))).IsRecorded.Should().BeTrue();
        (await Tracker.RecordUsageAsync(Record(metadata: NestedWithList(7)))).IsRecorded.Should().BeTrue();
    }

    [Test]
    public async Task RecordUsageAsync_MetadataJustUnderAConfiguredLimit_IsAcceptedAndJustOverIsRejected()
    {
        using var harness = CostTrackingHarness.Create(o => o.MaxMetadataBytes = 64);
        var small = new Dictionary<string, object?> { ["q"] = new string('x', 40) };
        var large = new Dictionary<string, object?> { ["q"] = new string('x', 80) };

        (await harness.Tracker.RecordUsageAsync(Record(metadata: small))).IsRecorded.Should().BeTrue();
        var writes = harness.Store.WriteCalls;
        var act = async () => await harness.Tracker.RecordUsageAsync(Record(metadata: large));

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("64").And.Contain("MaxMetadataBytes");
        harness.Store.WriteCalls.Should().Be(writes);
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(SessionQuery.MaxPageSize + 1)]
    public async Task GetOperationsAsync_BadPageSize_ThrowsNamingIt(int pageSize)
    {
        var act = async () => await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage, new OperationQuery { PageSize = pageSize });

        var thrown = await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
        thrown.Which.ParamName.Should().Be("query.PageSize");
        thrown.Which.ActualValue.Should().Be(pageSize);
        _harness.Store.ReadCalls.Should().Be(0);
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(SessionQuery.MaxPageSize + 1)]
    public async Task GetUserSessionsAsync_BadPageSize_ThrowsNamingIt(int pageSize)
    {
        var act = async () => await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { PageSize = pageSize });

        var thrown = await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
        thrown.Which.ParamName.Should().Be("query.PageSize");
        thrown.Which.ActualValue.Should().Be(pageSize);
        _harness.Store.ReadCalls.Should().Be(0);
    }

    [TestCase(1)]
    [TestCase(SessionQuery.MaxPageSize)]
    public async Task GetListings_PageSizesAtTheLimits_AreAccepted(int pageSize)
    {
        await Tracker.RecordUsageAsync(Record());
        await Tracker.RecordUsageAsync(Record(sessionId: "s-1"));

        (await Tracker.GetOperationsAsync(_userId, UsageType.ApiUsage, new OperationQuery { PageSize = pageSize })).Items.Should().ContainSingle();
        (await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { PageSize = pageSize })).Items.Should().ContainSingle();
    }

    [Test]
    public async Task GetUserSessionsAsync_UndefinedStatusOrBadFeatureFilter_ThrowsNamingIt()
    {
        var badStatus = async () => await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { Status = (SessionStatus)7 });
        var badFeature = async () => await Tracker.GetUserSessionsAsync(_userId, new SessionQuery { Feature = " " });

        (await badStatus.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("query.Status");
        (await badFeature.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("query.Feature");
    }

    [Test]
    public async Task GetMonthlySummaryAsync_UndefinedUsageTypeOrUnsetMonth_ThrowsNamingIt()
    {
        var badType = async () => await Tracker.GetMonthlySummaryAsync(_userId, (UsageType)5, _harness.CurrentMonth());
        var unsetMonth = async () => await Tracker.GetMonthlySummaryAsync(_userId, UsageType.ApiUsage, default);

        (await badType.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("usageType");
        (await unsetMonth.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("month");
    }

    [TestCaseSource(nameof(BadIds))]
    public async Task Reads_BadUserId_ThrowNamingIt(string? id, string place)
    {
        _ = place;
        var month = _harness.CurrentMonth();

        await AssertRejectedAsync(() => Tracker.GetMonthlySummaryAsync(id!, UsageType.ApiUsage, month), "userId", id);
        await AssertRejectedAsync(() => Tracker.GetOperationsAsync(id!, UsageType.ApiUsage), "userId", id);
        await AssertRejectedAsync(() => Tracker.GetUserSessionsAsync(id!), "userId", id);
        await AssertRejectedAsync(() => Tracker.GetSessionAsync(id!, "s-1"), "userId", id);
        _harness.Store.ReadCalls.Should().Be(0);
    }

    [TestCaseSource(nameof(BadIds))]
    public async Task SessionCalls_BadSessionId_ThrowNamingIt(string? id, string place)
    {
        _ = place;

        await AssertRejectedAsync(() => Tracker.GetSessionAsync(_userId, id!), "sessionId", id);
        await AssertRejectedAsync(() => Tracker.FinalizeSessionAsync(_userId, id!), "sessionId", id);
        _harness.Store.ReadCalls.Should().Be(0);
    }

    private async Task<ArgumentException> AssertRejectedAsync(Func<Task> call, string paramName, string? badValue)
    {
        var thrown = await AssertRejectedAsync<ArgumentException>(call, paramName);
        if (badValue is null)
        {
            thrown.Should().BeOfType<ArgumentNullException>();
        }
        else if (!string.IsNullOrWhiteSpace(badValue))
        {
            // The message quotes the value (shortened when long) so a log line shows what was wrong.
            thrown.Message.Should().Contain("'" + badValue[..Math.Min(badValue.Length, 40)]);
        }

        return thrown;
    }

    private async Task<TException> AssertRejectedAsync<TException>(Func<Task> call, string paramName)
        where TException : ArgumentException
    {
        var thrown = (await call.Should().ThrowAsync<TException>()).Which;
        thrown.ParamName.Should().Be(paramName);
        thrown.Message.Should().Contain(paramName);
        _harness.Store.WriteCalls.Should().Be(0, "rejected input must not reach the store");
        return thrown;
    }

    private static Dictionary<string, object?> Nested(int levels)
    {
        var map = new Dictionary<string, object?> { ["leaf"] = 1L };
        for (var i = 1; i < levels; i++)
        {
            map = new Dictionary<string, object?> { ["level"] = map };
        }

        return map;
    }

    /// <summary>Maps nested <paramref name="mapLevels"/> deep whose innermost holds a list (one level more).</summary>
    private static Dictionary<string, object?> NestedWithList(int mapLevels)
    {
        var map = new Dictionary<string, object?> { ["list"] = new List<object?> { 1L } };
        for (var i = 1; i < mapLevels; i++)
        {
            map = new Dictionary<string, object?> { ["level"] = map };
        }

        return map;
    }
}
