using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Coinage.ApiService.Tests;

public sealed class HealthTests(InfrastructureFixture infrastructure)
{
    // The checks of the Aspire client integrations (AddNpgsqlDataSource, AddRedisClient), by their names.
    private const string Postgres = "PostgreSql";
    private const string Redis = "StackExchange.Redis";

    [Fact]
    public async Task Health_is_ready_and_reports_postgres_and_redis()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty(Postgres).GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty(Redis).GetProperty("status").GetString());
        // Each dependency once: no check of ours beside the integrations', no second one for the DbContext.
        Assert.Equal(["PostgreSql", "StackExchange.Redis", "self"], checks.EnumerateObject().Select(check => check.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Health_is_503_while_redis_is_unreachable_but_the_service_stays_alive()
    {
        await using var factory = new ApiFactory(infrastructure.PostgresConnectionString, $"127.0.0.1:{ClosedPort()},connectTimeout=1000");
        using var client = factory.CreateClient();

        using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        using var alive = await client.GetAsync(new Uri("/alive", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty(Redis).GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty(Postgres).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    /// <summary>A port nothing listens on: bound, read, released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
