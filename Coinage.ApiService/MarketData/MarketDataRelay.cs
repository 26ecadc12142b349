using System.Collections.Concurrent;
using System.Text.Json;
using Coinage.Domain.MarketData;
using StackExchange.Redis;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.MarketData;

/// <summary>
/// Relays the Worker's Redis channels to this replica's hub connections (<see cref="MarketSubscribers"/>):
/// book updates and trades to a market's followers, private events to a user's connections, and every
/// <see cref="MarketDataApiOptions.TickerInterval"/> a ticker of each followed market that moved. Messages
/// of one pattern are handled one at a time, in the order Redis delivered them (a queue, not concurrent
/// handlers), which is what keeps book sequences consecutive for the client.
/// <para>
/// A ticker's 24-hour statistics come from a cache that may be up to <see cref="MarketDataApiOptions.CacheDuration"/>
/// older than the trade that moved the market, so a moved market stays due until the cache must have caught up,
/// and a ticker is pushed again only when it changed: the trade reaches the ticker within that time, not at the
/// next refresh.
/// </para>
/// </summary>
public sealed partial class MarketDataRelay(
    IConnectionMultiplexer redis,
    MarketSubscribers subscribers,
    MarketDirectory markets,
    MarketDataReader reader,
    TimeProvider clock,
    IOptions<MarketDataApiOptions> options,
    ILogger<MarketDataRelay> logger) : BackgroundService
{
    /// <summary>When each market last moved (a book update or a trade).</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _moved = new(StringComparer.Ordinal);

    /// <summary>The last ticker pushed per market, without its time; read and written by the ticker loop only.</summary>
    private readonly Dictionary<string, Ticker> _pushed = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var keys = reader.Keys;
        var subscriber = redis.GetSubscriber();
        ChannelMessageQueue? marketQueue = null, userQueue = null;
        try
        {
            marketQueue = await RedisSubscription.SubscribeAsync(subscriber, RedisChannel.Pattern(keys.MarketPattern), clock, LogSubscribeFailed, stoppingToken).ConfigureAwait(false);
            userQueue = await RedisSubscription.SubscribeAsync(subscriber, RedisChannel.Pattern(keys.UserPattern), clock, LogSubscribeFailed, stoppingToken).ConfigureAwait(false);
            marketQueue.OnMessage(message => Relay(keys, message));
            userQueue.OnMessage(message => Relay(keys, message));
            await TickersAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (marketQueue is not null)
            {
                await marketQueue.UnsubscribeAsync().ConfigureAwait(false);
            }
            if (userQueue is not null)
            {
                await userQueue.UnsubscribeAsync().ConfigureAwait(false);
            }
        }
    }

    private void Relay(MarketDataKeys keys, ChannelMessage message)
    {
        try
        {
            if (!keys.TryParseChannel(message.Channel.ToString(), out var kind, out var subject, out var topic))
            {
                return;
            }
            if (kind == "market")
            {
                _moved[subject] = clock.GetUtcNow();
                var method = topic switch { "book" => "bookUpdate", "trades" => "trades", "status" => "marketStatus", _ => null };
                if (method is not null && subscribers.IsFollowed(subject))
                {
                    // Parsed once, written as is to every follower (a JsonElement serializes to its own text).
                    subscribers.SendToMarket(subject, method, Parse(message.Message));
                }
            }
            else if (Guid.TryParseExact(subject, "N", out var user) && subscribers.HasUser(user))
            {
                foreach (var e in Parse(message.Message).EnumerateArray())
                {
                    subscribers.SendToUser(user, e.GetProperty("event").GetString()!, e.GetProperty("data"));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            LogBadMessage(ex, message.Channel.ToString());
        }
    }

    private async Task TickersAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var lastFull = clock.GetUtcNow();
        using var timer = new PeriodicTimer(settings.TickerInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var now = clock.GetUtcNow();
            var everyone = now - lastFull >= settings.TickerRefresh;
            if (everyone)
            {
                lastFull = now;
            }
            // Statistics cached before a move are gone CacheDuration after it; one more tick reads fresh ones.
            foreach (var (market, at) in _moved)
            {
                if (now - at > settings.CacheDuration + settings.TickerInterval)
                {
                    _moved.TryRemove(KeyValuePair.Create(market, at)); // only if no newer move came in since
                }
            }
            var due = subscribers.Markets.Where(m => everyone || _moved.ContainsKey(m)).ToList();
            if (due.Count == 0)
            {
                continue;
            }
            try
            {
                var all = await markets.AllAsync(stoppingToken).ConfigureAwait(false);
                var tickers = await reader.TickersAsync(due.Where(all.ContainsKey).Select(m => all[m]), stoppingToken).ConfigureAwait(false);
                foreach (var ticker in tickers)
                {
                    var content = ticker with { At = default };
                    if (everyone || !_pushed.TryGetValue(ticker.Symbol, out var previous) || previous != content)
                    {
                        _pushed[ticker.Symbol] = content;
                        subscribers.SendToMarket(ticker.Symbol, "ticker", ticker);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTickerFailed(ex);
            }
        }
    }

    private static JsonElement Parse(RedisValue value)
    {
        using var document = JsonDocument.Parse((string)value!);
        return document.RootElement.Clone();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the market-data channels; retrying")]
    private partial void LogSubscribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable market-data message on {Channel}")]
    private partial void LogBadMessage(Exception exception, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not compute the tickers to push")]
    private partial void LogTickerFailed(Exception exception);
}
