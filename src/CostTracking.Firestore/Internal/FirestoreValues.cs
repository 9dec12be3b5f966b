using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace CostTracking.Firestore.Internal;

/// <summary>Writes .NET values as Firestore REST <c>Value</c> objects and reads them back, in the types a store returns.</summary>
/// <remarks>
/// int64 travels as a JSON string, doubles as numbers except NaN and ±Infinity (strings), timestamps as RFC 3339 UTC with
/// microseconds. Read back: integers are <see cref="long"/>, doubles <see cref="double"/>, maps
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to object, arrays <see cref="IReadOnlyList{T}"/> of object.
/// </remarks>
internal static class FirestoreValues
{
    private const long UnixEpochTicks = 621_355_968_000_000_000L;

    // The property names every Value repeats, encoded once instead of transcoded per write.
    private static readonly JsonEncodedText StringValue = JsonEncodedText.Encode("stringValue");
    private static readonly JsonEncodedText IntegerValue = JsonEncodedText.Encode("integerValue");
    private static readonly JsonEncodedText DoubleValue = JsonEncodedText.Encode("doubleValue");
    private static readonly JsonEncodedText BooleanValue = JsonEncodedText.Encode("booleanValue");
    private static readonly JsonEncodedText TimestampValue = JsonEncodedText.Encode("timestampValue");

    // ------------------------------------------------------------------ writing

    /// <summary>Writes a property holding a <c>Value</c> for any supported .NET value.</summary>
    public static void Write(Utf8JsonWriter writer, string propertyName, object? value)
    {
        writer.WritePropertyName(propertyName);
        Write(writer, value);
    }

    /// <summary>Writes a <c>Value</c> object for a .NET value (null, string, bool, integers, double, float, timestamps, maps, lists, bytes).</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        writer.WriteStartObject();
        switch (value)
        {
            case null:
                writer.WriteNull("nullValue");
                break;
            case string s:
                writer.WriteString(StringValue, s);
                break;
            case bool b:
                writer.WriteBoolean(BooleanValue, b);
                break;
            case long l:
                WriteInteger(writer, l);
                break;
            case int or short or sbyte or byte or ushort or uint:
                WriteInteger(writer, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case float f:
                WriteDouble(writer, f);
                break;
            case DateTimeOffset t:
                writer.WriteString("timestampValue", FormatTimestamp(t));
                break;
            case DateTime t:
                writer.WriteString("timestampValue", FormatTimestamp(new DateTimeOffset(DateTime.SpecifyKind(t, t.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : t.Kind))));
                break;
            case byte[] bytes:
                writer.WriteBase64String("bytesValue", bytes);
                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteStartObject("mapValue");
                WriteFields(writer, map);
                writer.WriteEndObject();
                break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject("mapValue");
                WriteFields(writer, map);
                writer.WriteEndObject();
                break;
            case IEnumerable list:
                writer.WriteStartObject("arrayValue");
                writer.WriteStartArray("values");
                foreach (var item in list)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"A value of type {value.GetType()} cannot be stored in Firestore.", nameof(value));
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a <c>"fields"</c> object: raw field names (never quoted) to values.</summary>
    public static void WriteFields(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> fields)
    {
        writer.WriteStartObject("fields");
        foreach (var (key, value) in fields)
        {
            Write(writer, key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a property holding an <c>integerValue</c>.</summary>
    public static void WriteInteger(Utf8JsonWriter writer, string propertyName, long value)
    {
        writer.WriteStartObject(propertyName);
        WriteInteger(writer, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes a property holding a <c>doubleValue</c>.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, string propertyName, double value)
    {
        writer.WriteStartObject(propertyName);
        WriteDouble(writer, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes a property holding a <c>stringValue</c>.</summary>
    public static void WriteString(Utf8JsonWriter writer, string propertyName, string value)
    {
        writer.WriteStartObject(propertyName);
        writer.WriteString(StringValue, value);
        writer.WriteEndObject();
    }

    /// <summary>Writes a property holding a <c>timestampValue</c>.</summary>
    public static void WriteTimestamp(Utf8JsonWriter writer, string propertyName, DateTimeOffset value)
    {
        writer.WriteStartObject(propertyName);
        Span<char> text = stackalloc char[40];
        writer.WriteString(TimestampValue, value.UtcDateTime.TryFormat(text, out var written, TimestampFormat, CultureInfo.InvariantCulture) ? text[..written] : FormatTimestamp(value));
        writer.WriteEndObject();
    }

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Writes a property holding a <c>booleanValue</c>.</summary>
    public static void WriteBoolean(Utf8JsonWriter writer, string propertyName, bool value)
    {
        writer.WriteStartObject(propertyName);
        writer.WriteBoolean(BooleanValue, value);
        writer.WriteEndObject();
    }

    private static void WriteInteger(Utf8JsonWriter writer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        writer.WriteString(IntegerValue, digits[..written]);
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsNaN(value))
        {
            writer.WriteString("doubleValue", "NaN");
        }
        else if (double.IsPositiveInfinity(value))
        {
            writer.WriteString("doubleValue", "Infinity");
        }
        else if (double.IsNegativeInfinity(value))
        {
            writer.WriteString("doubleValue", "-Infinity");
        }
        else
        {
            writer.WriteNumber(DoubleValue, value);
        }
    }

    // ------------------------------------------------------------------ timestamps

    /// <summary>Formats an instant as RFC 3339 in UTC with six fractional digits (Firestore keeps microseconds).</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses an RFC 3339 timestamp with 0 to 9 fractional digits and a <c>Z</c> or numeric offset; returns it in UTC.</summary>
    public static DateTimeOffset ParseTimestamp(string text) =>
        TryParseTimestamp(text, out var value) ? value : throw new FormatException($"'{text}' is not an RFC 3339 timestamp.");

    /// <inheritdoc cref="ParseTimestamp"/>
    public static bool TryParseTimestamp(string? text, out DateTimeOffset value)
    {
        value = default;
        // yyyy-MM-ddTHH:mm:ss is 19 characters, then an optional fraction, then Z or ±hh:mm.
        if (text is null || text.Length < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var start = i;
            var scale = 1_000_000L;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                // Ticks are 100 ns: the first seven digits count, finer ones are dropped.
                if (i - start < 7)
                {
                    fractionTicks += (text[i] - '0') * scale;
                    scale /= 10;
                }

                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        TimeSpan offset;
        if (i == text.Length - 1 && (text[i] == 'Z' || text[i] == 'z'))
        {
            offset = TimeSpan.Zero;
        }
        else if (i == text.Length - 6 && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':'
            && TryDigits(text, i + 1, 2, out var offsetHours) && TryDigits(text, i + 4, 2, out var offsetMinutes))
        {
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (text[i] == '-')
            {
                offset = -offset;
            }
        }
        else
        {
            return false;
        }

        try
        {
            var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
            value = new DateTimeOffset(local, offset).ToUniversalTime();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Microseconds since the Unix epoch, the exact integer form of an instant kept beside a timestamp.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset value) => (value.UtcTicks - UnixEpochTicks) / 10;

    /// <summary>The instant a number of microseconds after the Unix epoch, in UTC.</summary>
    public static DateTimeOffset FromUnixMicroseconds(long micros) => new(UnixEpochTicks + (micros * 10), TimeSpan.Zero);

    private static bool TryDigits(string text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }

    // ------------------------------------------------------------------ reading

    /// <summary>Reads a <c>"fields"</c> object into a dictionary; an absent object reads as empty.</summary>
    public static Dictionary<string, object?> ReadFields(JsonElement mapOrDocument)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (mapOrDocument.ValueKind == JsonValueKind.Object && mapOrDocument.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in fields.EnumerateObject())
            {
                result[field.Name] = Read(field.Value);
            }
        }

        return result;
    }

    /// <summary>Reads one <c>Value</c> object.</summary>
    public static object? Read(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"A Firestore value must be a JSON object, not {value.ValueKind}.");
        }

        foreach (var kind in value.EnumerateObject())
        {
            var v = kind.Value;
            switch (kind.Name)
            {
                case "nullValue":
                    return null;
                case "stringValue":
                    return v.GetString();
                case "booleanValue":
                    return v.GetBoolean();
                case "integerValue":
                    return v.ValueKind == JsonValueKind.String
                        ? long.Parse(v.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
                        : v.GetInt64();
                case "doubleValue":
                    return ReadDouble(v);
                case "timestampValue":
                    return ParseTimestamp(v.GetString()!);
                case "mapValue":
                    return ReadFields(v);
                case "arrayValue":
                    var list = new List<object?>();
                    if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("values", out var values))
                    {
                        foreach (var item in values.EnumerateArray())
                        {
                            list.Add(Read(item));
                        }
                    }

                    return list;
                case "bytesValue":
                    return v.GetBytesFromBase64();
                case "referenceValue":
                    return v.GetString();
                case "geoPointValue":
                    return new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["latitude"] = v.TryGetProperty("latitude", out var lat) ? ReadDouble(lat) : 0d,
                        ["longitude"] = v.TryGetProperty("longitude", out var lng) ? ReadDouble(lng) : 0d,
                    };
                default:
                    continue;
            }
        }

        throw new FormatException("A Firestore value has no known kind.");
    }

    private static double ReadDouble(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.GetDouble();
        }

        return v.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }
}
