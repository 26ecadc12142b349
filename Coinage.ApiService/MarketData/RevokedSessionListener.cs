using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Streaming;
using StackExchange.Redis;

namespace Coinage.ApiService.MarketData;

/// <summary>
/// A hub or WebSocket feed connection checks its access token once, when it opens (or signs in). When a session is revoked (sign-out,
/// "sign out everywhere else", a password change or reset, an Admin lock), every replica hears of it on
/// <see cref="SessionService.RevocationChannel"/> and closes its own connections of that session at once,
/// so they stop receiving the user's orders, fills and balances. A reconnect with that token fails
/// authentication and is a visitor's connection: markets, nothing private.
/// </summary>
public sealed partial class RevokedSessionListener(
    IConnectionMultiplexer redis,
    MarketSubscribers subscribers,
    StreamSubscribers streams,
    TimeProvider clock,
    ILogger<RevokedSessionListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChannelMessageQueue queue;
        try
        {
            queue = await RedisSubscription.SubscribeAsync(redis.GetSubscriber(), RedisChannel.Literal(SessionService.RevocationChannel), clock,
                LogSubscribeFailed, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        queue.OnMessage(message =>
        {
            var sessions = ((string?)message.Message ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(id => Guid.TryParseExact(id, "N", out var session) ? session : Guid.Empty)
                .Where(id => id != Guid.Empty)
                .ToHashSet();
            if (sessions.Count > 0 && subscribers.AbortSessions(sessions) + streams.CloseSessions(sessions) is var aborted and > 0)
            {
                LogAborted(aborted);
            }
        });
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await queue.UnsubscribeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to session revocations; retrying")]
    private partial void LogSubscribeFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed {Count} hub and WebSocket feed connections of revoked sessions")]
    private partial void LogAborted(int count);
}
