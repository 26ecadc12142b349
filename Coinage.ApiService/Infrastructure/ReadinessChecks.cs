using Coinage.Domain.Redis;
using Npgsql;

namespace Coinage.ApiService.Infrastructure;

internal static class ReadinessChecks
{
    public const string ReadyTag = "ready";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PostgreSQL and Redis, for <c>/health</c> only: they are not tagged "live", because a
    /// replica that lost its database should leave the load balancer, not be restarted.
    /// </summary>
    public static IHostApplicationBuilder AddReadinessChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddNpgSql(services => services.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: [ReadyTag], timeout: Timeout)
            .AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag], timeout: Timeout);
        return builder;
    }
}
