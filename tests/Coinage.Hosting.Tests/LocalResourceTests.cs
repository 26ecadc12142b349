using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Coinage.Hosting.Tests;

/// <summary>The local-process resources started for real by Aspire (DCP), as a machine without a container runtime runs them.</summary>
public sealed class LocalResourceTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly TemporaryDirectory _data = new();
    private readonly string _password = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Postgres_with_its_database_redis_and_maildev_start_and_answer()
    {
        var builder = Create();
        builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
        builder.AddCoinageRedis("redis");
        builder.AddCoinageMailDev("smtp");
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct).WaitAsync(StartTimeout, Ct);

        foreach (var name in new[] { "coinagedb", "redis", "smtp" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(name, Ct).WaitAsync(StartTimeout, Ct);
        }
        await using (var connection = new NpgsqlConnection(await app.GetConnectionStringAsync("coinagedb", Ct)))
        {
            await connection.OpenAsync(Ct);
            await using var query = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal("coinagedb", await query.ExecuteScalarAsync(Ct));
        }
        var redis = await app.GetConnectionStringAsync("redis", Ct);
        var redisPassword = redis!.Split(",password=")[1].Split(',')[0];
        Assert.NotEmpty(redisPassword);
        // Redis's password reaches it in a file only its owner reads, not on the command line, which every local user
        // (ps) and the dashboard's resource list (the Source column) show.
        var shown = string.Join('\n', (await app.ResourceNotifications.WaitForResourceAsync("redis", e => e.Snapshot.State?.Text == KnownResourceStates.Running, Ct)).Snapshot.Properties
            .Where(property => !property.IsSensitive) // the connection string, masked until asked for
            .Select(property => property.Value switch
            {
                string text => text,
                System.Collections.IEnumerable items => string.Join(' ', items.Cast<object?>()),
                var other => other?.ToString(),
            }));
        Assert.Contains("password.conf", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(redisPassword, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(ProcessCommandLines(), line => line.Contains(redisPassword, StringComparison.Ordinal));
        var passwordFile = Path.Combine(_data.Path, "redis", "password.conf");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
        Assert.Contains(redisPassword, await File.ReadAllTextAsync(passwordFile, Ct), StringComparison.Ordinal);
        Assert.StartsWith("Endpoint=smtp://", await app.GetConnectionStringAsync("smtp", Ct), StringComparison.Ordinal);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(app.GetEndpoint("smtp", "http"), "/email"), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_lock_file_of_a_running_process_fails_postgres_with_the_reason_and_a_stale_one_is_removed()
    {
        // A cluster initialised by a first run, then a lock file naming a live process (this test runner).
        await StartPostgresAsync(expectHealthy: true);
        var lockFile = Path.Combine(_data.Path, "postgres", "postmaster.pid");
        await File.WriteAllTextAsync(lockFile, $"{Environment.ProcessId}\n{_data.Path}\n", Ct);

        var failure = await StartPostgresAsync(expectHealthy: false);
        Assert.Equal($"another PostgreSQL (PID {Environment.ProcessId}) is already running on {Path.Combine(_data.Path, "postgres")}; stop it (kill {Environment.ProcessId}) or run a second copy with another --Coinage:DataDirectory.", failure);

        // The same lock file left by a process that is gone (a PID that cannot exist): removed, and the server starts.
        await File.WriteAllTextAsync(lockFile, $"{int.MaxValue}\n{_data.Path}\n", Ct);
        await StartPostgresAsync(expectHealthy: true);
    }

    [Fact]
    public async Task A_cluster_initialised_with_another_password_is_reported_as_the_reason_postgres_cannot_start()
    {
        await StartPostgresAsync(expectHealthy: true);

        var builder = DistributedApplicationTestingBuilder.Create(
            "--Coinage:ContainerRuntime=none", "--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_data.Path}",
            "--Parameters:postgres-password=not-the-one-initdb-had");
        builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct).WaitAsync(StartTimeout, Ct);
        var server = builder.Resources.Single(r => r.Name == "postgres");
        var deadline = DateTime.UtcNow.Add(StartTimeout);
        while (ResourceStartException.ReasonFor(server) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, Ct);
        }

        Assert.StartsWith($"the cluster in {Path.Combine(_data.Path, "postgres")} was initialised with another password than postgres-password has now",
            ResourceStartException.ReasonFor(server));
    }

    [Fact]
    public void Generated_secrets_are_kept_in_the_data_directory_and_only_the_owner_reads_them()
    {
        var first = CoinageHosting.For(DistributedApplication.CreateBuilder([$"--Coinage:DataDirectory={_data.Path}"])).AddSecret("admin-password");
        var value = first.Resource.Default!.GetDefaultValue();
        var again = CoinageHosting.For(DistributedApplication.CreateBuilder([$"--Coinage:DataDirectory={_data.Path}"])).AddSecret("admin-password");

        Assert.Equal(32, value.Length);
        Assert.Equal(value, again.Resource.Default!.GetDefaultValue());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_data.Path, "secrets.json")));
    }

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Ephemeral runs keep generated secrets in memory only: the runs that share a cluster here name its password.
    private IDistributedApplicationTestingBuilder Create() => DistributedApplicationTestingBuilder.Create(
        "--Coinage:ContainerRuntime=none", "--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_data.Path}",
        $"--Parameters:postgres-password={_password}");

    /// <summary>Runs PostgreSQL alone; returns the reason it could not start, or null once it was healthy.</summary>
    private async Task<string?> StartPostgresAsync(bool expectHealthy)
    {
        var builder = Create();
        var database = builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct).WaitAsync(StartTimeout, Ct);
        if (expectHealthy)
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync("coinagedb", Ct).WaitAsync(StartTimeout, Ct);
            return null;
        }
        await app.ResourceNotifications.WaitForResourceAsync("postgres", KnownResourceStates.FailedToStart, Ct).WaitAsync(StartTimeout, Ct);
        var server = builder.Resources.Single(r => r.Name == "postgres");
        return ResourceStartException.ReasonFor(server);
    }

    /// <summary>Every process's command line, as <c>ps</c> shows it to any user of the machine.</summary>
    private static IEnumerable<string> ProcessCommandLines()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string line;
            try
            {
                line = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            yield return line;
        }
    }
}
