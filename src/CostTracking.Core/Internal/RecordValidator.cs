using System.Buffers;
using System.Text;
using CostTracking.Storage;

namespace CostTracking.Internal;

/// <summary>Checks what callers pass in and brings it to the one form stores see: exact money, microsecond UTC time, normalized metadata.</summary>
internal static class RecordValidator
{
    // Throws on a lone surrogate: such text has no UTF-8 form, and a database would store U+FFFD instead, merging two names.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Printable ASCII: no control character, no surrogate; the names nearly everyone uses, checked in one vectorized pass.
    private static readonly SearchValues<char> PrintableAscii = SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    public static void ValidateName(string? value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length is > 0 and <= CostTrackingDefaults.MaxNameLength
            && !value.AsSpan().ContainsAnyExcept(PrintableAscii)
            && value.AsSpan().ContainsAnyExcept(' ')
            && !(value.Length >= 4 && value.StartsWith("__", StringComparison.Ordinal) && value.EndsWith("__", StringComparison.Ordinal)))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("A feature or provider name must not be empty or white space.", paramName);
        }

        if (value.Length > CostTrackingDefaults.MaxNameLength)
        {
            throw new ArgumentException($"A feature or provider name must be at most {CostTrackingDefaults.MaxNameLength} characters (value: '{UsageIds.Shorten(value)}').", paramName);
        }

        if (value.Length >= 4 && value.StartsWith("__", StringComparison.Ordinal) && value.EndsWith("__", StringComparison.Ordinal))
        {
            throw new ArgumentException($"A feature or provider name must not start and end with '__' (value: '{value}').", paramName);
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"A feature or provider name must not contain control characters (value: '{UsageIds.Shorten(value)}').", paramName);
            }
        }

        Utf8Length(value, paramName, "A feature or provider name");
    }

    public static void ValidateUsageType(UsageType usageType, string paramName)
    {
        if (usageType is not (UsageType.ApiUsage or UsageType.AIUsage))
        {
            throw new ArgumentOutOfRangeException(paramName, usageType, $"'{usageType}' is not a defined {nameof(UsageType)}.");
        }
    }

    public static decimal ValidateCost(decimal cost, decimal maxCost, string paramName)
    {
        if (cost < 0m)
        {
            throw new ArgumentOutOfRangeException(paramName, cost, $"A cost must not be negative (value: {cost}).");
        }

        if (cost > maxCost)
        {
            throw new ArgumentOutOfRangeException(paramName, cost, $"A cost of {cost} USD is over the limit of {maxCost} USD per record ({nameof(CostTrackingOptions)}.{nameof(CostTrackingOptions.MaxCostPerRecord)}).");
        }

        // Nine decimals or fewer is already a whole number of nano-dollars.
        return cost.Scale <= 9 ? cost : NanoUsd.Round(cost);
    }

    public static SessionStatus ValidateFinalStatus(SessionStatus status, string paramName) =>
        status is SessionStatus.Completed or SessionStatus.Abandoned
            ? status
            : throw new ArgumentOutOfRangeException(paramName, status, $"A session can only be finalized as {SessionStatus.Completed} or {SessionStatus.Abandoned}, not '{status}'.");

    public static void ValidatePageSize(int pageSize, string paramName)
    {
        if (pageSize < 1 || pageSize > SessionQuery.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(paramName, pageSize, $"A page size must be 1 to {SessionQuery.MaxPageSize} (value: {pageSize}).");
        }
    }

    /// <summary>Truncates to whole microseconds in UTC: the precision every store keeps.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    public static IReadOnlyDictionary<string, object?> NormalizeMetadata(IReadOnlyDictionary<string, object?>? metadata, int maxBytes, string paramName)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return EmptyMetadata.Instance;
        }

        var size = 0;
        var result = NormalizeMap(metadata, 1, ref size, maxBytes, paramName, "");
        return result;
    }

    private static Dictionary<string, object?> NormalizeMap(IReadOnlyDictionary<string, object?> map, int depth, ref int size, int maxBytes, string paramName, string path)
    {
        if (depth > CostTrackingDefaults.MaxMetadataDepth)
        {
            throw new ArgumentException($"Metadata nests deeper than {CostTrackingDefaults.MaxMetadataDepth} levels at '{path}'.", paramName);
        }

        var result = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
        size += 2;
        foreach (var (key, value) in map)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw new ArgumentException($"Metadata keys must not be empty (at '{path}').", paramName);
            }

            if (key.Length >= 4 && key.StartsWith("__", StringComparison.Ordinal) && key.EndsWith("__", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Metadata key '{key}' must not start and end with '__' (reserved).", paramName);
            }

            var keyPath = path.Length == 0 ? key : path + "." + key;
            size += Utf8Length(key, paramName, $"Metadata key at '{keyPath}'") + 4;
            result[key] = NormalizeValue(value, depth, ref size, maxBytes, paramName, keyPath, inList: false);
            CheckSize(size, maxBytes, paramName);
        }

        return result;
    }

    private static object? NormalizeValue(object? value, int depth, ref int size, int maxBytes, string paramName, string path, bool inList)
    {
        switch (value)
        {
            case null:
                size += 4;
                return null;
            case string s:
                size += Utf8Length(s, paramName, $"Metadata value at '{path}'") + 2;
                CheckSize(size, maxBytes, paramName);
                return s;
            case bool b:
                size += 5;
                return b;
            case long l:
                size += 20;
                return l;
            case int or short or sbyte or byte or ushort or uint:
                size += 11;
                return Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            case ulong ul:
                size += 20;
                return ul <= long.MaxValue
                    ? (long)ul
                    : throw new ArgumentException($"Metadata value at '{path}' ({ul}) does not fit in a 64-bit signed integer.", paramName);
            case double d:
                size += 24;
                return d;
            case float f:
                size += 24;
                return (double)f;
            case decimal:
                throw new ArgumentException($"Metadata value at '{path}' is a decimal, which storage cannot keep exactly; pass it as a string (or a long count of the smallest unit).", paramName);
            case IReadOnlyDictionary<string, object?> map:
                return NormalizeMap(map, depth + 1, ref size, maxBytes, paramName, path);
            case IDictionary<string, object?> map:
                return NormalizeMap(new Dictionary<string, object?>(map, StringComparer.Ordinal), depth + 1, ref size, maxBytes, paramName, path);
            case System.Collections.IDictionary other:
                var copy = new Dictionary<string, object?>(other.Count, StringComparer.Ordinal);
                foreach (System.Collections.DictionaryEntry e in other)
                {
                    copy[e.Key as string ?? throw new ArgumentException($"Metadata at '{path}' has a key of type {e.Key.GetType()}; keys must be strings.", paramName)] = e.Value;
                }

                return NormalizeMap(copy, depth + 1, ref size, maxBytes, paramName, path);
            case System.Collections.IEnumerable list:
                if (inList)
                {
                    throw new ArgumentException($"Metadata value at '{path}' is a list directly inside a list, which storage does not support; wrap the inner list in a map.", paramName);
                }

                if (depth + 1 > CostTrackingDefaults.MaxMetadataDepth)
                {
                    throw new ArgumentException($"Metadata nests deeper than {CostTrackingDefaults.MaxMetadataDepth} levels at '{path}'.", paramName);
                }

                var items = new List<object?>();
                size += 2;
                var i = 0;
                foreach (var item in list)
                {
                    items.Add(NormalizeValue(item, depth + 1, ref size, maxBytes, paramName, $"{path}[{i++}]", inList: true));
                    size += 1;
                    CheckSize(size, maxBytes, paramName);
                }

                return items;
            default:
                throw new ArgumentException($"Metadata value at '{path}' has the unsupported type {value.GetType()}; use null, string, bool, an integer, double, a string-keyed dictionary or a list.", paramName);
        }
    }

    private static int Utf8Length(string text, string paramName, string what)
    {
        try
        {
            return StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{what} is not well-formed Unicode (it holds a lone surrogate).", paramName);
        }
    }

    private static void CheckSize(int size, int maxBytes, string paramName)
    {
        if (size > maxBytes)
        {
            throw new ArgumentException($"Metadata is over the limit of {maxBytes} bytes ({nameof(CostTrackingOptions)}.{nameof(CostTrackingOptions.MaxMetadataBytes)}).", paramName);
        }
    }
}
