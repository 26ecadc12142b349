using Coinage.Domain.Data;
using Coinage.Worker.Infrastructure;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Npgsql;

namespace Coinage.Worker.Hangfire;

internal static class HangfireExtensions
{
    public const string SchemaName = "hangfire";
    public const string DashboardPath = "/hangfire";

    /// <summary>Key of Hangfire's own <see cref="NpgsqlDataSource"/> in the service container.</summary>
    public const string DataSourceKey = "hangfire";

    /// <summary>
    /// Hangfire on PostgreSQL (schema <c>hangfire</c> of <c>coinagedb</c>) with a server that starts
    /// only after the ApiService has migrated the database (<see cref="HangfireServerHost"/>).
    /// </summary>
    /// <remarks>
    /// Storage and activator are registered here, per service provider, instead of through
    /// Hangfire's static <c>JobStorage.Current</c>/<c>JobActivator.Current</c>, so two hosts in
    /// one process (the tests) never share them.
    /// </remarks>
    public static IHostApplicationBuilder AddCoinageHangfire(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(CoinageDataExtensions.ConnectionName)
            ?? throw new InvalidOperationException($"The connection string 'ConnectionStrings:{CoinageDataExtensions.ConnectionName}' is missing.");

        builder.Services.AddKeyedSingleton(DataSourceKey, (_, _) => BuildDataSource(connectionString));
        builder.Services.AddSingleton<JobStorage>(services => new PostgreSqlStorage(
            new DataSourceConnectionFactory(services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)),
            new PostgreSqlStorageOptions
            {
                SchemaName = SchemaName,
                // Installed by HangfireServerHost once the database is ready; the constructor
                // would otherwise connect while the container is still being built.
                PrepareSchemaIfNecessary = false,
                // LISTEN/NOTIFY: an enqueued job starts at once instead of on the next poll.
                EnableLongPolling = true,
                // A crashed replica's jobs are picked up within minutes, not after 30.
                UseSlidingInvisibilityTimeout = true,
            }));
        builder.Services.AddSingleton<JobActivator>(services => new AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((services, configuration) => configuration
            .UseLogProvider(new HostLogProvider(services.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        builder.Services.AddSingleton(ServiceInstance.FromConfiguration(builder.Configuration));
        builder.Services.AddSingleton<JobsStartupGate>();
        builder.Services.AddHostedService<HangfireServerHost>();
        // Not tagged "live": like the database and Redis checks, it belongs to /health (ready), not /alive.
        builder.Services.AddHealthChecks().AddCheck<JobsStartupHealthCheck>("jobs");
        builder.AddDashboardAccess();
        return builder;
    }

    /// <summary>The Hangfire dashboard at <c>/hangfire</c>; see <see cref="DashboardAccess"/> for who may open it.</summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseDashboardAccess();
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "Coinage jobs",
            DisplayStorageConnectionString = false,
            Authorization = [new AdminDashboardAuthorizationFilter(app.Environment, app.Configuration.GetValue(DashboardAccess.AllowLocalAnonymousSetting, false))],
        });
        return app;
    }

    /// <summary>
    /// Hangfire gets its own pool: its workers poll and hold connections, and must never starve
    /// the trading paths of theirs. Enlist=false because Hangfire enlists explicitly.
    /// </summary>
    private static NpgsqlDataSource BuildDataSource(string connectionString)
    {
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString) { Name = DataSourceKey };
        dataSourceBuilder.ConnectionStringBuilder.Enlist = false;
        // Hangfire's polling, locks and heartbeats would drown the traces of real work.
        dataSourceBuilder.ConfigureTracing(tracing => tracing
            .ConfigureCommandFilter(_ => false)
            .ConfigureBatchFilter(_ => false));
        return dataSourceBuilder.Build();
    }

    private sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
    }
}
