using Coinage.Domain.Data;
using Coinage.Worker.Infrastructure;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.Server;
using Npgsql;

namespace Coinage.Worker.Hangfire;

/// <summary>
/// Starts this replica's Hangfire server only once the ApiService has migrated the database,
/// without holding up the web host: <c>/alive</c> answers at once and <c>/health</c> stays
/// unready (check "jobs") until the server runs. Then it declares every <see cref="IJobSchedule"/>.
/// </summary>
internal sealed partial class HangfireServerHost(
    IServiceProvider services,
    DatabaseMigrator migrator,
    JobsStartupGate gate,
    ServiceInstance instance,
    ILogger<HangfireServerHost> logger) : BackgroundService
{
    /// <summary>Key of the advisory lock held while installing Hangfire's schema: "CoinHang" in ASCII.</summary>
    private const long SchemaLockKey = 0x436F_696E_4861_6E67;

    private BackgroundJobServerHostedService? _server;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrator.WaitUntilMigratedAsync(stoppingToken).ConfigureAwait(false);
        await InstallSchemaAsync(stoppingToken).ConfigureAwait(false);

        // Applies the serializer settings before the first job is written.
        services.GetRequiredService<IGlobalConfiguration>();
        _server = CreateServer();
        await _server.StartAsync(stoppingToken).ConfigureAwait(false);

        var recurringJobs = services.GetRequiredService<IRecurringJobManager>();
        var jobs = services.GetRequiredService<IBackgroundJobClient>();
        foreach (var schedule in services.GetServices<IJobSchedule>())
        {
            schedule.Declare(recurringJobs, jobs);
        }
        gate.Open();
        LogStarted(logger, instance.Name);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _server?.Dispose();
        base.Dispose();
    }

    /// <summary>Replicas starting together take turns, so the install scripts never race.</summary>
    private async Task InstallSchemaAsync(CancellationToken cancellationToken)
    {
        var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(HangfireExtensions.DataSourceKey);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            command.Parameters.AddWithValue("key", SchemaLockKey);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, HangfireExtensions.SchemaName);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", SchemaLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private BackgroundJobServerHostedService CreateServer()
    {
        var options = new BackgroundJobServerOptions
        {
            ServerName = instance.Name,
            Activator = services.GetRequiredService<JobActivator>(),
            FilterProvider = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers,
        };
        return new BackgroundJobServerHostedService(
            services.GetRequiredService<JobStorage>(),
            options,
            services.GetServices<IBackgroundProcess>(),
            services.GetRequiredService<IHostApplicationLifetime>());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hangfire server {ServerName} started; recurring jobs declared")]
    private static partial void LogStarted(ILogger logger, string serverName);
}
