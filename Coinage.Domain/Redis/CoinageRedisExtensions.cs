using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Coinage.Domain.Redis;

public static class CoinageRedisExtensions
{
    /// <summary>The Aspire resource name of Redis: configuration key <c>ConnectionStrings:redis</c>.</summary>
    public const string ConnectionName = "redis";

    /// <summary>
    /// Registers one shared <see cref="IConnectionMultiplexer"/> for <c>ConnectionStrings:redis</c>
    /// (StackExchange.Redis configuration syntax, e.g. <c>127.0.0.1:6379,password=…</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>ConnectionStrings:redis</c> is missing.</exception>
    public static IHostApplicationBuilder AddCoinageRedis(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"The connection string 'ConnectionStrings:{ConnectionName}' is missing. The AppHost passes it as ConnectionStrings__{ConnectionName}; " +
                "outside the AppHost set it in configuration or the environment.");
        }
        var options = ConfigurationOptions.Parse(connectionString);
        // Start and keep serving while Redis is down (the health check reports it) instead of
        // failing the first resolution; the multiplexer reconnects on its own.
        options.AbortOnConnectFail = false;

        builder.Services.TryAddSingleton<IConnectionMultiplexer>(services =>
        {
            options.LoggerFactory ??= services.GetService<ILoggerFactory>();
            return ConnectionMultiplexer.Connect(options);
        });
        return builder;
    }
}
