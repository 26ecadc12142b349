using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coinage.Domain.Data;

/// <summary>
/// Owns the schema of <c>coinagedb</c>. The ApiService is the owner: each replica calls
/// <see cref="MigrateAsync"/> before serving, and a session-level advisory lock makes replicas
/// that start together take turns, so the first applies the migrations and the rest find
/// nothing pending. Other services (the Worker) never migrate: they call
/// <see cref="WaitUntilMigratedAsync"/>, which returns once the database is at least as new as
/// the migrations they were built with.
/// </summary>
public sealed partial class DatabaseMigrator(
    IDbContextFactory<CoinageDbContext> contextFactory,
    NpgsqlDataSource dataSource,
    ILogger<DatabaseMigrator> logger)
{
    /// <summary>Key of the advisory lock held while migrating: "CoinMigr" in ASCII.</summary>
    public const long AdvisoryLockKey = 0x436F_696E_4D69_6772;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Applies pending migrations under <see cref="AdvisoryLockKey"/>; returns the ones this call applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        // The lock lives on its own connection, held for the whole run, because EF opens and
        // closes its connections as it goes and a session lock dies with its session.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(lockConnection, "SELECT pg_advisory_lock(@key)", cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = await contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var pending = await PendingMigrationsAsync(context, cancellationToken).ConfigureAwait(false);
            if (pending.Count == 0)
            {
                LogUpToDate(logger);
                return [];
            }
            LogApplying(logger, pending.Count, string.Join(", ", pending));
            // Npgsql's provider reads the history table before creating it, and EF logs the
            // failed read as an error on every fresh database; create it first (under our lock).
            await context.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            LogApplied(logger, pending.Count);
            return pending;
        }
        finally
        {
            try
            {
                // Not cancellable: the lock must not outlive this call on a pooled connection.
                await ExecuteAsync(lockConnection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException exception)
            {
                // A broken session has released the lock already; keep the original error visible.
                LogUnlockFailed(logger, exception);
            }
        }
    }

    /// <summary>
    /// Polls until no migration of this build is pending, backing off from 200 ms to 5 s and
    /// riding out an unreachable or missing database; ends early only through
    /// <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task WaitUntilMigratedAsync(CancellationToken cancellationToken = default)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await using var context = await contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
                var pending = await PendingMigrationsAsync(context, cancellationToken).ConfigureAwait(false);
                if (pending.Count == 0)
                {
                    LogUpToDate(logger);
                    return;
                }
                LogWaiting(logger, pending.Count, delay);
            }
            catch (Exception exception) when ((exception is NpgsqlException or TimeoutException) && !cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(logger, exception, delay);
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <remarks>
    /// Asks whether the history table exists first: Npgsql's provider assumes it does, reads it,
    /// and EF logs the "relation does not exist" failure as an error, once per poll on a fresh
    /// database. <c>to_regclass</c> resolves the name through <c>search_path</c>, as EF's
    /// unqualified <c>CREATE TABLE</c> does.
    /// </remarks>
    private async Task<IReadOnlyList<string>> PendingMigrationsAsync(CoinageDbContext context, CancellationToken cancellationToken)
    {
        await using var exists = dataSource.CreateCommand($"SELECT to_regclass('\"{HistoryRepository.DefaultTableName}\"') IS NOT NULL");
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
        {
            return context.Database.GetMigrations().ToList();
        }
        return (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", AdvisoryLockKey);
        // Another replica may hold the lock for as long as its migrations take.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private static partial void LogUpToDate(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s): {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} migration(s)")]
    private static partial void LogApplied(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the migration lock; the session is gone, and the lock with it")]
    private static partial void LogUnlockFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for {Count} migration(s) to be applied by the ApiService; next check in {Delay}")]
    private static partial void LogWaiting(ILogger logger, int count, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database not reachable while waiting for migrations; next check in {Delay}")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, TimeSpan delay);
}
