namespace CostTracking.Internal;

/// <summary>Generates operation and session ids: random, so they never form a write hotspot in a database.</summary>
internal static class Ids
{
    public static string NewOperationId() => Create("op_");

    public static string NewSessionId() => Create("session_");

    public static string NewReservationId() => Create("rsv_");

    // One allocation: the prefix and the 32 hex digits are written straight into the new string.
    private static string Create(string prefix) =>
        string.Create(prefix.Length + 32, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            Guid.NewGuid().TryFormat(span[p.Length..], out _, "N");
        });
}
