extern alias worker;

using System.Data;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>The Worker in-process (its matching host included), on the given database and Redis.</summary>
public sealed class MatchingWorkerFactory(string postgres, string redis) : WebApplicationFactory<worker::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Coinage:Matching:PollInterval", "00:00:00.200");
        builder.UseSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=matching-test,service.namespace=coinage");
        // Matching only: the Worker's Hangfire server would also take the identity tests' outbox emails.
        builder.ConfigureTestServices(services =>
        {
            foreach (var hangfire in services.Where(d => d.ServiceType == typeof(IHostedService)
                && (d.ImplementationType ?? d.ImplementationFactory?.Method.DeclaringType)?.Assembly.GetName().Name?.StartsWith("Hangfire", StringComparison.Ordinal) == true).ToList())
            {
                services.Remove(hangfire);
            }
        });
    }
}

/// <summary>A verified, signed-in trader driving the exchange endpoints.</summary>
public sealed class Trader(HttpClient http)
{
    public HttpClient Http => http;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Trader> CreateAsync(ApiFactory factory, string database, string prefix = "trader")
    {
        var identity = new IdentityTestClient(factory.CreateClient(), database);
        var (access, _) = await identity.SignedInUserAsync(IdentityTestClient.NewEmail(prefix));
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new Trader(http);
    }

    public async Task<HttpResponseMessage> DepositRawAsync(string asset, string amount, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/wallet/deposits") { Content = JsonContent.Create(new { asset, amount }) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return await http.SendAsync(request, Ct);
    }

    public async Task DepositAsync(string asset, string amount)
    {
        using var response = await DepositRawAsync(asset, amount, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// Saves a withdrawal address (a withdrawal goes only to one) and returns its id. Usable at once under the test
    /// factories' hold of zero (<see cref="ApiFactory"/>); the hold's own tests set one.
    /// </summary>
    public async Task<string> SaveWithdrawalAddressAsync(string asset, string address, string label = "test address")
    {
        using var response = await http.PostAsJsonAsync("/api/v1/wallet/withdrawal-addresses", new { asset, label, address }, Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return body.GetProperty("id").GetString()!;
    }

    public Task<HttpResponseMessage> PlaceRawAsync(object order) => http.PostAsJsonAsync("/api/v1/orders", order, Ct);

    public async Task<JsonElement> PlaceAsync(object order)
    {
        using var response = await PlaceRawAsync(order);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return body;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return body;
    }

    /// <summary>Balances as asset → (available, held).</summary>
    public async Task<Dictionary<string, (decimal Available, decimal Held)>> BalancesAsync()
    {
        var body = await GetAsync("/api/v1/wallet/balances");
        return body.EnumerateArray().ToDictionary(
            b => b.GetProperty("asset").GetString()!,
            b => (Dec(b.GetProperty("available")), Dec(b.GetProperty("held"))));
    }

    /// <summary>Asserts a problem with this status and code that names <paramref name="field"/> in its <c>errors</c>; returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string field)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
        return body;
    }

    public static decimal Dec(JsonElement value) => decimal.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return document.RootElement.Clone();
    }
}

public static class ExchangeDatabase
{
    public static CoinageDbContext Open(string database, out NpgsqlDataSource dataSource)
    {
        dataSource = NpgsqlDataSource.Create(database);
        var options = new DbContextOptionsBuilder<CoinageDbContext>();
        CoinageDbContext.Configure(options, dataSource);
        return new CoinageDbContext(options.Options);
    }

    /// <summary>Every invariant of DESIGN.md §2 over the database, read in one snapshot (other tests may be writing).</summary>
    public static async Task AssertInvariantsAsync(string database)
    {
        await using var db = Open(database, out var dataSource);
        await using (dataSource)
        {
            await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, Trader.Ct);
            var found = await LedgerStore.CheckInvariantsAsync(db, Trader.Ct);
            Assert.True(found.Count == 0, string.Join(Environment.NewLine, found));
        }
    }

    /// <summary>Waits until the matching hosts have processed every command of the database.</summary>
    public static async Task WaitProcessedAsync(string database, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var pending = await ScalarAsync<long>(database, "SELECT count(*) FROM market_commands WHERE processed_at IS NULL");
            if (pending == 0)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{pending} commands still unprocessed");
            await Task.Delay(50, Trader.Ct);
        }
    }

    public static async Task<T> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Trader.Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync(Trader.Ct))!;
    }
}

/// <summary>
/// Every measurement of the named counters in this process, with the meter factory (the host) that made it: a test
/// counts those of its own hosts only (other tests' APIs and Workers run in the same process). Hosts built after it
/// started count too, so a Worker created mid-test is heard from its first batch.
/// </summary>
public sealed class CounterRecorder : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(object? Host, string Name, long Value, Dictionary<string, string?> Tags)> _seen = new();

    public CounterRecorder(params string[] names)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (names.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, string?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }
            _seen.Enqueue((instrument.Meter.Scope, instrument.Name, value, copy));
        });
        _listener.Start();
    }

    /// <summary>The meter factory of a host: what <see cref="By"/> tells its measurements by (it outlives the host's disposal).</summary>
    public static System.Diagnostics.Metrics.IMeterFactory Of(IServiceProvider host) => host.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

    /// <summary>The counts of <paramref name="name"/> made by the host of <paramref name="meters"/>, summed by the value of <paramref name="tag"/>.</summary>
    public Dictionary<string, long> By(System.Diagnostics.Metrics.IMeterFactory meters, string name, string tag) =>
        _seen.Where(m => ReferenceEquals(m.Host, meters) && m.Name == name)
            .GroupBy(m => m.Tags.GetValueOrDefault(tag) ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// An exchange of a test's own: a database and Redis keys no other test trades in (stop triggers and OCO price rules
/// judge by the last trade, which another test's trade would move; its market data must not overwrite the shared
/// database's books in Redis), the API and one matching host on them. The host can be stopped and started again, as
/// a crash and a takeover would: the next one rebuilds the book from the database.
/// </summary>
public sealed class OwnExchange : IAsyncDisposable
{
    private OwnExchange(string database, string redis)
    {
        Database = database;
        Redis = redis;
        Api = new ApiFactory(database, redis);
    }

    public string Database { get; }

    public string Redis { get; }

    public ApiFactory Api { get; }

    public MatchingWorkerFactory? Worker { get; private set; }

    /// <param name="redisDatabase">The Redis database of its keys: one no other test class uses (the list is in <c>git grep defaultDatabase=</c>).</param>
    public static async Task<OwnExchange> StartAsync(InfrastructureFixture infrastructure, string name, int redisDatabase)
    {
        ArgumentNullException.ThrowIfNull(infrastructure);
        var exchange = new OwnExchange(await infrastructure.CreateDatabaseAsync(name),
            infrastructure.RedisConnectionString + $",defaultDatabase={redisDatabase.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        exchange.StartWorker();
        return exchange;
    }

    /// <summary>A verified, signed-in trader with these deposits.</summary>
    public async Task<Trader> TraderAsync(string prefix, params (string Asset, string Amount)[] deposits)
    {
        var trader = await Trader.CreateAsync(Api, Database, prefix);
        foreach (var (asset, amount) in deposits)
        {
            await trader.DepositAsync(asset, amount);
        }
        return trader;
    }

    /// <summary>Waits until the matching host has processed every command.</summary>
    public Task ProcessedAsync() => ExchangeDatabase.WaitProcessedAsync(Database);

    /// <summary>No matching host: commands wait, as while a Worker is down.</summary>
    public async Task StopWorkerAsync()
    {
        if (Worker is { } worker)
        {
            Worker = null;
            await worker.DisposeAsync();
        }
    }

    /// <summary>A matching host (a new one, which rebuilds the book from the database).</summary>
    public void StartWorker()
    {
        Worker = new MatchingWorkerFactory(Database, Redis);
        _ = Worker.Services; // starts the matching host
    }

    /// <summary>A crash and a takeover: the host goes, the next one rebuilds the book, the armed orders and the last trade price.</summary>
    public async Task RestartWorkerAsync()
    {
        await StopWorkerAsync();
        StartWorker();
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkerAsync();
        await Api.DisposeAsync();
    }
}
