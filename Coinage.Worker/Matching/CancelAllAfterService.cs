using Coinage.Domain.Audit;
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

    /// <summary>Audit action of a fired switch: by the system (no actor), about the switch's owner.</summary>
    public const string FiredAction = "orders.cancel_all_after_fired";

    /// <summary>
    /// Fires what has expired; returns the number of cancel-all commands appended. Each fired switch is audited in the
    /// same transaction, with the live orders it covered: what its cancel-all commands cancel (an order that fills
    /// completely before its matching host reaches the command is not cancelled, it is done).
    /// </summary>
    internal async Task<int> FireExpiredAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var fired = new List<FiredSwitch>();
        await using (var fire = new NpgsqlBatch(connection, tx) { BatchCommands = { CancelAllAfterSql.FireExpired(now) } })
        await using (var reader = await fire.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                fired.Add(new FiredSwitch(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4), reader.GetFieldValue<int[]>(5)));
            }
        }
        if (fired.Count == 0)
        {
            return 0;
        }

        // The audit chain's lock, taken only when something fired (after the switch rows and the commands, as every
        // writer takes it last).
        (long, string) head;
        await using (var chain = new NpgsqlBatch(connection, tx))
        {
            foreach (var statement in AuditLog.LockAndReadHead())
            {
                chain.BatchCommands.Add(statement);
            }
            await using var reader = await chain.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            head = await AuditLog.ReadHeadAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        var audit = fired.Select(f => new AuditAppend(FiredAction, now, null, f.UserId, null,
            new { market = f.Market ?? "all", deadline = f.Deadline, cancelledOrders = f.LiveOrders, markets = f.Markets.Length })).ToList();
        var markets = fired.SelectMany(f => f.Markets).Distinct().ToArray();
        await using (var write = new NpgsqlBatch(connection, tx))
        {
            write.BatchCommands.Add(ExchangeSql.InsertAuditEntries(AuditLog.Chain(audit, head)));
            if (markets.Length > 0)
            {
                write.BatchCommands.Add(ExchangeSql.Statement("SELECT pg_notify($1, m::text) FROM unnest($2::int[]) AS m", ExchangeCatalog.CommandsChannel, markets));
            }
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        // An owner's switches for all markets and for one market share that market's command.
        var commands = fired.SelectMany(f => f.Markets.Select(m => (f.Owner, m))).Distinct().Count();
        LogFired(fired.Count, commands);
        return commands;
    }

    /// <summary>One fired switch: its owner, the market it covered (null: all), and the live orders and markets its commands cancel.</summary>
    private sealed record FiredSwitch(long Owner, Guid? UserId, string? Market, DateTimeOffset Deadline, int LiveOrders, int[] Markets);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead man's switches fired: {Switches} switches, {Commands} cancel-all commands appended")]
    private partial void LogFired(int switches, int commands);

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
