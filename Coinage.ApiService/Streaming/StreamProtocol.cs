using System.Data.Common;
using System.Text.Json;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.MarketData;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using StackExchange.Redis;

namespace Coinage.ApiService.Streaming;

public static class StreamErrorCodes
{
    public const string InvalidMessage = "invalid_message";
    public const string TextOnly = "text_only";
    public const string UnknownOp = "unknown_op";
    public const string InvalidChannels = "invalid_channels";
    public const string UnknownChannel = "unknown_channel";
    public const string InvalidMarkets = "invalid_markets";
    public const string UnknownMarket = "unknown_market";
    public const string InvalidInterval = "invalid_interval";
    public const string AuthRequired = "auth_required";
    public const string InvalidToken = "invalid_token";
    public const string AlreadyAuthenticated = "already_authenticated";
    public const string NotSubscribed = "not_subscribed";
    public const string Unavailable = "unavailable";
}

/// <summary>
/// What a <c>/ws/v1</c> client may ask (docs/websocket.md): subscribe, unsubscribe, resync, auth, ping. Bad input
/// is answered with an <c>error</c> message naming the code, the reason and the field, and the socket stays open;
/// a request is applied whole or not at all. Requests of one connection are handled one after the other.
/// </summary>
public sealed partial class StreamProtocol(
    StreamConnection connection,
    StreamSubscribers subscribers,
    MarketDirectory markets,
    MarketDataReader reader,
    IServiceScopeFactory scopes,
    IConnectionMultiplexer redis,
    TimeProvider clock,
    StreamingOptions options,
    ILogger logger)
{
    /// <summary>How many recent trades a <c>trades</c> subscription starts with.</summary>
    public const int TradesSnapshot = 50;

    public Task RejectAsync(ErrorMessage error)
    {
        connection.Send(error, StreamJson.Default.ErrorMessage);
        return Task.CompletedTask;
    }

    public async Task HandleAsync(ReadOnlyMemory<byte> text)
    {
        StreamRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(text.Span, StreamJson.Default.StreamRequest);
        }
        catch (JsonException ex)
        {
            Error(null, StreamErrorCodes.InvalidMessage, "The message is not a JSON object of the documented shape.", ex.Path is { Length: > 2 } path ? path[2..] : null);
            return;
        }
        if (request is null)
        {
            Error(null, StreamErrorCodes.InvalidMessage, "The message is not a JSON object.", null);
            return;
        }
        try
        {
            switch (request.Op)
            {
                case "subscribe":
                    await SubscribeAsync(request).ConfigureAwait(false);
                    break;
                case "unsubscribe":
                    await UnsubscribeAsync(request).ConfigureAwait(false);
                    break;
                case "resync":
                    await ResyncAsync(request).ConfigureAwait(false);
                    break;
                case "auth":
                    await AuthenticateAsync(request).ConfigureAwait(false);
                    break;
                case "ping":
                    connection.Send(new PongMessage(request.Id, clock.GetUtcNow()), StreamJson.Default.PongMessage);
                    break;
                default:
                    Error(request.Id, StreamErrorCodes.UnknownOp, "op must be one of subscribe, unsubscribe, resync, auth, ping.", "op");
                    break;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or DbException)
        {
            LogUnavailable(ex, request.Op);
            Error(request.Id, StreamErrorCodes.Unavailable, "Market data could not be read just now; try again.", null);
        }
    }

    private sealed record Parsed(IReadOnlyList<string> Channels, IReadOnlyList<MarketInfo> Markets, string? Interval, IReadOnlyList<string> Topics);

    /// <summary>Validates channels, markets and interval; null when an error was sent.</summary>
    private async Task<Parsed?> ParseAsync(StreamRequest request, bool forSubscribe)
    {
        if (request.Channels is not { Length: > 0 } channels || channels.Any(string.IsNullOrEmpty))
        {
            Error(request.Id, StreamErrorCodes.InvalidChannels, "channels must list at least one of ticker, book, trades, candles, orders, fills, balances.", "channels");
            return null;
        }
        if (channels.FirstOrDefault(c => !StreamChannels.Public.Contains(c) && !StreamChannels.Private.Contains(c)) is { } unknown)
        {
            Error(request.Id, StreamErrorCodes.UnknownChannel, $"Unknown channel '{unknown}': the channels are ticker, book, trades, candles, orders, fills, balances.", "channels");
            return null;
        }
        var distinct = channels.Distinct(StringComparer.Ordinal).ToList();
        var found = new List<MarketInfo>();
        if (distinct.Any(StreamChannels.Public.Contains))
        {
            if (request.Markets is not { Length: > 0 } wanted)
            {
                Error(request.Id, StreamErrorCodes.InvalidMarkets, "markets must list at least one market, e.g. [\"BTC-USD\"], for ticker, book, trades and candles.", "markets");
                return null;
            }
            foreach (var symbol in wanted.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (await markets.FindAsync(symbol, CancellationToken.None).ConfigureAwait(false) is not { } market)
                {
                    Error(request.Id, StreamErrorCodes.UnknownMarket, $"Unknown market '{symbol}'.", "markets");
                    return null;
                }
                found.Add(market);
            }
        }
        string? interval = null;
        if (distinct.Contains(StreamChannels.Candles))
        {
            if (request.Interval is null || !StreamChannels.Intervals.ContainsKey(request.Interval))
            {
                Error(request.Id, StreamErrorCodes.InvalidInterval, "interval must be one of 1m, 5m, 15m, 1h, 4h, 1d, 1w for the candles channel.", "interval");
                return null;
            }
            interval = request.Interval;
        }
        if (forSubscribe && connection.User is null && distinct.FirstOrDefault(StreamChannels.Private.Contains) is { } privateChannel)
        {
            Error(request.Id, StreamErrorCodes.AuthRequired,
                $"The {privateChannel} channel needs a signed-in connection: send an auth message with an access token first, or sign the handshake with an API key.", "channels");
            return null;
        }
        var topics = new List<string>();
        foreach (var channel in distinct)
        {
            if (StreamChannels.Private.Contains(channel))
            {
                topics.Add(StreamChannels.Topic(channel));
                continue;
            }
            topics.AddRange(found.Select(m => StreamChannels.Topic(channel, m.Symbol, channel == StreamChannels.Candles ? interval : null)));
        }
        return new Parsed(distinct, found, interval, topics);
    }

    private async Task SubscribeAsync(StreamRequest request)
    {
        if (await ParseAsync(request, forSubscribe: true).ConfigureAwait(false) is not { } parsed)
        {
            return;
        }
        var added = parsed.Topics.Where(t => !connection.Follows(t)).ToList();
        if (connection.TopicCount + added.Count > options.MaxSubscriptions)
        {
            // Abuse, not a mistake: a client that needs more opens another connection.
            connection.Close(StreamCloseCodes.TooManySubscriptions, "too_many_subscriptions");
            return;
        }
        var books = parsed.Channels.Contains(StreamChannels.Book) ? parsed.Markets : [];
        foreach (var market in books)
        {
            // Before the index: every update queued after this marker waits for the snapshot below.
            connection.Enqueue(new Outgoing(OutgoingKind.BookFollow, [], market.Symbol));
        }
        connection.Send(new AckMessage("subscribed", request.Id, parsed.Channels, Symbols(parsed), parsed.Interval), StreamJson.Default.AckMessage);
        foreach (var topic in added)
        {
            subscribers.Follow(connection, topic);
        }
        // Followed first, read second: nothing published in between is missed (the pump drops what the snapshot includes).
        foreach (var market in parsed.Markets)
        {
            foreach (var channel in parsed.Channels)
            {
                await SnapshotAsync(channel, market, parsed.Interval).ConfigureAwait(false);
            }
        }
    }

    private async Task SnapshotAsync(string channel, MarketInfo market, string? interval)
    {
        switch (channel)
        {
            case StreamChannels.Book:
                await BookSnapshotAsync(market).ConfigureAwait(false);
                break;
            case StreamChannels.Ticker:
                var ticker = (await reader.TickersAsync([market], CancellationToken.None).ConfigureAwait(false))[0];
                connection.Send(new MarketMessage("snapshot", StreamChannels.Ticker, market.Symbol, JsonSerializer.SerializeToElement(ticker, StreamJson.Default.Ticker)),
                    StreamJson.Default.MarketMessage);
                break;
            case StreamChannels.Trades:
                var trades = (await reader.TradesAsync(market, TradesSnapshot, CancellationToken.None).ConfigureAwait(false)).Reverse().ToList();
                connection.Send(new MarketMessage("snapshot", StreamChannels.Trades, market.Symbol, JsonSerializer.SerializeToElement<IReadOnlyList<Domain.MarketData.PublicTrade>>(trades, StreamJson.Default.IReadOnlyListPublicTrade)),
                    StreamJson.Default.MarketMessage);
                break;
            case StreamChannels.Candles:
                // The latest bucket that traded, which need not be the current one (buckets without trades are left out);
                // 300 is the REST default, so the chart's request and this one share the cached answer.
                var candles = await reader.CandlesAsync(market, StreamChannels.Intervals[interval!], null, null, 300, CancellationToken.None).ConfigureAwait(false);
                if (candles is [.., var last])
                {
                    connection.Send(new CandleMessage("snapshot", market.Symbol, interval!, last), StreamJson.Default.CandleMessage);
                }
                break;
        }
    }

    private async Task BookSnapshotAsync(MarketInfo market)
    {
        // At the published depth, which the updates cover. A book read from PostgreSQL (Redis has none yet) has no
        // update number: epoch "0", so the client resyncs at the first update.
        var book = await reader.BookAsync(market, depth: null, CancellationToken.None).ConfigureAwait(false);
        var (epoch, sequence) = (book.Epoch ?? "0", book.Update ?? "0");
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new BookMessage("snapshot", market.Symbol, epoch, sequence, book.Sequence, book.Bids, book.Asks, book.At), StreamJson.Default.BookMessage);
        connection.Enqueue(new Outgoing(OutgoingKind.BookSnapshot, json, market.Symbol,
            Domain.MarketData.MarketDataJson.ParseSequence(epoch), Domain.MarketData.MarketDataJson.ParseSequence(sequence)));
    }

    private async Task UnsubscribeAsync(StreamRequest request)
    {
        if (await ParseAsync(request, forSubscribe: false).ConfigureAwait(false) is not { } parsed)
        {
            return;
        }
        foreach (var topic in parsed.Topics)
        {
            subscribers.Unfollow(connection, topic);
        }
        if (parsed.Channels.Contains(StreamChannels.Book))
        {
            foreach (var market in parsed.Markets)
            {
                connection.Enqueue(new Outgoing(OutgoingKind.BookUnfollow, [], market.Symbol));
            }
        }
        connection.Send(new AckMessage("unsubscribed", request.Id, parsed.Channels, Symbols(parsed), parsed.Interval), StreamJson.Default.AckMessage);
    }

    /// <summary>A fresh book snapshot of followed markets, after the client saw a gap.</summary>
    private async Task ResyncAsync(StreamRequest request)
    {
        if (request.Markets is not { Length: > 0 } wanted)
        {
            Error(request.Id, StreamErrorCodes.InvalidMarkets, "markets must list the markets whose book to resend.", "markets");
            return;
        }
        var found = new List<MarketInfo>();
        foreach (var symbol in wanted.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await markets.FindAsync(symbol, CancellationToken.None).ConfigureAwait(false) is not { } market)
            {
                Error(request.Id, StreamErrorCodes.UnknownMarket, $"Unknown market '{symbol}'.", "markets");
                return;
            }
            if (!connection.Follows(StreamChannels.Topic(StreamChannels.Book, market.Symbol)))
            {
                Error(request.Id, StreamErrorCodes.NotSubscribed, $"This connection does not follow the {market.Symbol} book: subscribe to it instead.", "markets");
                return;
            }
            found.Add(market);
        }
        foreach (var market in found)
        {
            connection.Enqueue(new Outgoing(OutgoingKind.BookFollow, [], market.Symbol));
            await BookSnapshotAsync(market).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Signs the connection in with an access token, validated by the same JWT bearer handler as every request and
    /// the hub (signature, lifetime, revoked session, stale access version). Sending a fresh token before the
    /// old one expires keeps the connection signed in.
    /// </summary>
    private async Task AuthenticateAsync(StreamRequest request)
    {
        if (connection.SignedInByHandshake)
        {
            Error(request.Id, StreamErrorCodes.AlreadyAuthenticated, "The handshake already authenticated this connection.", null);
            return;
        }
        if (string.IsNullOrEmpty(request.Token))
        {
            Error(request.Id, StreamErrorCodes.InvalidToken, "token must be an access token.", "token");
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Path = StreamingApi.Path;
        http.Request.Headers.Authorization = "Bearer " + request.Token;
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Error(request.Id, StreamErrorCodes.InvalidToken, "The access token is invalid or expired, or its session was revoked.", "token");
            return;
        }
        var user = result.Principal.UserId();
        if (connection.User is { } current && current != user)
        {
            Error(request.Id, StreamErrorCodes.InvalidToken, "The token is another user's: open another connection for them.", "token");
            return;
        }
        var session = result.Principal.SessionId();
        var previous = connection.User;
        connection.SignIn(user, session, result.Properties?.ExpiresUtc, byHandshake: false);
        subscribers.SignIn(connection, user, previous);
        // Registered first, checked second, as the hub does: a revocation announced in between is seen here or closes the registered socket.
        if (await SessionService.IsRevokedAsync(redis, session).ConfigureAwait(false))
        {
            connection.Close(StreamCloseCodes.SessionRevoked, "session_revoked");
            return;
        }
        connection.Send(new AuthenticatedMessage(request.Id, user.ToString(), result.Properties?.ExpiresUtc), StreamJson.Default.AuthenticatedMessage);
    }

    private static IReadOnlyList<string>? Symbols(Parsed parsed) => parsed.Markets.Count == 0 ? null : parsed.Markets.Select(m => m.Symbol).ToList();

    private void Error(JsonElement? id, string code, string reason, string? field) =>
        connection.Send(new ErrorMessage(id, code, reason, field), StreamJson.Default.ErrorMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A WebSocket feed request ({Op}) could not read market data")]
    private partial void LogUnavailable(Exception exception, string? op);
}
