using System.Text.Json;

namespace CostTracking.Firestore.Internal;

/// <summary>A structured query for <c>runQuery</c> and <c>runAggregationQuery</c>: one collection (or collection group), AND-ed field filters, an order, a cursor and a limit.</summary>
internal sealed class StructuredQuery
{
    public const string Ascending = "ASCENDING";
    public const string Descending = "DESCENDING";
    public const string DocumentName = "__name__";

    public StructuredQuery(string collectionId, bool allDescendants)
    {
        CollectionId = collectionId;
        AllDescendants = allDescendants;
    }

    /// <summary>Gets the collection id queried.</summary>
    public string CollectionId { get; }

    /// <summary>Gets a value indicating whether every collection with that id under the parent is queried (a collection-group query from the root).</summary>
    public bool AllDescendants { get; }

    /// <summary>Gets the field filters, all of which must hold.</summary>
    public List<QueryFilter> Filters { get; } = [];

    /// <summary>Gets the order: field paths with their direction; <c>__name__</c> last for a total order.</summary>
    public List<(string FieldPath, string Direction)> OrderBy { get; } = [];

    /// <summary>Gets or sets the fields to return (<c>__name__</c> alone for keys only), or <see langword="null"/> for whole documents.</summary>
    public IReadOnlyList<string>? Select { get; set; }

    /// <summary>Gets or sets the values of the order's fields to start after, or <see langword="null"/> to start at the beginning.</summary>
    public IReadOnlyList<object>? StartAfter { get; set; }

    /// <summary>Gets or sets the most documents returned, or <see langword="null"/> for all.</summary>
    public int? Limit { get; set; }

    /// <summary>Orders by a field, then by document name in the same direction: a total order, for cursors.</summary>
    public StructuredQuery OrderByThenName(string fieldPath, string direction)
    {
        OrderBy.Add((fieldPath, direction));
        OrderBy.Add((DocumentName, direction));
        return this;
    }

    /// <summary>Adds a field filter.</summary>
    public StructuredQuery Where(string fieldPath, string op, object value)
    {
        Filters.Add(new QueryFilter(fieldPath, op, value));
        return this;
    }

    /// <summary>Writes the <c>"structuredQuery"</c> property.</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject("structuredQuery");
        if (Select is not null)
        {
            w.WriteStartObject("select");
            w.WriteStartArray("fields");
            foreach (var field in Select)
            {
                w.WriteStartObject();
                w.WriteString("fieldPath", field);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteStartArray("from");
        w.WriteStartObject();
        w.WriteString("collectionId", CollectionId);
        if (AllDescendants)
        {
            w.WriteBoolean("allDescendants", true);
        }

        w.WriteEndObject();
        w.WriteEndArray();

        if (Filters.Count > 0)
        {
            w.WriteStartObject("where");
            if (Filters.Count == 1)
            {
                WriteFieldFilter(w, Filters[0]);
            }
            else
            {
                w.WriteStartObject("compositeFilter");
                w.WriteString("op", "AND");
                w.WriteStartArray("filters");
                foreach (var filter in Filters)
                {
                    w.WriteStartObject();
                    WriteFieldFilter(w, filter);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        if (OrderBy.Count > 0)
        {
            w.WriteStartArray("orderBy");
            foreach (var (field, direction) in OrderBy)
            {
                w.WriteStartObject();
                w.WriteStartObject("field");
                w.WriteString("fieldPath", field);
                w.WriteEndObject();
                w.WriteString("direction", direction);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (StartAfter is not null)
        {
            w.WriteStartObject("startAt");
            w.WriteStartArray("values");
            foreach (var value in StartAfter)
            {
                WriteValue(w, value);
            }

            w.WriteEndArray();
            w.WriteBoolean("before", false);
            w.WriteEndObject();
        }

        if (Limit is { } limit)
        {
            w.WriteNumber("limit", limit);
        }

        w.WriteEndObject();
    }

    private static void WriteFieldFilter(Utf8JsonWriter w, QueryFilter filter)
    {
        w.WriteStartObject("fieldFilter");
        w.WriteStartObject("field");
        w.WriteString("fieldPath", filter.FieldPath);
        w.WriteEndObject();
        w.WriteString("op", filter.Op);
        w.WritePropertyName("value");
        WriteValue(w, filter.Value);
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object value)
    {
        if (value is DocumentReference reference)
        {
            w.WriteStartObject();
            w.WriteString("referenceValue", reference.FullName);
            w.WriteEndObject();
        }
        else
        {
            FirestoreValues.Write(w, value);
        }
    }
}

/// <summary>One field filter: <c>field op value</c> (value: string, int64 or timestamp).</summary>
internal readonly record struct QueryFilter(string FieldPath, string Op, object Value);

/// <summary>A document reference as a query value (a cursor on <c>__name__</c>).</summary>
internal sealed record DocumentReference(string FullName);
