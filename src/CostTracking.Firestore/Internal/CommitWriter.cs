using System.Text.Json;

namespace CostTracking.Firestore.Internal;

/// <summary>Helpers that write the pieces of a <c>documents:commit</c> request: preconditions, masks and field transforms.</summary>
internal static class CommitWriter
{
    private static readonly JsonEncodedText FieldPath = JsonEncodedText.Encode("fieldPath");

    public static void WriteExists(Utf8JsonWriter w, bool exists)
    {
        w.WriteStartObject("currentDocument");
        w.WriteBoolean("exists", exists);
        w.WriteEndObject();
    }

    public static void WriteIncrement(Utf8JsonWriter w, string fieldPath, long by)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        FirestoreValues.WriteInteger(w, "increment", by);
        w.WriteEndObject();
    }

    public static void WriteIncrement(Utf8JsonWriter w, string fieldPath, double by)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        FirestoreValues.WriteDouble(w, "increment", by);
        w.WriteEndObject();
    }

    public static void WriteMaximum(Utf8JsonWriter w, string fieldPath, long value)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        FirestoreValues.WriteInteger(w, "maximum", value);
        w.WriteEndObject();
    }

    public static void WriteServerTime(Utf8JsonWriter w, string fieldPath)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        w.WriteString("setToServerValue", "REQUEST_TIME");
        w.WriteEndObject();
    }

    /// <summary>Appends one element, given as the raw JSON of a <c>Value</c>, unless an equal element is there already.</summary>
    public static void WriteAppend(Utf8JsonWriter w, string fieldPath, ReadOnlySpan<byte> rawValue)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        w.WriteStartObject("appendMissingElements");
        w.WriteStartArray("values");
        w.WriteRawValue(rawValue, skipInputValidation: true);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Appends several elements, each the raw JSON of a <c>Value</c>, in order; an element equal to one already there (or earlier in the list) is skipped.</summary>
    public static void WriteAppend(Utf8JsonWriter w, string fieldPath, IReadOnlyList<byte[]> rawValues)
    {
        w.WriteStartObject();
        w.WriteString(FieldPath, fieldPath);
        w.WriteStartObject("appendMissingElements");
        w.WriteStartArray("values");
        foreach (var rawValue in rawValues)
        {
            w.WriteRawValue(rawValue, skipInputValidation: true);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Reads the <c>transformResults</c> of one write of a commit response as .NET values.</summary>
    public static IReadOnlyList<object?> TransformResults(byte[] commitResponse, int writeIndex)
    {
        using var json = JsonDocument.Parse(commitResponse);
        if (json.RootElement.TryGetProperty("writeResults", out var results)
            && results.GetArrayLength() > writeIndex
            && results[writeIndex].TryGetProperty("transformResults", out var transforms))
        {
            var values = new List<object?>(transforms.GetArrayLength());
            foreach (var value in transforms.EnumerateArray())
            {
                values.Add(FirestoreValues.Read(value));
            }

            return values;
        }

        return [];
    }
}
