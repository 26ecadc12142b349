using System.Text.Json;
using Coinage.Domain.Exchange;
using Coinage.Domain.MarketData;
using StackExchange.Redis;

namespace Coinage.Domain.Risk;

/// <summary>
/// A market's status as the API shows it (<c>/api/v1/markets</c>) and the hub pushes it (<c>marketStatus</c>):
/// <c>open</c>, <c>halted</c> or <c>cancel_only</c>; <c>source</c> <c>admin</c> or <c>circuit_breaker</c>; <c>until</c>
/// when the breaker's phase ends by itself (null when an Admin set it).
/// </summary>
public sealed record MarketStatusUpdate(string Market, string Status, string Source, DateTimeOffset? Until, DateTimeOffset At);

public static class MarketStatusEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Name(MarketStatus status) => status switch
    {
        MarketStatus.Open => "open",
        MarketStatus.CancelOnly => "cancel_only",
        _ => "halted",
    };

    public static string Name(MarketStatusSource source) => source == MarketStatusSource.CircuitBreaker ? "circuit_breaker" : "admin";

    public static MarketStatusUpdate Of(MarketRecord market, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(market);
        return new MarketStatusUpdate(market.Symbol, Name(market.Status), Name(market.StatusSource), market.StatusUntil, at);
    }

    /// <summary>
    /// Publishes the change on the market's status channel, after the commit that made it; best effort, like every
    /// market-data message (a client that missed it reads the status from REST when it resubscribes).
    /// </summary>
    public static async Task<bool> PublishAsync(IConnectionMultiplexer redis, MarketDataKeys keys, MarketStatusUpdate update)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(update);
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(keys.StatusChannel(update.Market)), JsonSerializer.Serialize(update, Json)).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
    }
}
