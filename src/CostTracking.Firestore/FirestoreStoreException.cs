namespace CostTracking.Firestore;

/// <summary>The exception thrown when Firestore fails a request that retrying did not fix, or cannot be reached.</summary>
/// <remarks>The message names the status, the HTTP code and the document; it never holds an access token or a credential.</remarks>
public sealed class FirestoreStoreException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="FirestoreStoreException"/> class.</summary>
    /// <param name="status">The google.rpc status name, such as <c>PERMISSION_DENIED</c>.</param>
    /// <param name="httpStatusCode">The HTTP status code, or <see langword="null"/> when no response came.</param>
    /// <param name="documentPath">The document (or collection) the request was about, relative to the database's documents.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure that caused this one, if any.</param>
    public FirestoreStoreException(string status, int? httpStatusCode, string? documentPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        HttpStatusCode = httpStatusCode;
        DocumentPath = documentPath;
    }

    /// <summary>Gets the google.rpc status name, such as <c>PERMISSION_DENIED</c>, <c>FAILED_PRECONDITION</c> or <c>UNAVAILABLE</c> (also used when Firestore could not be reached).</summary>
    public string Status { get; }

    /// <summary>Gets the HTTP status code of the last response, or <see langword="null"/> when no response came (connection failure or timeout).</summary>
    public int? HttpStatusCode { get; }

    /// <summary>Gets the document or collection the failed request was about, such as <c>AIUsage/alice/operations/op_1</c>.</summary>
    public string? DocumentPath { get; }
}
