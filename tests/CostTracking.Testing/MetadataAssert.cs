using System.Globalization;

namespace CostTracking.Testing;

/// <summary>Compares metadata by the normalized types a store must return (string, long, double, bool, null, maps, lists), not by loose equality.</summary>
public static class MetadataAssert
{
    /// <summary>Fails unless <paramref name="actual"/> holds exactly the keys, value types and values of <paramref name="expected"/>.</summary>
    /// <param name="actual">The metadata read back.</param>
    /// <param name="expected">The metadata written (already normalized).</param>
    public static void Equivalent(IReadOnlyDictionary<string, object?>? actual, IReadOnlyDictionary<string, object?> expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        actual.Should().NotBeNull("metadata is never null; no metadata reads as an empty map");
        CompareMap(actual!, expected, "metadata");
    }

    private static void CompareMap(IReadOnlyDictionary<string, object?> actual, IReadOnlyDictionary<string, object?> expected, string path)
    {
        actual.Keys.Should().BeEquivalentTo(expected.Keys, "the keys at {0} must round-trip", path);
        foreach (var (key, value) in expected)
        {
            CompareValue(actual[key], value, $"{path}[\"{key}\"]");
        }
    }

    private static void CompareValue(object? actual, object? expected, string path)
    {
        switch (expected)
        {
            case null:
                actual.Should().BeNull("{0} was null", path);
                break;
            case string s:
                actual.Should().BeOfType<string>("{0} was a string", path).Which.Should().Be(s, "{0} must round-trip", path);
                break;
            case bool b:
                actual.Should().BeOfType<bool>("{0} was a bool", path).Which.Should().Be(b, "{0} must round-trip", path);
                break;
            case long l:
                actual.Should().BeOfType<long>("{0} was a long", path).Which.Should().Be(l, "{0} must round-trip", path);
                break;
            case double d:
                var actualDouble = actual.Should().BeOfType<double>("{0} was a double (an integral double stays a double)", path).Which;
                // Bit-for-bit: 0.1 must come back as 0.1, NaN as NaN.
                BitConverter.DoubleToInt64Bits(actualDouble).Should().Be(
                    BitConverter.DoubleToInt64Bits(d),
                    "{0} must round-trip exactly ({1} expected, {2} read)",
                    path,
                    d.ToString("R", CultureInfo.InvariantCulture),
                    actualDouble.ToString("R", CultureInfo.InvariantCulture));
                break;
            case IReadOnlyDictionary<string, object?> map:
                CompareMap(actual.Should().BeAssignableTo<IReadOnlyDictionary<string, object?>>("{0} was a map", path).Which, map, path);
                break;
            case IReadOnlyList<object?> list:
                var actualList = actual.Should().BeAssignableTo<IReadOnlyList<object?>>("{0} was a list", path).Which;
                actualList.Should().HaveCount(list.Count, "the list at {0} must keep its items", path);
                for (var i = 0; i < list.Count; i++)
                {
                    CompareValue(actualList[i], list[i], $"{path}[{i}]");
                }

                break;
            default:
                throw new ArgumentException($"Expected metadata at {path} has the non-normalized type {expected.GetType()}.", nameof(expected));
        }
    }
}
