namespace CostTracking.Tests;

public sealed class UsageMonthTests
{
    [Test]
    public void FromTimestamp_OffsetTimestamp_TakesTheUtcMonth()
    {
        // Just after midnight on January 1 in Paris is still December 31 in UTC.
        var paris = new DateTimeOffset(2026, 1, 1, 0, 30, 0, TimeSpan.FromHours(1));
        var newYork = new DateTimeOffset(2025, 12, 31, 20, 0, 0, TimeSpan.FromHours(-5));

        UsageMonth.FromTimestamp(paris).Should().Be(new UsageMonth(2025, 12));
        UsageMonth.FromTimestamp(newYork).Should().Be(new UsageMonth(2026, 1));
    }

    [Test]
    public void FromTimestamp_AroundUtcMidnightOfNewYear_SplitsDecemberAndJanuary()
    {
        var midnight = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        UsageMonth.FromTimestamp(midnight.AddTicks(-1)).Should().Be(new UsageMonth(2025, 12));
        UsageMonth.FromTimestamp(midnight).Should().Be(new UsageMonth(2026, 1));
        new UsageMonth(2025, 12).Next().Should().Be(new UsageMonth(2026, 1));
        new UsageMonth(2026, 1).Start.Should().Be(midnight);
    }

    [TestCase("2026-12", 2026, 12)]
    [TestCase("0001-01", 1, 1)]
    [TestCase("9999-09", 9999, 9)]
    public void Parse_YearDashMonth_RoundTripsThroughToString(string text, int year, int month)
    {
        var parsed = UsageMonth.Parse(text);

        parsed.Should().Be(new UsageMonth(year, month));
        parsed.ToString().Should().Be(text);
        $"{parsed}".Should().Be(text);
    }

    [TestCase("2026-13")]
    [TestCase("2026-00")]
    [TestCase("0000-05")]
    [TestCase("2026-1")]
    [TestCase("2026/01")]
    [TestCase("+026-01")]
    [TestCase("")]
    public void Parse_NotAMonth_ThrowsFormatExceptionQuotingIt(string text)
    {
        UsageMonth.TryParse(text, out _).Should().BeFalse();
        FluentActions.Invoking(() => UsageMonth.Parse(text)).Should().Throw<FormatException>().WithMessage($"*'{text}'*");
    }

    [TestCase(0, 1)]
    [TestCase(10000, 1)]
    [TestCase(2026, 0)]
    [TestCase(2026, 13)]
    public void Constructor_OutOfRange_Throws(int year, int month)
    {
        FluentActions.Invoking(() => new UsageMonth(year, month)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void CompareTo_Months_OrderByYearThenMonth()
    {
        var months = new[] { new UsageMonth(2026, 2), new UsageMonth(2025, 12), new UsageMonth(2026, 1) };

        months.Order().Should().Equal(new UsageMonth(2025, 12), new UsageMonth(2026, 1), new UsageMonth(2026, 2));
        (new UsageMonth(2025, 12) < new UsageMonth(2026, 1)).Should().BeTrue();
        (new UsageMonth(2026, 1) >= new UsageMonth(2026, 1)).Should().BeTrue();
    }
}
