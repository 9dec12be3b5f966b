using System.Collections.Concurrent;
using L = CostTracking.Firestore.Internal.FirestoreLayout;

namespace CostTracking.Firestore.Internal;

/// <summary>The field paths of one monthly breakdown entry (<c>featureBreakdown.`name`.costNanos</c> and the like), built once per name instead of once per record.</summary>
internal sealed class BreakdownPaths
{
    // Names are few in practice; the caches are capped so that a flood of distinct names cannot grow them without bound.
    private const int CacheLimit = 4096;
    private static readonly ConcurrentDictionary<string, BreakdownPaths> ByPrefix = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> FeaturePrefixes = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> ProviderPrefixes = new(StringComparer.Ordinal);
    private static readonly string[] DayPrefixes = Enumerable.Range(0, 32)
        .Select(d => FieldPath.Join(L.Summary.DayBreakdown, d.ToString("00", System.Globalization.CultureInfo.InvariantCulture)))
        .ToArray();

    private BreakdownPaths(string prefix)
    {
        CostNanos = prefix + "." + L.Summary.CostNanos;
        Cost = prefix + "." + L.Summary.Cost;
        Count = prefix + "." + L.Summary.Count;
    }

    public string CostNanos { get; }

    public string Cost { get; }

    public string Count { get; }

    /// <summary>The paths under a prefix from <see cref="FeatureKey"/>, <see cref="ProviderKey"/> or <see cref="DayKey"/>.</summary>
    public static BreakdownPaths Of(string prefix) => Cached(ByPrefix, prefix, static p => new BreakdownPaths(p));

    /// <summary><c>featureBreakdown.`feature`</c>: the entry of a feature, which also serves as its key in a batch's sums.</summary>
    public static string FeatureKey(string feature) => Cached(FeaturePrefixes, feature, static f => FieldPath.Join(L.Summary.FeatureBreakdown, f));

    /// <summary><c>providerBreakdown.`provider`</c>.</summary>
    public static string ProviderKey(string provider) => Cached(ProviderPrefixes, provider, static p => FieldPath.Join(L.Summary.ProviderBreakdown, p));

    /// <summary><c>dayBreakdown.`DD`</c> for the UTC day of an instant.</summary>
    public static string DayKey(DateTimeOffset timestamp) => DayPrefixes[timestamp.UtcDateTime.Day];

    private static T Cached<T>(ConcurrentDictionary<string, T> cache, string key, Func<string, T> create)
    {
        if (cache.TryGetValue(key, out var value))
        {
            return value;
        }

        value = create(key);
        if (cache.Count >= CacheLimit)
        {
            cache.Clear();
        }

        cache.TryAdd(key, value);
        return value;
    }
}
