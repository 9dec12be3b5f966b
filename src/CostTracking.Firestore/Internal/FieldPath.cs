using System.Text;

namespace CostTracking.Firestore.Internal;

/// <summary>Builds Firestore field paths (for update masks, transforms and queries) from raw field names.</summary>
/// <remarks>
/// A segment that matches <c>[a-zA-Z_][a-zA-Z_0-9]*</c> is written as it is; any other is quoted in backticks, with
/// backticks and backslashes escaped by a backslash. Keys inside <c>fields</c> are never quoted.
/// </remarks>
internal static class FieldPath
{
    /// <summary>Joins raw field names into one dotted path, quoting each segment that needs it.</summary>
    public static string Join(params ReadOnlySpan<string> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            AppendSegment(builder, segment);
        }

        return builder.ToString();
    }

    /// <summary>Quotes one raw field name when it is not a simple identifier.</summary>
    public static string Segment(string name)
    {
        if (IsSimple(name))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 2);
        AppendSegment(builder, name);
        return builder.ToString();
    }

    private static void AppendSegment(StringBuilder builder, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (IsSimple(name))
        {
            builder.Append(name);
            return;
        }

        builder.Append('`');
        foreach (var c in name)
        {
            if (c is '`' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        builder.Append('`');
    }

    private static bool IsSimple(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
