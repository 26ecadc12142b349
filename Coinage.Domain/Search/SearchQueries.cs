namespace Coinage.Domain.Search;

/// <summary>
/// A Compliance search of the audit log. <see cref="Text"/> matches words of the action and the
/// details, and exactly an IP address or a user id (actor or subject). Newest first; the cursor is
/// the last sequence of the previous page, the same for both back ends.
/// </summary>
public sealed record AuditSearchQuery(
    string? Text, IReadOnlyList<string> Actions, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Size)
{
    /// <summary>How many actions the aggregation lists.</summary>
    public const int ActionBuckets = 20;
}

/// <summary>A trader's search of their own orders. <see cref="Text"/> is an order id or a client order id.</summary>
public sealed record OrderSearchQuery(
    Guid UserId, string? Text, string? Market, string? Side, IReadOnlyList<string> Statuses, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Size);

/// <summary>A trader's search of their own fills (their side of each trade).</summary>
public sealed record FillSearchQuery(
    Guid UserId, string? Market, string? Side, string? Liquidity, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Size);

public sealed record AuditSearchResult(IReadOnlyList<AuditDocument> Items, string? NextCursor, IReadOnlyList<ActionCount> Actions);

public sealed record ActionCount(string Action, long Count);

public sealed record SearchPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>One back end of search: Elasticsearch, or PostgreSQL as the fallback. Both answer the same shapes.</summary>
public interface ISearchBackend
{
    /// <summary><c>elasticsearch</c> or <c>postgresql</c>.</summary>
    string Name { get; }

    Task<AuditSearchResult> SearchAuditAsync(AuditSearchQuery query, CancellationToken cancellationToken);

    Task<SearchPage<OrderDocument>> SearchOrdersAsync(OrderSearchQuery query, CancellationToken cancellationToken);

    Task<SearchPage<FillDocument>> SearchFillsAsync(FillSearchQuery query, CancellationToken cancellationToken);
}
