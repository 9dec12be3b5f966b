using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CostTracking.Firestore.Tests.Support;

/// <summary>Reads documents over plain REST, without the store, to check what it wrote.</summary>
internal sealed class RawFirestore(HttpClient http, string host, string projectId)
{
    public string DocumentsRoot => $"projects/{projectId}/databases/(default)/documents";

    /// <summary>Gets one document (path relative to the documents root), or null when it does not exist.</summary>
    public async Task<JsonElement?> GetAsync(string path)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host}/v1/{DocumentsRoot}/{escaped}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return json.RootElement.Clone();
    }

    /// <summary>Gets the <c>fields</c> of a document that must exist.</summary>
    public async Task<JsonElement> FieldsAsync(string path)
    {
        var document = await GetAsync(path).ConfigureAwait(false);
        document.Should().NotBeNull("document {0} must exist", path);
        return document!.Value.GetProperty("fields");
    }

    /// <summary>Writes a document directly (upsert), its fields given as the raw JSON of a <c>fields</c> object.</summary>
    public async Task PutAsync(string path, string fieldsJson)
    {
        var body = $$$"""{"writes":[{"update":{"name":"{{{DocumentsRoot}}}/{{{path}}}","fields":{{{fieldsJson}}}}}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{host}/v1/{DocumentsRoot}:commit")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Lists the ids of the documents in a collection (path relative to the documents root).</summary>
    public async Task<List<string>> ListIdsAsync(string collectionPath)
    {
        var ids = new List<string>();
        string? pageToken = null;
        do
        {
            var url = $"http://{host}/v1/{DocumentsRoot}/{collectionPath}?pageSize=1000"
                + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            if (json.RootElement.TryGetProperty("documents", out var documents))
            {
                ids.AddRange(documents.EnumerateArray().Select(d => d.GetProperty("name").GetString()!.Split('/')[^1]));
            }

            pageToken = json.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (pageToken is not null);

        return ids;
    }

    /// <summary>Gets the emulator's report of the composite indexes the project's queries needed.</summary>
    public async Task<JsonElement> IndexUsageAsync()
    {
        var url = $"http://{host}/emulator/v1/projects/{projectId}:indexUsage?database=projects/{projectId}/databases/(default)";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return json.RootElement.Clone();
    }

    /// <summary>Gets a document's storage size by Firestore's published rules, the size its 1 MiB (1,048,576 bytes) limit applies to.</summary>
    /// <remarks>Name: each path segment's UTF-8 bytes + 1, plus 16. Fields: name bytes + 1 plus the value: string bytes + 1, int64/double/timestamp 8, bool/null 1, map the sum of its fields, array the sum of its values. Plus 32 per document.</remarks>
    public async Task<long> StorageSizeAsync(string path)
    {
        var document = await GetAsync(path).ConfigureAwait(false);
        document.Should().NotBeNull();
        var nameSize = path.Split('/').Sum(segment => (long)Encoding.UTF8.GetByteCount(segment) + 1) + 16;
        return nameSize + FieldsSize(document!.Value.GetProperty("fields")) + 32;
    }

    private static long FieldsSize(JsonElement fields) =>
        fields.ValueKind != JsonValueKind.Object ? 0 : fields.EnumerateObject().Sum(f => Encoding.UTF8.GetByteCount(f.Name) + 1 + ValueSize(f.Value));

    private static long ValueSize(JsonElement value)
    {
        var kind = value.EnumerateObject().Single();
        return kind.Name switch
        {
            "stringValue" => Encoding.UTF8.GetByteCount(kind.Value.GetString()!) + 1,
            "integerValue" or "doubleValue" or "timestampValue" => 8,
            "booleanValue" or "nullValue" => 1,
            "mapValue" => kind.Value.TryGetProperty("fields", out var f) ? FieldsSize(f) : 0,
            "arrayValue" => kind.Value.TryGetProperty("values", out var v) ? v.EnumerateArray().Sum(ValueSize) : 0,
            "bytesValue" => kind.Value.GetBytesFromBase64().Length,
            "geoPointValue" => 16,
            _ => Encoding.UTF8.GetByteCount(kind.Value.GetRawText()),
        };
    }
}

/// <summary>Reads typed Firestore values out of a raw <c>fields</c> object.</summary>
internal static class RawFields
{
    public static JsonElement Value(this JsonElement fields, string name)
    {
        fields.TryGetProperty(name, out var value).Should().BeTrue("field '{0}' must be written", name);
        return value;
    }

    public static string Kind(this JsonElement fields, string name) => fields.Value(name).EnumerateObject().Single().Name;

    public static string String(this JsonElement fields, string name) => fields.Value(name).GetProperty("stringValue").GetString()!;

    public static string IntegerText(this JsonElement fields, string name) => fields.Value(name).GetProperty("integerValue").GetString()!;

    public static long Integer(this JsonElement fields, string name) => long.Parse(fields.IntegerText(name), System.Globalization.CultureInfo.InvariantCulture);

    public static double Double(this JsonElement fields, string name) => fields.Value(name).GetProperty("doubleValue").GetDouble();

    public static bool Boolean(this JsonElement fields, string name) => fields.Value(name).GetProperty("booleanValue").GetBoolean();

    public static string Timestamp(this JsonElement fields, string name) => fields.Value(name).GetProperty("timestampValue").GetString()!;

    public static JsonElement Map(this JsonElement fields, string name) => fields.Value(name).GetProperty("mapValue").TryGetProperty("fields", out var f) ? f : default;

    public static JsonElement[] Array(this JsonElement fields, string name) =>
        fields.Value(name).GetProperty("arrayValue").TryGetProperty("values", out var values) ? values.EnumerateArray().ToArray() : [];
}
