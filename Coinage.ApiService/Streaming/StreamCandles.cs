using Coinage.ApiService.MarketData;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Streaming;

/// <summary>
/// The <c>candles</c> channel: the Worker publishes trades, not candles, so every <see cref="MarketDataApiOptions.TickerInterval"/>
/// each followed market × interval that traded lately gets its latest candle read again (through the candles
/// cache shared with REST) and pushed when it changed. Like the ticker, the cache may lag a trade by
/// <see cref="MarketDataApiOptions.CacheDuration"/>, so a market stays due that long after its last trade. The two
/// latest buckets are read, not one: a trade in the last moments of a bucket is often first read after the bucket
/// closed, and its candle would otherwise never be pushed. Candles go out oldest first and never older than one
/// already pushed, so a client may apply them as lightweight-charts' <c>update</c> does.
/// </summary>
public sealed partial class StreamCandles(
    StreamSubscribers subscribers,
    MarketDirectory markets,
    MarketDataReader reader,
    TimeProvider clock,
    IOptions<MarketDataApiOptions> options,
    ILogger<StreamCandles> logger) : BackgroundService
{
    private readonly Dictionary<string, Candle> _pushed = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.TickerInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await PushAsync(settings, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PushAsync(MarketDataApiOptions settings, CancellationToken cancellationToken)
    {
        var followed = subscribers.Followed(StreamChannels.Candles);
        foreach (var gone in _pushed.Keys.Except(followed).ToList())
        {
            _pushed.Remove(gone);
        }
        var now = clock.GetUtcNow();
        IReadOnlyDictionary<string, MarketInfo>? all = null;
        foreach (var topic in followed)
        {
            var parts = topic.Split(':'); // candles:{market}:{interval}
            if (parts.Length != 3 || !StreamChannels.Intervals.TryGetValue(parts[2], out var interval)
                || subscribers.LastTraded(parts[1]) is not { } traded || now - traded > settings.CacheDuration + 2 * settings.TickerInterval)
            {
                continue;
            }
            all ??= await markets.AllAsync(cancellationToken).ConfigureAwait(false);
            if (!all.TryGetValue(parts[1], out var market))
            {
                continue;
            }
            var candles = await reader.CandlesAsync(market, interval, null, null, 2, cancellationToken).ConfigureAwait(false);
            // A topic pushed for the first time: its subscribers' snapshots hold at most the latest candle, so nothing older.
            foreach (var candle in _pushed.ContainsKey(topic) ? candles : candles.TakeLast(1))
            {
                if (_pushed.TryGetValue(topic, out var previous) && (candle.Time < previous.Time || candle == previous))
                {
                    continue;
                }
                _pushed[topic] = candle;
                subscribers.Publish(topic, Outgoing.Message(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
                    new CandleMessage("update", market.Symbol, parts[2], candle), StreamJson.Default.CandleMessage)));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not compute the candles to push on the WebSocket feed")]
    private partial void LogFailed(Exception exception);
}
