using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CostTracking;

/// <summary>A calendar month in UTC, written <c>YYYY-MM</c>: the key of a monthly usage summary.</summary>
public readonly record struct UsageMonth : IComparable<UsageMonth>, ISpanFormattable
{
    /// <summary>Initializes a new instance of the <see cref="UsageMonth"/> struct.</summary>
    /// <param name="year">The year, 1 to 9999.</param>
    /// <param name="month">The month, 1 to 12.</param>
    /// <exception cref="ArgumentOutOfRangeException">The year or month is out of range.</exception>
    public UsageMonth(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        Year = year;
        Month = month;
    }

    /// <summary>Gets the year.</summary>
    public int Year { get; }

    /// <summary>Gets the month, 1 to 12.</summary>
    public int Month { get; }

    /// <summary>Gets the first instant of the month, in UTC.</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Gets the UTC month that contains an instant.</summary>
    /// <param name="timestamp">The instant.</param>
    /// <returns>The month of <paramref name="timestamp"/> in UTC.</returns>
    public static UsageMonth FromTimestamp(DateTimeOffset timestamp)
    {
        var utc = timestamp.UtcDateTime;
        return new UsageMonth(utc.Year, utc.Month);
    }

    /// <summary>Parses a month written <c>YYYY-MM</c>.</summary>
    /// <param name="value">The text, such as <c>2026-12</c>.</param>
    /// <returns>The month.</returns>
    /// <exception cref="FormatException"><paramref name="value"/> is not of the form <c>YYYY-MM</c>.</exception>
    public static UsageMonth Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var month)
            ? month
            : throw new FormatException($"'{value}' is not a month of the form YYYY-MM (for example 2026-12).");
    }

    /// <summary>Tries to parse a month written <c>YYYY-MM</c>.</summary>
    /// <param name="value">The text.</param>
    /// <param name="month">The month, when the text is valid.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is a valid month.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out UsageMonth month)
    {
        month = default;
        if (value is not { Length: 7 } || value[4] != '-'
            || !int.TryParse(value.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(value.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || y < 1 || m < 1 || m > 12)
        {
            return false;
        }

        month = new UsageMonth(y, m);
        return true;
    }

    /// <summary>Gets the month after this one.</summary>
    /// <returns>The next month.</returns>
    public UsageMonth Next() => Month == 12 ? new UsageMonth(Year + 1, 1) : new UsageMonth(Year, Month + 1);

    /// <inheritdoc />
    public int CompareTo(UsageMonth other) => Year != other.Year ? Year.CompareTo(other.Year) : Month.CompareTo(other.Month);

    /// <summary>Returns the month as <c>YYYY-MM</c>.</summary>
    /// <returns>The month's key, such as <c>2026-12</c>.</returns>
    public override string ToString() => string.Create(7, this, static (span, m) => m.TryFormat(span, out _, default, null));

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        if (destination.Length < 7)
        {
            charsWritten = 0;
            return false;
        }

        var y = Year == 0 ? 1 : Year;
        var m = Month == 0 ? 1 : Month;
        destination[0] = (char)('0' + (y / 1000));
        destination[1] = (char)('0' + (y / 100 % 10));
        destination[2] = (char)('0' + (y / 10 % 10));
        destination[3] = (char)('0' + (y % 10));
        destination[4] = '-';
        destination[5] = (char)('0' + (m / 10));
        destination[6] = (char)('0' + (m % 10));
        charsWritten = 7;
        return true;
    }

    /// <summary>Compares two months.</summary>
    /// <param name="left">The first month.</param>
    /// <param name="right">The second month.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> comes before <paramref name="right"/>.</returns>
    public static bool operator <(UsageMonth left, UsageMonth right) => left.CompareTo(right) < 0;

    /// <summary>Compares two months.</summary>
    /// <param name="left">The first month.</param>
    /// <param name="right">The second month.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> comes after <paramref name="right"/>.</returns>
    public static bool operator >(UsageMonth left, UsageMonth right) => left.CompareTo(right) > 0;

    /// <summary>Compares two months.</summary>
    /// <param name="left">The first month.</param>
    /// <param name="right">The second month.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is not after <paramref name="right"/>.</returns>
    public static bool operator <=(UsageMonth left, UsageMonth right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two months.</summary>
    /// <param name="left">The first month.</param>
    /// <param name="right">The second month.</param>
    /// <returns><see langword="true"/> when <paramref name="left"/> is not before <paramref name="right"/>.</returns>
    public static bool operator >=(UsageMonth left, UsageMonth right) => left.CompareTo(right) >= 0;
}
