using CostTracking.Storage;

namespace CostTracking.Tests.Storage;

public sealed class NanoUsdTests
{
    [TestCase("0.00283", 2_830_000L)]
    [TestCase("0.017", 17_000_000L)]
    [TestCase("0.000000001", 1L)]
    [TestCase("0.0000000015", 2L)]
    [TestCase("0.0000000014999", 1L)]
    [TestCase("0", 0L)]
    [TestCase("1000000000", 1_000_000_000_000_000_000L)]
    public void FromDollars_Amount_IsWholeNanoDollarsRoundedAwayFromZero(string dollars, long nanos)
    {
        NanoUsd.FromDollars(decimal.Parse(dollars, System.Globalization.CultureInfo.InvariantCulture)).Should().Be(nanos);
    }

    [Test]
    public void ToDollars_Nanos_IsExact()
    {
        NanoUsd.ToDollars(2_830_000L).Should().Be(0.00283m);
        NanoUsd.ToDollars(1L).Should().Be(0.000000001m);
        NanoUsd.ToDollars(long.MaxValue).Should().Be(9_223_372_036.854775807m);
        NanoUsd.ToDollars(NanoUsd.FromDollars(123_456_789.123456789m)).Should().Be(123_456_789.123456789m);
    }

    [Test]
    public void FromDollars_AmountTooLarge_ThrowsOverflow()
    {
        FluentActions.Invoking(() => NanoUsd.FromDollars(10_000_000_000m)).Should().Throw<OverflowException>();
    }

    [Test]
    public void Round_FinerThanANano_RoundsMidpointsAwayFromZero()
    {
        NanoUsd.Round(0.0000000025m).Should().Be(0.000000003m);
        NanoUsd.Round(0.0000000024999m).Should().Be(0.000000002m);
        NanoUsd.Round(2830m).Should().Be(2830m);
    }
}
