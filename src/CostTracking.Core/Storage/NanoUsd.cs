namespace CostTracking.Storage;

/// <summary>Converts between US dollars as <see cref="decimal"/> and whole nano-dollars (10^-9 USD), the exact unit stores keep money in.</summary>
public static class NanoUsd
{
    /// <summary>Nano-dollars in one dollar.</summary>
    public const long PerDollar = 1_000_000_000L;

    /// <summary>Converts dollars to nano-dollars, rounding a finer fraction to the nearest nano-dollar (midpoints away from zero).</summary>
    /// <param name="dollars">An amount in US dollars.</param>
    /// <returns>The amount in nano-dollars.</returns>
    /// <exception cref="OverflowException">The amount does not fit in nano-dollars.</exception>
    public static long FromDollars(decimal dollars)
    {
        // Fast path: at most nine decimals and a small mantissa is an exact integer multiplication, no decimal arithmetic.
        var scale = dollars.Scale;
        if (scale <= 9)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(dollars, bits);
            var factor = Pow10[9 - scale];
            if (bits[2] == 0 && (uint)bits[1] < 0x8000_0000u)
            {
                var mantissa = ((long)bits[1] << 32) | (uint)bits[0];
                if (mantissa <= long.MaxValue / factor)
                {
                    var nanos = mantissa * factor;
                    return bits[3] < 0 ? -nanos : nanos;
                }
            }
        }

        return decimal.ToInt64(decimal.Round(dollars * PerDollar, 0, MidpointRounding.AwayFromZero));
    }

    private static ReadOnlySpan<long> Pow10 => [1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L];

    /// <summary>Converts nano-dollars to dollars exactly.</summary>
    /// <param name="nanos">An amount in nano-dollars.</param>
    /// <returns>The amount in US dollars.</returns>
    public static decimal ToDollars(long nanos) => new decimal(nanos) / PerDollar;

    /// <summary>Rounds an amount in dollars to the nearest nano-dollar (midpoints away from zero), the precision money is stored at.</summary>
    /// <param name="dollars">An amount in US dollars.</param>
    /// <returns>The rounded amount.</returns>
    public static decimal Round(decimal dollars) => decimal.Round(dollars, 9, MidpointRounding.AwayFromZero);
}
