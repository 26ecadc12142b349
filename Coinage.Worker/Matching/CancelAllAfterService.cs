using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coinage.Worker.Matching;

/// <summary>
/// Fires the dead man's switches (<c>POST /api/v1/orders/cancel-all-after</c>) whose deadline has passed: every
/// <see cref="PollInterval"/>, one transaction deletes them and appends the cancel-all commands the matching hosts
/// then process like any other (<see cref="CancelAllAfterSql.FireExpired"/>), and NOTIFY wakes those hosts.
/// <para>
/// A timer in the Worker rather than a Hangfire recurring job: Hangfire's schedule has a one-minute grain, and a
/// switch is set in seconds (Kraken suggests 60 s, renewed every 15-30 s); a once-a-second probe of the deadline
/// index costs next to nothing. Every replica runs it: the delete makes each switch fire exactly once, and the
/// deadline lives in PostgreSQL, so neither an API nor a Worker restart loses it.
/// </para>
/// </summary>
internal sealed partial class CancelAllAfterService(
    IDbContextFactory<CoinageDbContext> contexts, IConfiguration configuration, TimeProvider clock, ILogger<CancelAllAfterService> logger) : BackgroundService
{
    public TimeSpan PollInterval { get; } = configuration.GetValue<TimeSpan?>("Coinage:CancelAllAfter:PollInterval") ?? TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await FireExpiredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Before the API has migrated the database, or during an outage: the next tick tries again.
                LogFireFailed(exception);
            }
        }
    }

    /// <summary>Fires what has expired; returns the number of cancel-all commands appended.</summary>
    internal async Task<int> FireExpiredAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var markets = new List<int>();
        await using (var fire = new NpgsqlBatch(connection, tx) { BatchCommands = { CancelAllAfterSql.FireExpired(clock.GetUtcNow()) } })
        await using (var reader = await fire.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                markets.Add(reader.GetInt32(0));
            }
        }
        if (markets.Count > 0)
        {
            await using var notify = new NpgsqlBatch(connection, tx)
            {
                BatchCommands =
                {
                    ExchangeSql.Statement("SELECT pg_notify($1, m::text) FROM unnest($2::int[]) AS m", ExchangeCatalog.CommandsChannel, markets.Distinct().ToArray()),
                },
            };
            await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (markets.Count > 0)
        {
            LogFired(markets.Count);
        }
        return markets.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead man's switches fired: {Commands} cancel-all commands appended")]
    private partial void LogFired(int commands);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fire the expired dead man's switches")]
    private partial void LogFireFailed(Exception exception);
}

public static class CancelAllAfterFeatures
{
    /// <summary>The Worker side of the dead man's switch: the timer that fires expired switches.</summary>
    public static IHostApplicationBuilder AddCancelAllAfter(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHostedService<CancelAllAfterService>();
        return builder;
    }
}
