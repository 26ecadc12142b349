using StackExchange.Redis;

namespace Coinage.ApiService.MarketData;

/// <summary>Subscribing to a Redis channel from a background service that may start while Redis is down.</summary>
internal static class RedisSubscription
{
    /// <summary>
    /// Tries every second until Redis accepts the subscription (<paramref name="failed"/> hears of each
    /// failure); once subscribed, the multiplexer resubscribes by itself after reconnects. Throws
    /// <see cref="OperationCanceledException"/> when stopped first.
    /// </summary>
    public static async Task<ChannelMessageQueue> SubscribeAsync(
        ISubscriber subscriber, RedisChannel channel, TimeProvider clock, Action<Exception> failed, CancellationToken stoppingToken)
    {
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                return await subscriber.SubscribeAsync(channel).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                failed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
