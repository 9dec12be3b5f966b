namespace CostTracking.Internal;

/// <summary>Generates operation and session ids: random, so they never form a write hotspot in a database.</summary>
internal static class Ids
{
    public static string NewOperationId() => "op_" + Guid.NewGuid().ToString("N");

    public static string NewSessionId() => "session_" + Guid.NewGuid().ToString("N");
}
