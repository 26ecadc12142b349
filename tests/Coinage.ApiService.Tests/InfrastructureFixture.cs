using Coinage.Hosting;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Redis;
using Coinage.Hosting.Testing;
using Npgsql;

[assembly: AssemblyFixture(typeof(Coinage.ApiService.Tests.InfrastructureFixture))]

namespace Coinage.ApiService.Tests;

/// <summary>One PostgreSQL and one Redis for the whole assembly, started through our testing entry point.</summary>
public sealed class InfrastructureFixture : IAsyncLifetime
{
    private CoinageApplication? _app;

    /// <summary>The shared <c>coinagedb</c>, migrated by the first API factory that starts.</summary>
    public string PostgresConnectionString { get; private set; } = "";

    public string RedisConnectionString { get; private set; } = "";

    /// <summary><c>Endpoint=smtp://127.0.0.1:PORT</c> of the shared maildev.</summary>
    public string SmtpConnectionString { get; private set; } = "";

    /// <summary>maildev's HTTP API (GET <c>/email</c>).</summary>
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

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
