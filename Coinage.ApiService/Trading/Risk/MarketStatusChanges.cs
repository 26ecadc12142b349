using Coinage.ApiService.MarketData;
using Coinage.Domain.Exchange;
using Coinage.Domain.Risk;
using StackExchange.Redis;

namespace Coinage.ApiService.Trading.Risk;

/// <summary>
/// What follows an Admin's change of a market's status or risk settings, after its commit: this replica's
/// <see cref="TradingCatalog"/> forgets its copy of the markets (so the new limits apply to the next order here; other
/// replicas within the catalog's 5 seconds), and the new status is published for the hub (<c>marketStatus</c>).
/// </summary>
public sealed class MarketStatusChanges(TradingCatalog catalog, IConnectionMultiplexer redis, MarketDataReader marketData, TimeProvider clock)
{
    public TimeProvider Clock => clock;

    public async Task ChangedAsync(MarketRecord market, DateTimeOffset at)
    {
        catalog.ForgetMarkets();
        await MarketStatusEvents.PublishAsync(redis, marketData.Keys, MarketStatusEvents.Of(market, at)).ConfigureAwait(false);
    }
}
