using Coinage.Domain.Data;
using Coinage.Hosting;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

[assembly: AssemblyFixture(typeof(Coinage.Worker.Tests.InfrastructureFixture))]

namespace Coinage.Worker.Tests;

/// <summary>One PostgreSQL and one Redis for the whole assembly; the shared <c>coinagedb</c> is migrated up front, as the ApiService would.</summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    private CoinageApplication? _app;

    public string PostgresConnectionString { get; private set; } = "";

    public string RedisConnectionString { get; private set; } = "";

    /// <summary><c>Endpoint=smtp://127.0.0.1:PORT</c> of the shared maildev.</summary>
    public string SmtpConnectionString { get; private set; } = "";

    /// <summary>maildev's web/API base (GET <c>/email</c> lists the received messages).</summary>
    public Uri MailDevApi { get; private set; } = new("http://127.0.0.1");

    public async ValueTask InitializeAsync()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddPostgres("postgres").AddDatabase("coinagedb");
        builder.AddRedis("redis");
        builder.AddMailDev("smtp");
        _app = await builder.BuildAsync();
        await _app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        PostgresConnectionString = _app.GetConnectionString("coinagedb");
        RedisConnectionString = _app.GetConnectionString("redis");
        SmtpConnectionString = _app.GetConnectionString("smtp");
        MailDevApi = _app.GetEndpoint("smtp", "http");
        await MigrateAsync(PostgresConnectionString);
    }

    /// <summary>A new, empty database on the same server.</summary>
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

    /// <summary>What the ApiService does at start-up, from outside the worker.</summary>
    public static async Task MigrateAsync(string database)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:coinagedb", database)]);
        builder.Services.AddLogging();
        builder.AddCoinageDbContext();
        await using var services = builder.Services.BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    }

    public static async Task<T?> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
