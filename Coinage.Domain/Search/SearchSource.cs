using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Search;

/// <summary>Reads search documents out of PostgreSQL, the source of truth: for the indexer, the reindex and the fallback.</summary>
public sealed class SearchSource(CoinageDbContext db)
{
    private Dictionary<int, (MarketRecord Market, SpotMarket Spot)>? _markets;

    public async Task<Dictionary<Guid, string>> ErasuresAsync(CancellationToken cancellationToken) =>
        await db.SearchErasures.AsNoTracking().ToDictionaryAsync(e => e.UserId, e => e.Pseudonym, cancellationToken).ConfigureAwait(false);

    /// <summary>Audit entries after <paramref name="afterSequence"/>, in sequence order.</summary>
    public async Task<List<AuditDocument>> AuditAfterAsync(long afterSequence, int take, CancellationToken cancellationToken)
    {
        var rows = await db.AuditEntries.AsNoTracking().Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence).Take(take)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return [];
        }
        var erased = await ErasuresAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => SearchDocumentFactory.Audit(r, erased))];
    }

    /// <summary>The current state of these orders (erased users' orders are left out).</summary>
    public async Task<List<OrderDocument>> OrdersAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        var rows = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await ToOrderDocumentsAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every fill of the trades these orders took part in.</summary>
    public async Task<List<FillDocument>> FillsOfOrdersAsync(IReadOnlyCollection<long> orderIds, CancellationToken cancellationToken)
    {
        var rows = await db.Trades.AsNoTracking().Where(t => orderIds.Contains(t.TakerOrderId) || orderIds.Contains(t.MakerOrderId))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return await ToFillDocumentsAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A page of every order by id, for a reindex.</summary>
    public async Task<(List<OrderDocument> Documents, long? LastId)> OrdersPageAsync(long afterId, int take, CancellationToken cancellationToken)
    {
        var rows = await db.Orders.AsNoTracking().Where(o => o.Id > afterId).OrderBy(o => o.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        return (await ToOrderDocumentsAsync(rows, cancellationToken).ConfigureAwait(false), rows.Count == 0 ? null : rows[^1].Id);
    }

    /// <summary>A page of every trade by id, for a reindex.</summary>
    public async Task<(List<FillDocument> Documents, long? LastId)> FillsPageAsync(long afterId, int take, CancellationToken cancellationToken)
    {
        var rows = await db.Trades.AsNoTracking().Where(t => t.Id > afterId).OrderBy(t => t.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        return (await ToFillDocumentsAsync(rows, cancellationToken).ConfigureAwait(false), rows.Count == 0 ? null : rows[^1].Id);
    }

    public async Task<List<OrderDocument>> ToOrderDocumentsAsync(IReadOnlyList<OrderRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var markets = await MarketsAsync(cancellationToken).ConfigureAwait(false);
        var users = await UsersAsync(rows.Select(o => o.OwnerId), cancellationToken).ConfigureAwait(false);
        return [.. rows.Where(o => users.ContainsKey(o.OwnerId))
            .Select(o => SearchDocumentFactory.Order(o, markets[o.MarketId].Market, markets[o.MarketId].Spot, users[o.OwnerId]))];
    }

    public async Task<List<FillDocument>> ToFillDocumentsAsync(IReadOnlyList<TradeRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var markets = await MarketsAsync(cancellationToken).ConfigureAwait(false);
        var users = await UsersAsync(rows.SelectMany(t => new[] { t.TakerOwnerId, t.MakerOwnerId }), cancellationToken).ConfigureAwait(false);
        return [.. rows.SelectMany(t => SearchDocumentFactory.Fills(t, markets[t.MarketId].Market,
            users.TryGetValue(t.TakerOwnerId, out var taker) ? taker : null,
            users.TryGetValue(t.MakerOwnerId, out var maker) ? maker : null))];
    }

    public async Task<IReadOnlyDictionary<int, (MarketRecord Market, SpotMarket Spot)>> MarketsAsync(CancellationToken cancellationToken)
    {
        if (_markets is null)
        {
            var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
            var markets = await db.Markets.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            _markets = markets.ToDictionary(m => m.Id, m => (m, ExchangeCatalog.ToSpotMarket(m, assets)));
        }
        return _markets;
    }

    /// <summary>Owner id → user id, without erased users (their documents are not indexed again).</summary>
    private async Task<Dictionary<long, Guid>> UsersAsync(IEnumerable<long> owners, CancellationToken cancellationToken)
    {
        var ids = owners.Distinct().ToList();
        return await db.Traders.AsNoTracking()
            .Where(t => ids.Contains(t.OwnerId) && !db.SearchErasures.Any(e => e.UserId == t.UserId))
            .ToDictionaryAsync(t => t.OwnerId, t => t.UserId, cancellationToken).ConfigureAwait(false);
    }
}
