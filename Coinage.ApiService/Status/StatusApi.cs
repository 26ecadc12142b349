using System.Data.Common;
using System.Reflection;
using Coinage.Domain.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Coinage.ApiService.Status;

/// <summary>
/// <c>GET /api/v1/status</c>: what a person (or the front end's footer) wants to know at a glance:
/// which build answers, whether its database and Redis respond, and when the back office last
/// showed a sign of life. Probes use <c>/health</c>, which answers 503; this always answers 200.
/// </summary>
public static class StatusApi
{
    public const string ServiceName = "apiservice";

    private static readonly TimeSpan ComponentTimeout = TimeSpan.FromSeconds(3);

    private static readonly string Version =
        typeof(StatusApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(StatusApi).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static IEndpointRouteBuilder MapStatusApi(this IEndpointRouteBuilder routes)
    {
        var status = routes.MapGroup("/api/v1/status").WithTags("Status");
        status.MapGet("", GetStatusAsync)
            .WithName("GetStatus")
            .WithSummary("Service status")
            .WithDescription("The build that answers, whether PostgreSQL and Redis respond (\"ok\" or \"unavailable\"), " +
                "and the time of the newest back-office heartbeat (null if none yet or the database is unavailable).")
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        return routes;
    }

    public static async Task<Ok<StatusResponse>> GetStatusAsync(
        CoinageDbContext db, IConnectionMultiplexer redis, TimeProvider clock, CancellationToken cancellationToken)
    {
        var database = ReadLastHeartbeatAsync(db, cancellationToken);
        var cache = PingRedisAsync(redis, cancellationToken);
        var (databaseOk, lastHeartbeatAt) = await database.ConfigureAwait(false);
        var redisOk = await cache.ConfigureAwait(false);
        return TypedResults.Ok(new StatusResponse(
            ServiceName,
            Version,
            databaseOk ? ComponentStatus.Ok : ComponentStatus.Unavailable,
            redisOk ? ComponentStatus.Ok : ComponentStatus.Unavailable,
            lastHeartbeatAt?.ToUniversalTime(),
            clock.GetUtcNow()));
    }

    private static async Task<(bool Ok, DateTimeOffset? LastHeartbeatAt)> ReadLastHeartbeatAsync(CoinageDbContext db, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ComponentTimeout);
        try
        {
            var last = await db.Heartbeats
                .OrderByDescending(h => h.RecordedAt)
                .Select(h => (DateTimeOffset?)h.RecordedAt)
                .FirstOrDefaultAsync(timeout.Token)
                .ConfigureAwait(false);
            return (true, last);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            return (false, null);
        }
    }

    private static async Task<bool> PingRedisAsync(IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        // While disconnected, commands wait in the backlog until their timeout; answer at once instead.
        if (!redis.IsConnected)
        {
            return false;
        }
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(ComponentTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return false;
        }
    }

    private static bool IsUnavailable(Exception exception, CancellationToken requestAborted) =>
        exception switch
        {
            OperationCanceledException => !requestAborted.IsCancellationRequested,
            DbException or TimeoutException => true,
            // Npgsql's execution strategy wraps transient failures in an InvalidOperationException.
            InvalidOperationException { InnerException: DbException or TimeoutException } => true,
            _ => false,
        };
}

/// <summary>The answer of <c>GET /api/v1/status</c>.</summary>
/// <param name="Service">Always "apiservice".</param>
/// <param name="Version">Informational version of the build.</param>
/// <param name="Database">"ok" or "unavailable".</param>
/// <param name="Redis">"ok" or "unavailable".</param>
/// <param name="LastHeartbeatAt">When a worker last recorded a heartbeat (UTC), or null.</param>
/// <param name="ServerTime">The server's clock (UTC).</param>
public sealed record StatusResponse(
    string Service,
    string Version,
    string Database,
    string Redis,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset ServerTime);

public static class ComponentStatus
{
    public const string Ok = "ok";
    public const string Unavailable = "unavailable";
}
