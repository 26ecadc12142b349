using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Coinage.ApiService.Trading;

/// <summary>A market as an order is validated against it: its row and its grid.</summary>
internal sealed record TradingMarket(MarketRecord Market, SpotMarket Spot);

/// <summary>
/// What every placement reads and that almost never changes, kept in memory so a placement costs no query
/// before the group commit: markets with their grids (refreshed every few seconds; a symbol not in the cache
/// is looked up at once, so a new market is tradable immediately) and the user → ledger owner mapping
/// (immutable once created). A market's <em>status</em> is not taken from here: the group commit reads it
/// under a lock (see <see cref="OrderCommitter"/>).
/// </summary>
public sealed class TradingCatalog(IDbContextFactory<CoinageDbContext> contexts, TimeProvider clock) : IDisposable
{
    // Its own cache, bounded: one entry per active trader plus the market list.
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    private static readonly TimeSpan MarketsLifetime = TimeSpan.FromSeconds(5);
    private static readonly MemoryCacheEntryOptions OwnerEntry = new() { SlidingExpiration = TimeSpan.FromMinutes(10), Size = 1 };
    private static readonly MemoryCacheEntryOptions MarketsEntry = new() { AbsoluteExpirationRelativeToNow = MarketsLifetime, Size = 1 };
    private const string MarketsKey = "trading:markets";

    public void Dispose() => cache.Dispose();

    /// <summary>Drops the cached markets: an Admin changed a market's limits, which the next placement here must see.</summary>
    internal void ForgetMarkets() => cache.Remove(MarketsKey);

    internal async Task<TradingMarket?> MarketAsync(string symbol, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(MarketsKey, out IReadOnlyDictionary<string, TradingMarket>? markets) && markets!.TryGetValue(symbol, out var known))
        {
            return known;
        }
        markets = await LoadMarketsAsync(cancellationToken).ConfigureAwait(false);
        cache.Set(MarketsKey, markets, MarketsEntry);
        return markets.GetValueOrDefault(symbol);
    }

    /// <summary>The market of an order (its id never changes; the row is refreshed like <see cref="MarketAsync"/>).</summary>
    internal async Task<TradingMarket?> MarketAsync(int id, CancellationToken cancellationToken)
    {
        if (cache.TryGetValue(MarketsKey, out IReadOnlyDictionary<string, TradingMarket>? markets)
            && markets!.Values.FirstOrDefault(m => m.Market.Id == id) is { } known)
        {
            return known;
        }
        markets = await LoadMarketsAsync(cancellationToken).ConfigureAwait(false);
        cache.Set(MarketsKey, markets, MarketsEntry);
        return markets.Values.FirstOrDefault(m => m.Market.Id == id);
    }

    internal async Task<long> OwnerIdAsync(Guid userId, CancellationToken cancellationToken)
    {
        var key = ("trading:owner", userId);
        if (cache.TryGetValue(key, out long owner))
        {
            return owner;
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        owner = await ExchangeCatalog.OwnerIdAsync(db, userId, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        cache.Set(key, owner, OwnerEntry);
        return owner;
    }

    /// <summary>
    /// Whether the user already has an order with this client order id. Read only on the rare paths that refuse a
    /// request before the group commit on the state of the market, so that a retry of an order placed earlier still
    /// answers with that order; never creates the user's ledger owner.
    /// </summary>
    internal async Task<bool> ClientOrderExistsAsync(Guid userId, string clientOrderId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Orders.AsNoTracking()
            .AnyAsync(o => o.ClientOrderId == clientOrderId && db.Traders.Any(t => t.UserId == userId && t.OwnerId == o.OwnerId), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<IReadOnlyDictionary<string, TradingMarket>> LoadMarketsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
        var rows = await db.Markets.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(m => m.Symbol, m => new TradingMarket(m, ExchangeCatalog.ToSpotMarket(m, assets)), StringComparer.Ordinal);
    }
}
