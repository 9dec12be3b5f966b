using System.Text;
using System.Text.Json;
using CostTracking.Firestore.Internal;

namespace CostTracking.Firestore.Tests.Internal;

/// <summary>The REST Value encoding, without the emulator.</summary>
public sealed class FirestoreValuesTests
{
    private static string Encode(object? value) =>
        Encoding.UTF8.GetString(FirestoreRestClient.BuildBody(value, static (w, v) => FirestoreValues.Write(w, v)));

    private static object? RoundTrip(object? value)
    {
        using var json = JsonDocument.Parse(Encode(value));
        return FirestoreValues.Read(json.RootElement);
    }

    [TestCase(0L, """{"integerValue":"0"}""")]
    [TestCase(long.MaxValue, """{"integerValue":"9223372036854775807"}""")]
    [TestCase(long.MinValue, """{"integerValue":"-9223372036854775808"}""")]
    public void Write_Int64_IsAJsonString(long value, string expected) => Encode(value).Should().Be(expected);

    [Test]
    public void Write_Scalars_UseTheirValueKinds()
    {
        Encode(null).Should().Be("""{"nullValue":null}""");
        Encode(true).Should().Be("""{"booleanValue":true}""");
        Encode("x").Should().Be("""{"stringValue":"x"}""");
        Encode(42).Should().Be("""{"integerValue":"42"}""");
        Encode(1.5).Should().Be("""{"doubleValue":1.5}""");
        Encode(new byte[] { 1, 2, 3 }).Should().Be("""{"bytesValue":"AQID"}""");
        Encode(new DateTimeOffset(2024, 5, 1, 14, 34, 56, TimeSpan.FromHours(2)).AddTicks(1_234_560))
            .Should().Be("""{"timestampValue":"2024-05-01T12:34:56.123456Z"}""");
    }

    [Test]
    public void Write_NonFiniteDoubles_AreStrings()
    {
        Encode(double.NaN).Should().Be("""{"doubleValue":"NaN"}""");
        Encode(double.PositiveInfinity).Should().Be("""{"doubleValue":"Infinity"}""");
        Encode(double.NegativeInfinity).Should().Be("""{"doubleValue":"-Infinity"}""");
    }

    [Test]
    public void Write_MapsAndLists_NestWithRawKeys()
    {
        var value = new Dictionary<string, object?> { ["a.b"] = new List<object?> { 1L, null }, ["empty"] = new Dictionary<string, object?>() };

        Encode(value).Should().Be("""{"mapValue":{"fields":{"a.b":{"arrayValue":{"values":[{"integerValue":"1"},{"nullValue":null}]}},"empty":{"mapValue":{"fields":{}}}}}}""");
    }

    [Test]
    public void Write_Decimal_IsRefused() =>
        FluentActions.Invoking(() => Encode(1.5m)).Should().Throw<ArgumentException>().WithMessage("*System.Decimal*");

    [Test]
    public void Read_EveryKind_ComesBackInTheNormalizedTypes()
    {
        var value = new Dictionary<string, object?>
        {
            ["long"] = long.MinValue,
            ["double"] = 0.1,
            ["integral"] = 3.0,
            ["nan"] = double.NaN,
            ["text"] = "café ☕",
            ["flag"] = false,
            ["nothing"] = null,
            ["list"] = new List<object?> { "x", new Dictionary<string, object?> { ["k"] = 1L } },
        };

        var read = RoundTrip(value).Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Subject;

        read["long"].Should().BeOfType<long>().Which.Should().Be(long.MinValue);
        read["double"].Should().BeOfType<double>().Which.Should().Be(0.1);
        read["integral"].Should().BeOfType<double>().Which.Should().Be(3.0);
        double.IsNaN((double)read["nan"]!).Should().BeTrue();
        read["text"].Should().Be("café ☕");
        read["flag"].Should().Be(false);
        read["nothing"].Should().BeNull();
        var list = read["list"].Should().BeAssignableTo<IReadOnlyList<object?>>().Subject;
        list[1].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which["k"].Should().Be(1L);
    }

    [Test]
    public void Read_IntegerAsJsonNumberAndEmptyContainers_AreAccepted()
    {
        using var json = JsonDocument.Parse("""{"mapValue":{"fields":{"n":{"integerValue":7},"m":{"mapValue":{}},"a":{"arrayValue":{}}}}}""");

        var read = (IReadOnlyDictionary<string, object?>)FirestoreValues.Read(json.RootElement)!;

        read["n"].Should().Be(7L);
        read["m"].Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>().Which.Should().BeEmpty();
        read["a"].Should().BeAssignableTo<IReadOnlyList<object?>>().Which.Should().BeEmpty();
    }

    [TestCase("2024-05-01T12:34:56Z", 0)]
    [TestCase("2024-05-01T12:34:56.123Z", 1_230_000)]
    [TestCase("2024-05-01T12:34:56.123456Z", 1_234_560)]
    [TestCase("2024-05-01T12:34:56.123456789Z", 1_234_567)]
    [TestCase("2024-05-01t12:34:56.5z", 5_000_000)]
    public void ParseTimestamp_ZeroToNineFractionalDigits_KeepsTicks(string text, long fractionTicks)
    {
        var parsed = FirestoreValues.ParseTimestamp(text);

        parsed.Should().Be(new DateTimeOffset(2024, 5, 1, 12, 34, 56, TimeSpan.Zero).AddTicks(fractionTicks));
        parsed.Offset.Should().Be(TimeSpan.Zero);
    }

    [Test]
    public void ParseTimestamp_NumericOffset_IsNormalizedToUtc() =>
        FirestoreValues.ParseTimestamp("2024-05-01T14:34:56.25+02:00").Should().Be(new DateTimeOffset(2024, 5, 1, 12, 34, 56, 250, TimeSpan.Zero));

    [TestCase("2024-05-01T12:34:56")]
    [TestCase("2024-05-01 12:34:56Z")]
    [TestCase("2024-13-01T12:34:56Z")]
    [TestCase("2024-05-01T12:34:56.Z")]
    [TestCase("not a time")]
    public void TryParseTimestamp_NotRfc3339_IsFalse(string text) => FirestoreValues.TryParseTimestamp(text, out _).Should().BeFalse();

    [Test]
    public void FormatTimestamp_AnyOffset_IsUtcWithSixDigits()
    {
        FirestoreValues.FormatTimestamp(new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(1))).Should().Be("2025-12-31T23:30:00.000000Z");
        FirestoreValues.FormatTimestamp(DateTimeOffset.MinValue).Should().Be("0001-01-01T00:00:00.000000Z");
    }

    [Test]
    public void UnixMicroseconds_RoundTripWholeMicroseconds()
    {
        var at = new DateTimeOffset(2026, 7, 4, 23, 59, 58, TimeSpan.Zero).AddTicks(9_999_990);

        FirestoreValues.FromUnixMicroseconds(FirestoreValues.ToUnixMicroseconds(at)).Should().Be(at);
        FirestoreValues.ToUnixMicroseconds(DateTimeOffset.UnixEpoch).Should().Be(0);
    }
}
