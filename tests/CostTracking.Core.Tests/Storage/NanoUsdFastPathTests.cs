using CostTracking.Storage;

namespace CostTracking.Tests.Storage;

/// <summary>NanoUsd.FromDollars takes an integer shortcut for amounts with at most nine decimals; it must agree with decimal arithmetic everywhere.</summary>
public sealed class NanoUsdFastPathTests
{
    private static long Reference(decimal dollars) => decimal.ToInt64(decimal.Round(dollars * NanoUsd.PerDollar, 0, MidpointRounding.AwayFromZero));

    [Test]
    public void FromDollars_RandomAmountsOfEveryScaleAndSign_MatchDecimalArithmetic()
    {
        var random = new Random(20261203);
        for (var i = 0; i < 20_000; i++)
        {
            var scale = (byte)random.Next(0, 16);
            var amount = new decimal(random.Next(), random.Next(0, 3) == 0 ? random.Next(0, 50) : 0, 0, random.Next(2) == 0, scale);
            if (Math.Abs(amount) > 9_000_000_000m)
            {
                continue;
            }

            NanoUsd.FromDollars(amount).Should().Be(Reference(amount), "for {0}", amount);
        }
    }

    [TestCase("9223372036.854775807", 9_223_372_036_854_775_807L)]
    [TestCase("-9223372036.854775808", -9_223_372_036_854_775_808L)]
    [TestCase("0.000000000", 0L)]
    [TestCase("-0.00283", -2_830_000L)]
    [TestCase("10000", 10_000_000_000_000L)]
    [TestCase("1.10", 1_100_000_000L)]
    public void FromDollars_Boundaries_AreExact(string dollars, long nanos) =>
        NanoUsd.FromDollars(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(nanos);

    [Test]
    public void FromDollars_BeyondTheRange_StillThrowsOverflow() =>
        FluentActions.Invoking(() => NanoUsd.FromDollars(9_223_372_037m)).Should().Throw<OverflowException>();
}
