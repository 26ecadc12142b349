using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coinage.Domain.Data;

public static class CoinageDataExtensions
{
    /// <summary>The Aspire resource name of the database: configuration key <c>ConnectionStrings:coinagedb</c>.</summary>
    public const string ConnectionName = "coinagedb";

    /// <summary>
    /// Registers one pooled <see cref="NpgsqlDataSource"/> for <c>coinagedb</c> (traced and
    /// metered under the "Npgsql" activity source and meter that the service defaults export),
    /// a pooled <see cref="IDbContextFactory{TContext}"/> and a scoped <see cref="CoinageDbContext"/>
    /// taken from it, and the <see cref="DatabaseMigrator"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>ConnectionStrings:coinagedb</c> is missing.</exception>
    public static IHostApplicationBuilder AddCoinageDbContext(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"The connection string 'ConnectionStrings:{ConnectionName}' is missing. The AppHost passes it as ConnectionStrings__{ConnectionName}; " +
                "outside the AppHost set it in configuration or the environment.");
        }

        builder.Services.TryAddSingleton(services => BuildDataSource(connectionString, services.GetService<ILoggerFactory>()));
        builder.Services.AddPooledDbContextFactory<CoinageDbContext>(
            (services, options) => CoinageDbContext.Configure(options, services.GetRequiredService<NpgsqlDataSource>()));
        // Request-scoped code asks for the context; long-running loops (matching, jobs) ask for
        // the factory. Both hand out pooled instances.
        builder.Services.TryAddScoped(services => services.GetRequiredService<IDbContextFactory<CoinageDbContext>>().CreateDbContext());
        builder.Services.TryAddSingleton<DatabaseMigrator>();
        return builder;
    }

    internal static NpgsqlDataSource BuildDataSource(string connectionString, ILoggerFactory? loggerFactory)
    {
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString) { Name = ConnectionName };
        if (loggerFactory is not null)
        {
            dataSourceBuilder.UseLoggerFactory(loggerFactory);
        }
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
        return dataSourceBuilder.Build();
    }
}
