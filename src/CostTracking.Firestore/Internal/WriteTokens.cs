namespace CostTracking.Firestore.Internal;

/// <summary>Random write tokens: 128 bits as 32 hex digits, one string allocation, no system call.</summary>
/// <remarks>A token tells a retried write whether its own earlier attempt landed: it must be unique, not secret, so <see cref="Random.Shared"/> (seeded from the OS once per thread) serves; <see cref="Guid.NewGuid"/> cost a system call per record.</remarks>
internal static class WriteTokens
{
    public static string New() => string.Create(32, 0, static (span, _) =>
    {
        Span<byte> bits = stackalloc byte[16];
        Random.Shared.NextBytes(bits);
        Convert.TryToHexStringLower(bits, span, out _);
    });
}
