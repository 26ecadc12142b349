using Coinage.Domain.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Coinage.ApiService.Tests;

public sealed class MigrationTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Replicas_migrating_at_once_apply_each_migration_exactly_once()
    {
        var database = await infrastructure.CreateDatabaseAsync("concurrent");
        // Four service providers stand for four replicas: separate pools, separate sessions.
        var replicas = Enumerable.Range(0, 4).Select(_ => BuildServices(database)).ToList();
        try
        {
            var migrators = replicas.Select(r => r.GetRequiredService<DatabaseMigrator>()).ToList();
            var results = await Task.WhenAll(migrators.Select(m => Task.Run(() => m.MigrateAsync(TestContext.Current.CancellationToken))));

            var applied = results.SelectMany(r => r).ToList();
            Assert.Single(applied, id => id.EndsWith("_InitialCreate", StringComparison.Ordinal));
            Assert.Equal(3, results.Count(r => r.Count == 0));
            Assert.Equal(applied.Count, await CountAsync(database, """SELECT count(*) FROM "__EFMigrationsHistory" """));
            Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM heartbeats"));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Waiting_for_migrations_returns_once_another_replica_has_migrated()
    {
        var database = await infrastructure.CreateDatabaseAsync("waiting");
        await using var owner = BuildServices(database);
        await using var follower = BuildServices(database);

        var waiting = follower.GetRequiredService<DatabaseMigrator>().WaitUntilMigratedAsync(TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted, "The follower stopped waiting before anything was migrated.");

        await owner.GetRequiredService<DatabaseMigrator>().MigrateAsync(TestContext.Current.CancellationToken);
        await waiting.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Waiting_for_migrations_honours_cancellation()
    {
        var database = await infrastructure.CreateDatabaseAsync("cancelled");
        await using var follower = BuildServices(database);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => follower.GetRequiredService<DatabaseMigrator>().WaitUntilMigratedAsync(cancellation.Token));
    }

    [Fact]
    public void A_missing_connection_string_is_named_in_the_error()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddCoinageDbContext());

        Assert.Contains("ConnectionStrings:coinagedb", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildServices(string database)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:coinagedb", database)]);
        builder.Services.AddLogging();
        builder.AddCoinageDbContext();
        return builder.Services.BuildServiceProvider();
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
