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
    public static long FromDollars(decimal dollars) =>
        decimal.ToInt64(decimal.Round(dollars * PerDollar, 0, MidpointRounding.AwayFromZero));

    /// <summary>Converts nano-dollars to dollars exactly.</summary>
    /// <param name="nanos">An amount in nano-dollars.</param>
    /// <returns>The amount in US dollars.</returns>
    public static decimal ToDollars(long nanos) => new decimal(nanos) / PerDollar;

    /// <summary>Rounds an amount in dollars to the nearest nano-dollar (midpoints away from zero), the precision money is stored at.</summary>
    /// <param name="dollars">An amount in US dollars.</param>
    /// <returns>The rounded amount.</returns>
    public static decimal Round(decimal dollars) => decimal.Round(dollars, 9, MidpointRounding.AwayFromZero);
}
