using System.Net;
using System.Text.Json;
using Npgsql;

namespace Coinage.ApiService.Tests;

public sealed class StatusApiTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Status_reports_service_version_components_and_the_newest_heartbeat()
    {
        var database = await infrastructure.CreateDatabaseAsync("status");
        await using var factory = new ApiFactory(database, infrastructure.RedisConnectionString);
        using var client = factory.CreateClient();

        var before = await GetStatusAsync(client);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("lastHeartbeatAt").ValueKind);

        var recordedAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await InsertHeartbeatAsync(database, recordedAt.AddMinutes(-1));
        await InsertHeartbeatAsync(database, recordedAt);
        var status = await GetStatusAsync(client);

        Assert.Equal(
            ["service", "version", "database", "redis", "lastHeartbeatAt", "serverTime"],
            status.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("apiservice", status.GetProperty("service").GetString());
        Assert.False(string.IsNullOrWhiteSpace(status.GetProperty("version").GetString()));
        Assert.Equal("ok", status.GetProperty("database").GetString());
        Assert.Equal("ok", status.GetProperty("redis").GetString());
        Assert.Equal(recordedAt, status.GetProperty("lastHeartbeatAt").GetDateTimeOffset());
        Assert.Equal(TimeSpan.Zero, status.GetProperty("lastHeartbeatAt").GetDateTimeOffset().Offset);
        var serverTime = status.GetProperty("serverTime").GetDateTimeOffset();
        Assert.Equal(TimeSpan.Zero, serverTime.Offset);
        Assert.InRange(serverTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Status_says_redis_is_unavailable_instead_of_failing()
    {
        await using var factory = new ApiFactory(infrastructure.PostgresConnectionString, "127.0.0.1:1,connectTimeout=500");
        using var client = factory.CreateClient();

        var status = await GetStatusAsync(client);

        Assert.Equal("unavailable", status.GetProperty("redis").GetString());
        Assert.Equal("ok", status.GetProperty("database").GetString());
    }

    private static async Task<JsonElement> GetStatusAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/api/v1/status", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return body.RootElement.Clone();
    }

    private static async Task InsertHeartbeatAsync(string database, DateTimeOffset recordedAt)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var insert = new NpgsqlCommand("INSERT INTO heartbeats (source, recorded_at) VALUES ('test', @at)", connection);
        insert.Parameters.AddWithValue("at", recordedAt);
        await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
