using System.Text;
using CostTracking.Firestore.Internal;

namespace CostTracking.Firestore.Tests.Internal;

/// <summary>Error classification: by the google.rpc status of the body, not by the HTTP code.</summary>
public sealed class FirestoreRestClientTests
{
    private static (string Status, string Message)? Parse(string body, int code) => FirestoreRestClient.ParseError(Encoding.UTF8.GetBytes(body), code);

    [TestCase("ALREADY_EXISTS", 409, false)]
    [TestCase("ABORTED", 409, true)]
    [TestCase("NOT_FOUND", 404, false)]
    [TestCase("FAILED_PRECONDITION", 400, false)]
    [TestCase("INVALID_ARGUMENT", 400, false)]
    [TestCase("PERMISSION_DENIED", 403, false)]
    [TestCase("UNAUTHENTICATED", 401, false)]
    [TestCase("RESOURCE_EXHAUSTED", 429, true)]
    [TestCase("UNAVAILABLE", 503, true)]
    [TestCase("DEADLINE_EXCEEDED", 504, true)]
    [TestCase("INTERNAL", 500, true)]
    [TestCase("UNKNOWN", 500, true)]
    public void IsTransient_ByStatus_RetriesOnlyWhatMaySucceedLater(string status, int code, bool transient)
    {
        var parsed = Parse($$$"""{"error":{"code":{{{code}}},"message":"m","status":"{{{status}}}"}}""", code);

        parsed!.Value.Status.Should().Be(status);
        FirestoreRestClient.IsTransient(parsed.Value.Status, code).Should().Be(transient);
    }

    [Test]
    public void ParseError_ArrayBodyFromRunQuery_ReadsTheStatus() =>
        Parse("""[{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}]""", 400).Should().Be(("INVALID_ARGUMENT", "bad"));

    [TestCase("<html>Not Found</html>", 404, "UNKNOWN")]
    [TestCase("Bad gateway", 502, "UNAVAILABLE")]
    [TestCase("", 429, "RESOURCE_EXHAUSTED")]
    [TestCase("{}", 504, "DEADLINE_EXCEEDED")]
    public void ParseError_NoStatusInTheBody_NeverGuessesAnAnswerStatus(string body, int code, string expected) =>
        Parse(body, code)!.Value.Status.Should().Be(expected, "a bare 404 must never be read as the document's NOT_FOUND");

    [TestCase("a/b", "a/b")]
    [TestCase("user 1/sessions/s?#%", "user%201/sessions/s%3F%23%25")]
    [TestCase("é/(x)", "%C3%A9/%28x%29")]
    public void EscapePath_Segments_ArePercentEncodedOneByOne(string path, string expected) =>
        FirestoreRestClient.EscapePath(path).Should().Be(expected);
}
