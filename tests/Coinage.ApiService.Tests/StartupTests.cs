using Npgsql;

namespace Coinage.ApiService.Tests;

public sealed class StartupTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Start_up_applies_the_migrations()
    {
        var database = await infrastructure.CreateDatabaseAsync("startup");
        await using var factory = new ApiFactory(database, infrastructure.RedisConnectionString);
        using var client = factory.CreateClient();

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var table = new NpgsqlCommand("SELECT to_regclass('public.heartbeats') IS NOT NULL", connection);
        Assert.True((bool)(await table.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        await using var history = new NpgsqlCommand("""SELECT migration_id FROM "__EFMigrationsHistory" """, connection);
        var applied = new List<string>();
        await using (var reader = await history.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        Assert.Contains(applied, id => id.EndsWith("_InitialCreate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_migrate_command_applies_the_migrations_and_exits_without_serving()
    {
        var database = await infrastructure.CreateDatabaseAsync("migrate_only");
        var entryPoint = typeof(Program).Assembly.EntryPoint!;
        string[] args = ["migrate", $"--ConnectionStrings:coinagedb={database}", $"--ConnectionStrings:redis={infrastructure.RedisConnectionString}"];

        // The entry point blocks until the program ends: a served app would never return.
        var run = Task.Run(() => entryPoint.Invoke(null, [args]), TestContext.Current.CancellationToken);
        await run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var table = new NpgsqlCommand("SELECT to_regclass('public.heartbeats') IS NOT NULL", connection);
        Assert.True((bool)(await table.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }
}
