using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Coinage.ApiService.MarketData;

/// <summary>A market as market data needs it: its row and its grid.</summary>
public sealed record MarketInfo(MarketRecord Record, SpotMarket Spot)
{
    public int Id => Record.Id;

    public string Symbol => Record.Symbol;
}

/// <summary>
/// The markets, cached in memory for a few seconds: every market-data request and every hub subscription
/// resolves a symbol, and markets change rarely (an admin adds or halts one).
/// </summary>
public sealed class MarketDirectory(IDbContextFactory<CoinageDbContext> contexts, TimeProvider clock)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (DateTimeOffset LoadedAt, IReadOnlyDictionary<string, MarketInfo> Markets)? _cache;

    public async Task<IReadOnlyDictionary<string, MarketInfo>> AllAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } fresh && clock.GetUtcNow() - fresh.LoadedAt < Lifetime)
        {
            return fresh.Markets;
        }
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache is { } other && clock.GetUtcNow() - other.LoadedAt < Lifetime)
            {
                return other.Markets;
            }
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var assets = await LedgerStore.LoadAssetsAsync(db, cancellationToken).ConfigureAwait(false);
            var rows = await db.Markets.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            var markets = rows.ToDictionary(m => m.Symbol, m => new MarketInfo(m, ExchangeCatalog.ToSpotMarket(m, assets)), StringComparer.Ordinal);
            _cache = (clock.GetUtcNow(), markets);
            return markets;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>The market of a symbol in any case (<c>btc-usd</c> is <c>BTC-USD</c>), or null.</summary>
    public async Task<MarketInfo?> FindAsync(string? symbol, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(symbol) || symbol.Length > 32)
        {
            return null;
        }
        var markets = await AllAsync(cancellationToken).ConfigureAwait(false);
        return markets.TryGetValue(symbol.ToUpperInvariant(), out var market) ? market : null;
    }
}
