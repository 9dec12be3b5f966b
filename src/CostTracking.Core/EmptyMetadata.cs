using System.Collections.ObjectModel;

namespace CostTracking;

internal static class EmptyMetadata
{
    public static readonly IReadOnlyDictionary<string, object?> Instance = ReadOnlyDictionary<string, object?>.Empty;
}
