namespace CostTracking.Internal;

/// <summary>Generates operation, session and reservation ids: 128 random bits, so they never form a write hotspot in a database.</summary>
/// <remarks>
/// The bits come from <see cref="Random.Shared"/> (seeded from the OS once per thread), not from <see cref="Guid.NewGuid"/>:
/// ids need to be unique and spread, not secret, and a system call per id made recording several times slower.
/// </remarks>
internal static class Ids
{
    public static string NewOperationId() => Create("op_");

    public static string NewSessionId() => Create("session_");

    public static string NewReservationId() => Create("rsv_");

    // One allocation: the prefix and 32 hex digits are written straight into the new string.
    private static string Create(string prefix) =>
        string.Create(prefix.Length + 32, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            Span<byte> bits = stackalloc byte[16];
            Random.Shared.NextBytes(bits);
            Convert.TryToHexStringLower(bits, span[p.Length..], out _);
        });
}
