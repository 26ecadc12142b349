using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Coinage.Domain.Redis;

public static class CoinageRedisExtensions
{
    /// <summary>The Aspire resource name of Redis: configuration key <c>ConnectionStrings:redis</c>.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// Registers the one shared <see cref="IConnectionMultiplexer"/> for <c>ConnectionStrings:redis</c>
    /// (StackExchange.Redis configuration syntax, e.g. <c>127.0.0.1:6379,password=…</c>) through the Aspire
    /// client integration (<c>AddRedisClient</c>: its health check and the Redis command traces). Everything of
    /// ours that talks to Redis (sessions, rate limits, market data, the SignalR backplane) uses this connection.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>ConnectionStrings:redis</c> is missing.</exception>
    public static IHostApplicationBuilder AddCoinageRedis(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException(
                $"The connection string 'ConnectionStrings:{ConnectionName}' is missing. The AppHost passes it as ConnectionStrings__{ConnectionName}; " +
                "outside the AppHost set it in configuration or the environment.");
        }

        // Start and keep serving while Redis is down (the health check reports it) instead of failing at start;
        // the multiplexer reconnects on its own. Aspire's default too, but only while the options keep its default
        // provider: set here, it holds even where a connection string says abortConnect=true.
        builder.AddRedisClient(ConnectionName, configureOptions: options => options.AbortOnConnectFail = false);
        return builder;
    }
}
