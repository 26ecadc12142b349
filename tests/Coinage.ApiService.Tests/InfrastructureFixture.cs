using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Coinage.Hosting;
using Npgsql;

[assembly: AssemblyFixture(typeof(Coinage.ApiService.Tests.InfrastructureFixture))]

namespace Coinage.ApiService.Tests;

/// <summary>
/// One PostgreSQL, one Redis and one maildev for the whole assembly, started by Aspire (DCP) through
/// <see cref="DistributedApplicationTestingBuilder"/> with the AppHost's own resource types: containers where a
/// container runtime answers, local processes otherwise. Their state lives in a temporary folder, deleted afterwards.
/// </summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    private DistributedApplication? _app;
    private string? _dataDirectory;

    /// <summary>The shared <c>coinagedb</c>, migrated by the first API factory that starts.</summary>
    public string PostgresConnectionString { get; private set; } = "";

    public string RedisConnectionString { get; private set; } = "";

    /// <summary><c>Endpoint=smtp://127.0.0.1:PORT</c> of the shared maildev.</summary>
    public string SmtpConnectionString { get; private set; } = "";

    /// <summary>maildev's HTTP API (GET <c>/email</c>).</summary>
    public Uri MailDevApi { get; private set; } = new("http://127.0.0.1");

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _dataDirectory = Directory.CreateTempSubdirectory("coinage-test-").FullName;
        File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101); // the postgres user keeps its cluster below
        var builder = DistributedApplicationTestingBuilder.Create("--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_dataDirectory}");
        builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
        builder.AddCoinageRedis("redis");
        builder.AddCoinageMailDev("smtp");
        _app = await builder.BuildAsync(ct);
        await _app.StartAsync(ct);
        foreach (var resource in new[] { "coinagedb", "redis", "smtp" })
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct);
        }
        PostgresConnectionString = (await _app.GetConnectionStringAsync("coinagedb", ct))!;
        RedisConnectionString = (await _app.GetConnectionStringAsync("redis", ct))!;
        SmtpConnectionString = (await _app.GetConnectionStringAsync("smtp", ct))!;
        MailDevApi = _app.GetEndpoint("smtp", "http");
    }

    /// <summary>A new, empty database on the same server, for tests that need a schema of their own.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// The tests share the seeded markets and price them freely (an order at 100 on BTC-USD beside trades at 65,000),
    /// which the seeded price band would refuse and the circuit breaker would halt, for every test at once. So the
    /// seeded markets of the test databases have no risk limits (<see cref="ApiFactory"/> lifts them once the API has
    /// migrated its database); the risk controls' tests trade markets of their own.
    /// </summary>
    public static async Task LiftSeededRiskLimitsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("""
            UPDATE markets SET price_band_bps = NULL, max_order_size = NULL, max_order_notional = NULL, open_order_limit = NULL, breaker_move_bps = NULL
            WHERE symbol IN ('BTC-USD', 'ETH-USD', 'ETH-BTC')
              AND (price_band_bps IS NOT NULL OR max_order_size IS NOT NULL OR max_order_notional IS NOT NULL OR open_order_limit IS NOT NULL OR breaker_move_bps IS NOT NULL)
            """, connection);
        await update.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_dataDirectory is not null)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
