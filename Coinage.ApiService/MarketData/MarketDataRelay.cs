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
    /// <summary>Even without trades the 24-hour window slides; followed markets get a fresh ticker at least this often.</summary>
    private static readonly TimeSpan TickerRefresh = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, bool> _moved = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var keys = reader.Keys;
        var subscriber = redis.GetSubscriber();
        ChannelMessageQueue? marketQueue = null, userQueue = null;
        try
        {
            // Redis may be down at start: keep trying; once subscribed, the multiplexer resubscribes after reconnects.
            while (!stoppingToken.IsCancellationRequested && (marketQueue is null || userQueue is null))
            {
                try
                {
                    marketQueue ??= await subscriber.SubscribeAsync(RedisChannel.Pattern(keys.MarketPattern)).ConfigureAwait(false);
                    userQueue ??= await subscriber.SubscribeAsync(RedisChannel.Pattern(keys.UserPattern)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    LogSubscribeFailed(ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ConfigureAwait(false);
                }
            }
            if (marketQueue is null || userQueue is null)
            {
                return;
            }
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
                _moved[subject] = true;
                var method = topic switch { "book" => "bookUpdate", "trades" => "trades", _ => null };
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
        var lastFull = clock.GetUtcNow();
        using var timer = new PeriodicTimer(options.Value.TickerInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var followed = subscribers.Markets;
            var everyone = clock.GetUtcNow() - lastFull >= TickerRefresh;
            if (everyone)
            {
                lastFull = clock.GetUtcNow();
            }
            var due = followed.Where(m => everyone || _moved.TryRemove(m, out _)).ToList();
            _moved.Clear();
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
                    subscribers.SendToMarket(ticker.Symbol, "ticker", ticker);
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
