using System.Globalization;
using System.Text;
using CostTracking.Storage;

namespace CostTracking.Firestore.Internal;

/// <summary>An opaque listing position: the (time, id) of the last item returned, written as base64 with a prefix per listing.</summary>
/// <remarks>Only the id is kept, never a path: the next page rebuilds the cursor's document name under the caller's user, so a token can never reach another user's data.</remarks>
internal readonly record struct ContinuationToken(long Micros, string Id)
{
    public const string SessionsPrefix = "fs-s1:";
    public const string OperationsPrefix = "fs-o1:";

    public string Encode(string prefix) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{prefix}{Micros}:{Id}")));

    public static ContinuationToken Decode(string token, string prefix, string paramName)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                var colon = text.IndexOf(':', prefix.Length);
                if (colon > prefix.Length
                    && long.TryParse(text.AsSpan(prefix.Length, colon - prefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)
                    && UsageIds.IsValid(text[(colon + 1)..]))
                {
                    return new ContinuationToken(micros, text[(colon + 1)..]);
                }
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException($"The continuation token '{Shorten(token)}' was not issued by this store for this listing.", paramName);
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 61), "...");
}
