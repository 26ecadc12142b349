using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Coinage.Hosting;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// The Worker as a real process, killed with SIGKILL again and again while orders stream in through
/// the API: afterwards every accepted order was processed exactly once and every invariant holds.
/// </summary>
public sealed class WorkerCrashTests
{
    [Fact]
    public async Task A_worker_killed_repeatedly_while_orders_stream_in_loses_nothing_and_applies_nothing_twice()
    {
        using var data = new TemporaryDataDirectory(); // declared first: deleted after the app is disposed
        var builder = DistributedApplicationTestingBuilder.Create("--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={data.Path}");
        var db = builder.AddCoinagePostgres("postgres", databaseName: "coinagedb");
        var redis = builder.AddCoinageRedis("redis");
        builder.AddProject<WorkerProject>("worker").WithReference(db).WithReference(redis)
            .WithEnvironment("DOTNET_ENVIRONMENT", "Development")
            .WithEnvironment("Coinage__Matching__AcquireInterval", "00:00:00.200")
            .WithEnvironment("Coinage__Matching__BatchSize", "25")
            .WithExplicitStart(); // once the traders have their money
        await using var app = await builder.BuildAsync(Ct);
        await app.StartAsync(Ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("coinagedb", Ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", Ct);
        var database = (await app.GetConnectionStringAsync("coinagedb", Ct))!;
        await using var api = new ApiFactory(database, (await app.GetConnectionStringAsync("redis", Ct))!);

        var traders = new List<Trader>();
        for (var i = 0; i < 4; i++)
        {
            var trader = await Trader.CreateAsync(api, database, $"crash{i}");
            await trader.DepositAsync("USD", "10000000");
            await trader.DepositAsync("BTC", "10000");
            traders.Add(trader);
        }
        await StartWorkerAsync(app);

        var accepted = new ConcurrentBag<long>();
        using var stop = new CancellationTokenSource();
        var streams = traders.Select((trader, n) => Task.Run(() => StreamAsync(trader, n, accepted, stop.Token), Ct)).ToList();
        var kills = 0;
        var processedAtKill = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            // Kill only once the (re)started process is matching, at a random moment of its work.
            var before = await ProcessedAsync(database);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await ProcessedAsync(database) < before + 5)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the worker processed nothing after restart {round}");
                await Task.Delay(20, Ct);
            }
            await Task.Delay(Random.Shared.Next(0, 300), Ct);
            processedAtKill.Add(await ProcessedAsync(database));
            // SIGKILL, to the process DCP started and the Worker below it: no shutdown, no flush, the lock connection just drops.
            using (var process = Process.GetProcessById(WorkerProcessId(app)))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(Ct);
                kills++;
            }
            await app.ResourceNotifications.WaitForResourceAsync("worker", KnownResourceStates.TerminalStates, Ct);
            await Task.Delay(Random.Shared.Next(100, 400), Ct);
            await StartWorkerAsync(app);
        }
        await Task.Delay(1000, Ct);
        await stop.CancelAsync();
        await Task.WhenAll(streams);

        Assert.True(kills >= 3, $"only {kills} kills");
        // The restarted processes matched while orders were streaming, not only the last one at the end.
        Assert.True(processedAtKill.Zip(processedAtKill.Skip(1)).All(p => p.Second > p.First), $"processed at each kill: {string.Join(", ", processedAtKill)}");
        Assert.True(accepted.Count > 50, $"only {accepted.Count} orders were accepted");
        await ExchangeDatabase.WaitProcessedAsync(database, TimeSpan.FromSeconds(60));

        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM market_commands WHERE processed_at IS NULL"));
        Assert.Equal((long)accepted.Count, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM orders"));
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM orders WHERE status = 0"));
        Assert.True(await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM trades") > 0);
        // Each order's fills are exactly its trades: a command applied twice would fill (or settle) twice.
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database, """
            SELECT count(*) FROM orders o
            WHERE o.filled_lots * 0.01 <> COALESCE((SELECT sum(t.quantity) FROM trades t WHERE t.taker_order_id = o.id OR t.maker_order_id = o.id), 0)
            """));
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database,
            "SELECT count(*) FROM (SELECT reference_id FROM journal_entries WHERE kind = 5 GROUP BY reference_id HAVING count(*) > 1) d"));
        // A book priority exactly on the resting orders, each its own within the market: what rebuild restores from.
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM orders WHERE (status IN (1, 2)) <> (book_priority IS NOT NULL)"));
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database,
            "SELECT count(*) FROM (SELECT 1 FROM orders WHERE book_priority IS NOT NULL GROUP BY market_id, book_priority HAVING count(*) > 1) d"));
        await ExchangeDatabase.AssertInvariantsAsync(database);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{kills} kills, {accepted.Count} orders, {await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM market_commands")} commands, " +
            $"{await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM trades")} trades");
    }

    private static async Task StartWorkerAsync(DistributedApplication app)
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync("worker", KnownResourceCommands.StartCommand, Ct);
        Assert.True(result.Success, $"the worker did not start: {result.Message}");
        await app.ResourceNotifications.WaitForResourceAsync("worker", KnownResourceStates.Running, Ct);
    }

    private static int WorkerProcessId(DistributedApplication app) =>
        app.ResourceNotifications.TryGetCurrentState("worker", out var worker)
        && worker.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("The worker has no process id.");

    private static Task<long> ProcessedAsync(string database) =>
        ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM market_commands WHERE processed_at IS NOT NULL");

    private static async Task StreamAsync(Trader trader, int seed, ConcurrentBag<long> accepted, CancellationToken stop)
    {
        var random = new Random(seed);
        var mine = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            if (mine.Count > 0 && random.Next(6) == 0)
            {
                using var cancel = await trader.Http.DeleteAsync(new Uri($"/api/v1/orders/{mine[random.Next(mine.Count)]}", UriKind.Relative), CancellationToken.None);
                Assert.True(cancel.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"cancel: {cancel.StatusCode}");
                continue;
            }
            var buy = random.Next(2) == 0;
            var order = new
            {
                market = "BTC-USD",
                side = buy ? "buy" : "sell",
                type = "limit",
                timeInForce = random.Next(4) == 0 ? "IOC" : "GTC",
                price = (random.Next(95, 106) * 100).ToString(System.Globalization.CultureInfo.InvariantCulture),
                quantity = (random.Next(1, 6) / 100m).ToString(System.Globalization.CultureInfo.InvariantCulture),
                clientOrderId = Guid.NewGuid().ToString("N"),
            };
            using var response = await trader.PlaceRawAsync(order);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"place: {response.StatusCode} {await JsonAsync(response)}");
            var id = (await JsonAsync(response)).GetProperty("id").GetString()!;
            accepted.Add(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
            mine.Add(id);
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>The Worker's build output, run with <c>dotnet exec</c> like the AppHost runs it.</summary>
    private sealed class WorkerProject : IProjectMetadata
    {
        private static readonly string Root = FindRoot();

        public string ProjectPath => Path.Combine(Root, "Coinage.Worker", "Coinage.Worker.csproj");

        // Built with this test assembly; DCP runs it as the AppHost would (dotnet run --no-build).
        public bool SuppressBuild => true;

        private static string FindRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
            {
                directory = directory.Parent;
            }
            return directory?.FullName ?? throw new InvalidOperationException("Coinage.sln not found above the test assembly.");
        }
    }

    /// <summary>Where the test's PostgreSQL and Redis keep their state: traversable by the postgres user, deleted afterwards.</summary>
    private sealed class TemporaryDataDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("coinage-crash-").FullName;

        public TemporaryDataDirectory() => File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
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
