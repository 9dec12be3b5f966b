using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace CostTracking.Storage;

/// <summary>Validates ids that become storage path segments (user, session and operation ids), so that one user's id can never reach another user's data.</summary>
/// <remarks>
/// A valid id is not empty or white space, holds no <c>/</c>, no control character and no lone surrogate, is not <c>.</c> or
/// <c>..</c>, does not match <c>__*__</c> (reserved by Firestore), and is at most <see cref="MaxBytes"/> bytes in UTF-8.
/// </remarks>
public static class UsageIds
{
    /// <summary>The longest id allowed, in UTF-8 bytes (Firestore's document id limit).</summary>
    public const int MaxBytes = 1500;

    /// <summary>Throws when an id is not valid as a storage path segment.</summary>
    /// <param name="id">The id.</param>
    /// <param name="paramName">The argument's name, filled in by the compiler.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not valid; the message says why.</exception>
    public static void ThrowIfInvalid([System.Diagnostics.CodeAnalysis.NotNull] string? id, [CallerArgumentExpression(nameof(id))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(id, paramName);
        var problem = GetProblem(id);
        if (problem is not null)
        {
            throw new ArgumentException($"{problem} (value: '{Shorten(id)}').", paramName);
        }
    }

    /// <summary>Tells whether an id is valid as a storage path segment.</summary>
    /// <param name="id">The id.</param>
    /// <returns><see langword="true"/> when <paramref name="id"/> is valid.</returns>
    public static bool IsValid(string? id) => id is not null && GetProblem(id) is null;

    // Printable ASCII but '/': the ids nearly everyone uses, checked in one vectorized pass.
    private static readonly SearchValues<char> PlainIdChars = SearchValues.Create(
        " !\"#$%&'()*+,-.0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    internal static string? GetProblem(string id)
    {
        // Fast path: printable ASCII without '/' holds no control character or surrogate, and is one UTF-8 byte per char.
        if (id.Length is > 0 and <= MaxBytes && !id.AsSpan().ContainsAnyExcept(PlainIdChars) && id.AsSpan().ContainsAnyExcept(' '))
        {
            return id is "." or ".." || IsReserved(id) ? SlowProblem(id) : null;
        }

        return SlowProblem(id);
    }

    private static bool IsReserved(string id) => id.Length >= 4 && id.StartsWith("__", StringComparison.Ordinal) && id.EndsWith("__", StringComparison.Ordinal);

    private static string? SlowProblem(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return "An id must not be empty or white space";
        }

        if (id == "." || id == "..")
        {
            return "An id must not be '.' or '..'";
        }

        if (IsReserved(id))
        {
            return "An id must not start and end with '__' (reserved)";
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (c == '/')
            {
                return "An id must not contain '/'";
            }

            if (char.IsControl(c))
            {
                return "An id must not contain control characters";
            }

            // A lone surrogate has no UTF-8 form: a database would store U+FFFD, and two ids would become one.
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == id.Length || !char.IsLowSurrogate(id[i + 1]))
                {
                    return "An id must be well-formed Unicode (it holds a lone surrogate)";
                }

                i++;
            }
        }

        if (id.Length > MaxBytes / 3 && Encoding.UTF8.GetByteCount(id) > MaxBytes)
        {
            return $"An id must be at most {MaxBytes} bytes in UTF-8";
        }

        return null;
    }

    internal static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 61), "...");
}
