using Coinage.Domain.Redis;
using Npgsql;

namespace Coinage.Worker.Infrastructure;

internal static class ReadinessChecks
{
    public const string ReadyTag = "ready";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL and Redis, for <c>/health</c> only (not tagged "live": an outage is not cured by a restart).</summary>
    public static IHostApplicationBuilder AddReadinessChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddNpgSql(services => services.GetRequiredService<NpgsqlDataSource>(), name: "postgres", tags: [ReadyTag], timeout: Timeout)
            .AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag], timeout: Timeout);
        return builder;
    }
}
