using System.Globalization;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Matching;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Search;

/// <summary>
/// Search straight from PostgreSQL: the fallback when Elasticsearch is not configured or not
/// answering. Same filters, order, cursors and erasure rules as the index; text matching is by
/// substring (ILIKE) per word instead of analyzed tokens, and reads the tables, so it is slower on a
/// large audit log — which is what the index is for.
/// </summary>
public sealed partial class PostgresSearchBackend(CoinageDbContext db, SearchSource source) : ISearchBackend
{
    public const string BackendName = "postgresql";

    public string Name => BackendName;

    public async Task<AuditSearchResult> SearchAuditAsync(AuditSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var rows =
            from e in db.AuditEntries.AsNoTracking()
            join a in db.SearchErasures on e.ActorUserId equals (Guid?)a.UserId into actors
            from a in actors.DefaultIfEmpty()
            join s in db.SearchErasures on e.SubjectUserId equals (Guid?)s.UserId into subjects
            from s in subjects.DefaultIfEmpty()
            select new AuditRow { Entry = e, ActorPseudonym = a.Pseudonym, SubjectPseudonym = s.Pseudonym };
        if (query.Actions.Count > 0)
        {
            var actions = query.Actions.ToList();
            rows = rows.Where(r => actions.Contains(r.Entry.Action));
        }
        if (query.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            rows = rows.Where(r => r.Entry.OccurredAt >= fromUtc);
        }
        if (query.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            rows = rows.Where(r => r.Entry.OccurredAt < toUtc);
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            rows = rows.Where(AuditTextFilter(query.Text.Trim()));
        }
        var counts = await rows.GroupBy(r => r.Entry.Action)
            .Select(g => new { Action = g.Key, Count = g.LongCount() })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Action).Take(AuditSearchQuery.ActionBuckets)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (query.Before is { } before)
        {
            rows = rows.Where(r => r.Entry.Sequence < before);
        }
        var page = await rows.OrderByDescending(r => r.Entry.Sequence).Take(query.Size + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var erased = page.SelectMany(r => new[] { (r.Entry.ActorUserId, r.ActorPseudonym), (r.Entry.SubjectUserId, r.SubjectPseudonym) })
            .Where(p => p.Item1 is not null && p.Item2 is not null)
            .DistinctBy(p => p.Item1)
            .ToDictionary(p => p.Item1!.Value, p => p.Item2!);
        var items = page.Take(query.Size).Select(r => SearchDocumentFactory.Audit(r.Entry, erased)).ToList();
        return new AuditSearchResult(items, page.Count > query.Size ? items[^1].DocumentId : null,
            [.. counts.Select(c => new ActionCount(c.Action, c.Count))]);
    }

    public async Task<SearchPage<OrderDocument>> SearchOrdersAsync(OrderSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var owner = await OwnerAsync(query.UserId, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return new SearchPage<OrderDocument>([], null);
        }
        var orders = db.Orders.AsNoTracking().Where(o => o.OwnerId == owner);
        if (query.Market is not null)
        {
            var marketId = await MarketIdAsync(query.Market, cancellationToken).ConfigureAwait(false);
            orders = orders.Where(o => o.MarketId == marketId);
        }
        if (query.Side is not null)
        {
            var side = query.Side == "buy" ? Side.Buy : Side.Sell;
            orders = orders.Where(o => o.Side == side);
        }
        if (query.Statuses.Count > 0)
        {
            var statuses = query.Statuses.Select(s => SearchDocumentFactory.ParseStatus(s) ?? throw new ArgumentException($"Unknown status {s}.", nameof(query))).ToList();
            orders = orders.Where(o => statuses.Contains(o.Status));
        }
        if (query.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            orders = orders.Where(o => o.CreatedAt >= fromUtc);
        }
        if (query.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            orders = orders.Where(o => o.CreatedAt < toUtc);
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim();
            var id = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : -1;
            orders = orders.Where(o => o.ClientOrderId == text || o.Id == id);
        }
        if (query.Before is { } before)
        {
            orders = orders.Where(o => o.Id < before);
        }
        var rows = await orders.OrderByDescending(o => o.Id).Take(query.Size + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var items = (await source.ToOrderDocumentsAsync(rows, cancellationToken).ConfigureAwait(false)).Take(query.Size).ToList();
        return new SearchPage<OrderDocument>(items, rows.Count > query.Size && items.Count > 0 ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    public async Task<SearchPage<FillDocument>> SearchFillsAsync(FillSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var owner = await OwnerAsync(query.UserId, cancellationToken).ConfigureAwait(false);
        if (owner is not { } me)
        {
            return new SearchPage<FillDocument>([], null);
        }
        Side? side = query.Side is null ? null : query.Side == "buy" ? Side.Buy : Side.Sell;
        Side? opposite = side is null ? null : side == Side.Buy ? Side.Sell : Side.Buy;
        var asTaker = query.Liquidity != "maker";
        var asMaker = query.Liquidity != "taker";
        // My side is the taker's side when I took, the opposite when I made.
        var trades = db.Trades.AsNoTracking().Where(t =>
            asTaker && t.TakerOwnerId == me && (side == null || t.TakerSide == side)
            || asMaker && t.MakerOwnerId == me && (opposite == null || t.TakerSide == opposite));
        if (query.Market is not null)
        {
            var marketId = await MarketIdAsync(query.Market, cancellationToken).ConfigureAwait(false);
            trades = trades.Where(t => t.MarketId == marketId);
        }
        if (query.From is { } from)
        {
            var fromUtc = from.ToUniversalTime();
            trades = trades.Where(t => t.CreatedAt >= fromUtc);
        }
        if (query.To is { } to)
        {
            var toUtc = to.ToUniversalTime();
            trades = trades.Where(t => t.CreatedAt < toUtc);
        }
        if (query.Before is { } before)
        {
            // Fill seq = trade id × 2 (+1 maker): the trade of the cursor may still have its taker fill to show.
            var lastTrade = (before - 1) / 2;
            trades = trades.Where(t => t.Id <= lastTrade);
        }
        var rows = await trades.OrderByDescending(t => t.Id).Take(query.Size + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var user = query.UserId.ToString("D");
        var fills = (await source.ToFillDocumentsAsync(rows, cancellationToken).ConfigureAwait(false))
            .Where(f => f.UserId == user && (query.Before is null || f.Seq < query.Before)
                && (query.Side is null || f.Side == query.Side) && (query.Liquidity is null || f.Liquidity == query.Liquidity))
            .OrderByDescending(f => f.Seq)
            .ToList();
        var items = fills.Take(query.Size).ToList();
        return new SearchPage<FillDocument>(items, fills.Count > query.Size ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }

    private async Task<long?> OwnerAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Traders.AsNoTracking().Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);

    private async Task<int> MarketIdAsync(string symbol, CancellationToken cancellationToken)
    {
        var markets = await source.MarketsAsync(cancellationToken).ConfigureAwait(false);
        // An unknown market matches nothing (the API validates symbols before asking).
        return markets.Values.FirstOrDefault(m => m.Market.Symbol == symbol).Market?.Id ?? -1;
    }

    /// <summary>
    /// Every word in the action or (unless the entry concerns an erased user) the details; or the whole
    /// text equal to an IP address or user id of a non-erased entry, or to an erased user's pseudonym.
    /// </summary>
    private static Expression<Func<AuditRow, bool>> AuditTextFilter(string text)
    {
        var words = SearchText.Words(text);
        Guid? user = Guid.TryParse(text, out var parsed) ? parsed : null;
        Expression<Func<AuditRow, bool>> exact = r =>
            r.ActorPseudonym == null && r.SubjectPseudonym == null
                && (r.Entry.IpAddress == text || user != null && (r.Entry.ActorUserId == user || r.Entry.SubjectUserId == user))
            || r.ActorPseudonym == text || r.SubjectPseudonym == text;
        if (words.Count == 0)
        {
            return exact;
        }
        Expression? allWords = null;
        var row = exact.Parameters[0];
        foreach (var word in words)
        {
            var pattern = "%" + EscapeLike(word) + "%";
            Expression<Func<AuditRow, bool>> one = r =>
                EF.Functions.ILike(r.Entry.Action, pattern, "\\")
                || r.ActorPseudonym == null && r.SubjectPseudonym == null && EF.Functions.ILike(r.Entry.Data, pattern, "\\");
            var body = new ParameterReplacer(one.Parameters[0], row).Visit(one.Body);
            allWords = allWords is null ? body : Expression.AndAlso(allWords, body);
        }
        return Expression.Lambda<Func<AuditRow, bool>>(Expression.OrElse(exact.Body, allWords!), row);
    }

    private static string EscapeLike(string text) => LikeSpecial().Replace(text, @"\$0");

    [GeneratedRegex(@"[\\%_]")]
    private static partial Regex LikeSpecial();

    internal sealed class AuditRow
    {
        public required AuditEntry Entry { get; init; }

        public string? ActorPseudonym { get; init; }

        public string? SubjectPseudonym { get; init; }
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>How search splits text into words: the same pattern as the index's <c>coinage_words</c> analyzer.</summary>
public static partial class SearchText
{
    public const int MaxWords = 8;

    public static IReadOnlyList<string> Words(string text) =>
        [.. WordSeparators().Split(text).Where(w => w.Length > 0).Select(w => w.ToLowerInvariant()).Distinct().Take(MaxWords)];

    [GeneratedRegex(@"[^\p{L}\p{N}@]+")]
    private static partial Regex WordSeparators();
}
