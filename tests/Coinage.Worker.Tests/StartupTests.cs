using System.Net;
using System.Text.Json;
using Coinage.Domain.Data;
using Coinage.Worker.Infrastructure;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Coinage.Worker.Tests;

public sealed class StartupTests(InfrastructureFixture infrastructure)
{
    private static readonly TimeSpan BoundedWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_worker_waits_for_the_migrations_then_runs_the_heartbeat()
    {
        var database = await infrastructure.CreateDatabaseAsync("worker_wait");
        await using var factory = new WorkerFactory(database, infrastructure.RedisConnectionString);
        using var client = factory.CreateClient();

        // Unmigrated: alive, not ready, and no Hangfire server (it would have installed its schema).
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        using (var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        var waiting = await GetHealthAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.Status);
        Assert.Equal("Unhealthy", waiting.Checks["jobs"]);
        Assert.Equal("Healthy", waiting.Checks["PostgreSql"]);
        // The Aspire client integrations' checks, each dependency once, beside the Worker's own.
        Assert.Equal(["PostgreSql", "StackExchange.Redis", "jobs", "self"], waiting.Checks.Keys.Order(StringComparer.Ordinal));
        Assert.False(await SchemaExistsAsync(database, "hangfire"));

        await factory.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(TestContext.Current.CancellationToken);

        var source = factory.Services.GetRequiredService<ServiceInstance>().Name;
        Assert.EndsWith("/worker-test", source, StringComparison.Ordinal);
        await EventuallyAsync(async () =>
            await InfrastructureFixture.ScalarAsync<long>(database, "SELECT count(*) FROM heartbeats WHERE source = @source", ("source", source)) > 0);
        // Readiness follows within a probe or two (a check can time out once on a loaded machine).
        await EventuallyAsync(async () => (await GetHealthAsync(client)).Status == HttpStatusCode.OK);

        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var heartbeat = Assert.Single(connection.GetRecurringJobs(), job => job.Id == "heartbeat");
        Assert.Equal(Cron.Minutely(), heartbeat.Cron);
    }

    [Fact]
    public async Task Hangfire_keeps_its_tables_in_the_hangfire_schema_of_coinagedb()
    {
        await using var factory = new WorkerFactory(infrastructure);
        using var client = factory.CreateClient();

        await EventuallyAsync(async () => (await GetHealthAsync(client)).Status == HttpStatusCode.OK);

        Assert.True(await SchemaExistsAsync(infrastructure.PostgresConnectionString, "hangfire"));
        Assert.True(await InfrastructureFixture.ScalarAsync<bool>(infrastructure.PostgresConnectionString, "SELECT to_regclass('hangfire.job') IS NOT NULL"));
        Assert.False(await InfrastructureFixture.ScalarAsync<bool>(infrastructure.PostgresConnectionString, "SELECT to_regclass('public.job') IS NOT NULL"));
    }

    private static Task<bool> SchemaExistsAsync(string database, string schema) =>
        InfrastructureFixture.ScalarAsync<bool>(database, "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = @schema)", ("schema", schema));

    private static async Task<(HttpStatusCode Status, Dictionary<string, string?> Checks)> GetHealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = body.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        return (response.StatusCode, checks);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + BoundedWait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {BoundedWait.TotalSeconds} s.");
            await Task.Delay(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }
    }
}
