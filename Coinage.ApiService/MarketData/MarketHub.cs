using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.Tokens;
using Coinage.Domain.MarketData;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Coinage.ApiService.MarketData;

/// <summary>
/// <c>/hubs/market</c> (docs/exchange.md, "Market data"). Anyone may follow markets; a connection signed in
/// with an access token (query parameter <c>access_token</c>) also gets its user's orders, fills and balances,
/// until the token expires or its session is revoked (<see cref="RevokedSessionListener"/>).
/// Hub methods only touch memory and one Redis read, so they stay cheap under many subscribers.
/// </summary>
public sealed class MarketHub(MarketDirectory markets, MarketDataReader reader, MarketSubscribers subscribers, IConnectionMultiplexer redis) : Hub
{
    public const string Path = "/hubs/market";

    /// <summary>The SignalR group of a user's connections, for code that wants to reach a user through the backplane.</summary>
    public static string UserGroup(Guid userId) => $"user:{userId:N}";

    public override async Task OnConnectedAsync()
    {
        var signedIn = Context.User is { Identity.IsAuthenticated: true } principal ? principal : null;
        var user = signedIn?.UserId();
        var session = signedIn?.SessionId();
        subscribers.Connect(Context, user, session);
        // Registered first, checked second: a revocation announced in between is either seen here or aborts the registered connection.
        if (session is { } s && await SessionService.IsRevokedAsync(redis, s).ConfigureAwait(false))
        {
            Context.Abort();
            return;
        }
        if (user is { } u)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(u), Context.ConnectionAborted).ConfigureAwait(false);
        }
        await base.OnConnectedAsync().ConfigureAwait(false);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscribers.Disconnect(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Follows a market and returns its book at the published depth. The connection joins before the
    /// snapshot is read, so no update falls between the two: updates up to the snapshot's sequence are to be ignored.
    /// </summary>
    public async Task<BookSnapshot> SubscribeMarket(string symbol)
    {
        var market = await markets.FindAsync(symbol, Context.ConnectionAborted).ConfigureAwait(false)
            ?? throw new HubException("unknown_market");
        if (!subscribers.Subscribe(Context.ConnectionId, market.Symbol))
        {
            throw new HubException("too_many_subscriptions");
        }
        var book = await reader.BookAsync(market, depth: null, Context.ConnectionAborted).ConfigureAwait(false);
        var ticker = await reader.TickersAsync([market], Context.ConnectionAborted).ConfigureAwait(false);
        // Queued behind any update already on its way, so the client's ticker is never older than what it saw.
        subscribers.SendToConnection(Context.ConnectionId, "ticker", ticker[0]);
        return book;
    }

    public async Task UnsubscribeMarket(string symbol)
    {
        var market = await markets.FindAsync(symbol, Context.ConnectionAborted).ConfigureAwait(false)
            ?? throw new HubException("unknown_market");
        subscribers.Unsubscribe(Context.ConnectionId, market.Symbol);
    }
}
