using System.Net.Sockets;
using System.Text;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Testing;
using Npgsql;

namespace Coinage.Hosting.Tests.Testing;

public class TestingEntryPointTests
{
    [Fact]
    public async Task The_apphost_model_is_captured_in_testing_mode_without_running_anything()
    {
        var builder = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>();

        Assert.True(builder.ExecutionContext.IsTesting);
        Assert.StartsWith(Path.GetTempPath(), builder.ExecutionContext.DataDirectory, StringComparison.Ordinal);
        var names = builder.Resources.Select(r => r.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "postgres", "coinagedb", "redis", "elasticsearch", "smtp", "apiservice", "worker", "webfrontend", "prometheus" }, names);
        Assert.All(builder.Resources.SelectMany(r => r.Annotations.OfType<Coinage.Hosting.ApplicationModel.EndpointAnnotation>()), e => Assert.Null(e.Port));
    }

    [Fact]
    public async Task Part_of_the_apphost_model_starts_healthy_and_disposing_removes_every_trace()
    {
        var builder = await CoinageTestingBuilder.CreateAsync<Projects.Coinage_AppHost>();
        var app = await builder.BuildAsync();
        string dataDirectory = builder.ExecutionContext.DataDirectory;
        List<int> pids;
        try
        {
            await app.StartAsync(["coinagedb", "redis"], TestContext.Current.CancellationToken);

            await using (var connection = new NpgsqlConnection(app.GetConnectionString("coinagedb")))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var command = new NpgsqlCommand("SELECT current_database()", connection);
                Assert.Equal("coinagedb", await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            }
            Assert.Equal("+PONG", await RedisPingAsync(app.GetConnectionString("redis")));

            Assert.True(app.ResourceStates.Get("coinagedb").IsReady);
            Assert.Equal(KnownResourceStates.NotStarted, app.ResourceStates.Get("apiservice").State);
            Assert.Contains(app.ResourceLogs.Snapshot("postgres"), l => l.Text.Contains("ready to accept connections", StringComparison.Ordinal));
            pids = app.ResourceStates.All.SelectMany(s => s.ProcessIds).ToList();
            Assert.Equal(2, pids.Count);
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} survived dispose"));
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public async Task A_live_lock_file_in_the_postgres_data_directory_is_reported_not_overridden()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddPostgres("postgres");
        var data = Path.Combine(builder.ExecutionContext.DataDirectory, "postgres", "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "PG_VERSION"), "15\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(data, "postmaster.pid"), $"{Environment.ProcessId}\n{data}\n", TestContext.Current.CancellationToken);
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("postgres", error.Resource);
        Assert.Contains($"another PostgreSQL (PID {Environment.ProcessId}) is already running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_that_is_not_a_cluster_is_reported()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddPostgres("postgres");
        var data = Path.Combine(builder.ExecutionContext.DataDirectory, "postgres", "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "notes.txt"), "not a database", TestContext.Current.CancellationToken);
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("is not a PostgreSQL data directory", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> RedisPingAsync(string connectionString)
    {
        var parts = connectionString.Split(',');
        var (host, port) = (parts[0].Split(':')[0], int.Parse(parts[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        var password = parts.Single(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        using var client = new TcpClient();
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"));
        var buffer = new byte[64];
        var text = "";
        while (text.Split("\r\n").Length < 3)
        {
            text += Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer));
        }
        return text.Split("\r\n")[1];
    }
}
