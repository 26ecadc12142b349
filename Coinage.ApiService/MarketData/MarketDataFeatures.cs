using Coinage.Domain.MarketData;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coinage.ApiService.MarketData;

public static class MarketDataFeatures
{
    /// <summary>
    /// Market data: REST readers, the <c>/hubs/market</c> hub on a Redis backplane (the <c>redis</c>
    /// connection), the relay from the Worker's channels to this replica's connections, and the listener
    /// that closes connections of revoked sessions.
    /// </summary>
    public static IHostApplicationBuilder AddMarketData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MarketDataApiOptions>().Bind(builder.Configuration.GetSection(MarketDataApiOptions.Section));
        builder.Services.AddSingleton<MarketDirectory>();
        builder.Services.AddSingleton<MarketDataReader>();
        builder.Services.AddSingleton<MarketSubscribers>();
        builder.Services.AddHostedService<MarketDataRelay>();
        builder.Services.AddHostedService<RevokedSessionListener>();
        var prefix = builder.Configuration[MarketDataKeys.PrefixSetting] ?? "";
        builder.Services.AddSignalR(hub =>
            {
                // Clients only call Subscribe/Unsubscribe with a symbol: a small message limit is plenty.
                hub.MaximumReceiveMessageSize = 4 * 1024;
                hub.EnableDetailedErrors = false;
            })
            .AddStackExchangeRedis();
        // The backplane owns its connection (it unsubscribes everything and disposes it when the host stops), so it
        // cannot ride on the shared multiplexer of AddRedisClient; it connects with that client's options instead (the
        // connection string and the Aspire:StackExchange:Redis settings), under a channel prefix of its own.
        builder.Services.AddOptions<RedisOptions>()
            .Configure<IOptionsMonitor<ConfigurationOptions>>((backplane, redis) =>
            {
                backplane.Configuration = redis.Get(Options.DefaultName).Clone();
                backplane.Configuration.ChannelPrefix = RedisChannel.Literal(prefix + "signalr");
            });
        return builder;
    }
}
