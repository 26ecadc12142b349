using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Coinage.Domain.Data;

public static class CoinageDataExtensions
{
    /// <summary>The Aspire resource name of the database: configuration key <c>ConnectionStrings:coinagedb</c>.</summary>
    public const string ConnectionName = "coinagedb";

    /// <summary>
    /// Registers the database through the Aspire client integrations: one pooled <see cref="NpgsqlDataSource"/>
    /// for <c>coinagedb</c> (<c>AddNpgsqlDataSource</c>: its health check, the "Npgsql" traces and metrics) with the
    /// hot paths' settings, a pooled <see cref="IDbContextFactory{TContext}"/> and a scoped
    /// <see cref="CoinageDbContext"/> on that same data source (<c>EnrichNpgsqlDbContext</c>), and the
    /// <see cref="DatabaseMigrator"/>.
    /// </summary>
    /// <remarks>
    /// Not <c>AddNpgsqlDbContext</c>: it gives the context a data source of its own, built from the connection
    /// string alone, while the group commit and the settlement batches (<c>ExchangeSql</c>) send their statements
    /// straight through the shared <see cref="NpgsqlDataSource"/>. One pool for both keeps the connection budget
    /// and the prepared statements in one place.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>ConnectionStrings:coinagedb</c> is missing.</exception>
    public static IHostApplicationBuilder AddCoinageDbContext(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The integration would only fail on first use; a service without its database should not start at all.
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            throw new InvalidOperationException(
                $"The connection string 'ConnectionStrings:{ConnectionName}' is missing. The AppHost passes it as ConnectionStrings__{ConnectionName}; " +
                "outside the AppHost set it in configuration or the environment.");
        }

        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: ConfigureDataSource);
        builder.Services.AddPooledDbContextFactory<CoinageDbContext>(
            (services, options) => CoinageDbContext.Configure(options, services.GetRequiredService<NpgsqlDataSource>()));
        // Request-scoped code asks for the context; long-running loops (matching, jobs) ask for
        // the factory. Both hand out pooled instances.
        builder.Services.TryAddScoped(services => services.GetRequiredService<IDbContextFactory<CoinageDbContext>>().CreateDbContext());
        builder.EnrichNpgsqlDbContext<CoinageDbContext>(settings =>
        {
            // Forced, whatever configuration says: a retrying execution strategy cannot replay the explicit
            // transactions that the ledger and order paths use throughout.
            settings.DisableRetry = true;
            // The context's connections are the data source's, which AddNpgsqlDataSource already checks.
            settings.DisableHealthChecks = true;
        });
        builder.Services.TryAddSingleton<DatabaseMigrator>();
        return builder;
    }

    /// <summary>The data source settings of the hot paths (docs/performance.md), applied on top of the connection string.</summary>
    internal static void ConfigureDataSource(NpgsqlDataSourceBuilder dataSourceBuilder)
    {
        // Names the pool in Npgsql's metrics (db.client.connection.pool.name) and logs.
        dataSourceBuilder.Name = ConnectionName;
        // The hot paths (group commit, settlement batches) send the same statements thousands of times a second:
        // prepared on first reuse, each is parsed and planned once per connection instead of on every call
        // (docs/performance.md). A connection string that says otherwise wins.
        if (dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = 128;
            dataSourceBuilder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        // Not command.Connection: commands created from a data source refuse to expose it.
        var database = dataSourceBuilder.ConnectionStringBuilder.Database;
        dataSourceBuilder.ConfigureTracing(tracing => tracing
            // Npgsql names spans after the database alone; the SQL verb makes traces readable.
            .ConfigureCommandSpanNameProvider(command => SqlSpanName.For(command.CommandText, database))
            // One event per command doubles span payload for little diagnostic value.
            .EnableFirstResponseEvent(false));
    }
}
