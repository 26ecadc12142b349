using Coinage.Domain.Operations;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coinage.Domain.Data;

/// <summary>
/// The one database of the exchange (<c>coinagedb</c>). Tables and columns are snake_case;
/// each entity configures itself in an <see cref="IEntityTypeConfiguration{TEntity}"/> beside it.
/// </summary>
public sealed class CoinageDbContext(DbContextOptions<CoinageDbContext> options) : DbContext(options)
{
    public DbSet<Heartbeat> Heartbeats => Set<Heartbeat>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CoinageDbContext).Assembly);
    }

    /// <summary>
    /// The provider options shared by the running services and the design-time factory, so a
    /// migration is generated from exactly the model the services run with.
    /// </summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dataSource);
        // No EnableRetryOnFailure: a retrying execution strategy cannot replay user-initiated
        // transactions, and the ledger and order paths use explicit transactions throughout.
        return options
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsAssembly(typeof(CoinageDbContext).Assembly.GetName().Name))
            .UseSnakeCaseNamingConvention();
    }
}
