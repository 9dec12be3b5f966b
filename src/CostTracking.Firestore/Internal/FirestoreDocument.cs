using System.Globalization;
using System.Text.Json;

namespace CostTracking.Firestore.Internal;

/// <summary>A document read from Firestore: its full name, its fields as .NET values, and its server times.</summary>
internal sealed class FirestoreDocument
{
    private FirestoreDocument(string name, Dictionary<string, object?> fields, DateTimeOffset createTime, DateTimeOffset updateTime)
    {
        Name = name;
        Fields = fields;
        CreateTime = createTime;
        UpdateTime = updateTime;
    }

    /// <summary>Gets the full name, <c>projects/{p}/databases/{d}/documents/…</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the document's id: the last segment of its name.</summary>
    public string Id => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>Gets the fields, read as <see cref="FirestoreValues.Read"/> reads them.</summary>
    public IReadOnlyDictionary<string, object?> Fields { get; }

    /// <summary>Gets the commit time of the write that created the document (microseconds; strictly ordered for writes that touch a common document).</summary>
    public DateTimeOffset CreateTime { get; }

    /// <summary>Gets the commit time of the document's last write.</summary>
    public DateTimeOffset UpdateTime { get; }

    public static FirestoreDocument Parse(JsonElement document)
    {
        var name = document.GetProperty("name").GetString() ?? throw new FormatException("A Firestore document has no name.");
        return new FirestoreDocument(
            name,
            FirestoreValues.ReadFields(document),
            document.TryGetProperty("createTime", out var c) ? FirestoreValues.ParseTimestamp(c.GetString()!) : default,
            document.TryGetProperty("updateTime", out var u) ? FirestoreValues.ParseTimestamp(u.GetString()!) : default);
    }

    public string? GetString(string field) => Fields.TryGetValue(field, out var v) ? v as string : null;

    public long GetInt64(string field) => Fields.TryGetValue(field, out var v)
        ? v switch
        {
            long l => l,
            double d => (long)d,
            string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => 0,
        }
        : 0;

    public bool HasInt64(string field) => Fields.TryGetValue(field, out var v) && v is long;

    public double? GetDouble(string field) => Fields.TryGetValue(field, out var v)
        ? v switch
        {
            double d => d,
            long l => l,
            _ => null,
        }
        : null;

    public bool GetBoolean(string field) => Fields.TryGetValue(field, out var v) && v is true;

    public DateTimeOffset? GetTimestamp(string field) => Fields.TryGetValue(field, out var v)
        ? v switch
        {
            DateTimeOffset t => t,
            string s when FirestoreValues.TryParseTimestamp(s, out var parsed) => parsed,
            _ => null,
        }
        : null;

    public IReadOnlyDictionary<string, object?>? GetMap(string field) =>
        Fields.TryGetValue(field, out var v) ? v as IReadOnlyDictionary<string, object?> : null;
}
