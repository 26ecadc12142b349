using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Coinage.Domain.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add X --project Coinage.Domain</c> build the model without
/// starting a service. Generating a migration never connects, so the default connection string
/// only matters for <c>dotnet ef database update</c>; override it with
/// <c>ConnectionStrings__coinagedb</c>.
/// </summary>
public sealed class CoinageDbContextFactory : IDesignTimeDbContextFactory<CoinageDbContext>
{
    private const string DesignTimeConnectionString = "Host=127.0.0.1;Port=5432;Username=postgres;Database=coinagedb";

    public CoinageDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__coinagedb") ?? DesignTimeConnectionString;
        // Owned by the context for the tool's short run; the process ends right after.
#pragma warning disable CA2000
        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
#pragma warning restore CA2000
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        return new CoinageDbContext(options.Options);
    }
}
