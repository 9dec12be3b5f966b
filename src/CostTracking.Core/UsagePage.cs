namespace CostTracking;

/// <summary>One page of a listing, with the token that fetches the next one.</summary>
/// <typeparam name="T">The listed item.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="ContinuationToken">An opaque token for the next page, or <see langword="null"/> when this is the last page.</param>
public sealed record UsagePage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>Filters and paging for listing a user's sessions, newest first.</summary>
public sealed record SessionQuery
{
    /// <summary>The largest page size allowed.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Gets only sessions with this status, or all when <see langword="null"/>.</summary>
    public SessionStatus? Status { get; init; }

    /// <summary>Gets only sessions of this feature, or all when <see langword="null"/>.</summary>
    public string? Feature { get; init; }

    /// <summary>Gets how many sessions a page holds at most.</summary>
    /// <value>The default value is 50; 1 to <see cref="MaxPageSize"/>.</value>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the token returned with the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}

/// <summary>Paging for listing a user's standalone operations of one usage type, newest first.</summary>
public sealed record OperationQuery
{
    /// <summary>Gets how many operations a page holds at most.</summary>
    /// <value>The default value is 50; 1 to <see cref="SessionQuery.MaxPageSize"/>.</value>
    public int PageSize { get; init; } = 50;

    /// <summary>Gets the token returned with the previous page, or <see langword="null"/> for the first page.</summary>
    public string? ContinuationToken { get; init; }
}
