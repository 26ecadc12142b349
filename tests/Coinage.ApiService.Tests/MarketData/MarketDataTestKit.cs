extern alias worker;

using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace Coinage.ApiService.Tests.MarketData;

/// <summary>
/// A database of its own and a Redis key prefix of its own, so this test's matching host, market data and
/// hub traffic cannot mix with any other test's (they share the PostgreSQL server and the Redis).
/// </summary>
public sealed class MarketDataEnvironment(InfrastructureFixture infrastructure, string database, string prefix)
{
    public string Database => database;

    public string Prefix => prefix;

    public string Redis => infrastructure.RedisConnectionString;

    public static async Task<MarketDataEnvironment> CreateAsync(InfrastructureFixture infrastructure) =>
        new(infrastructure, await infrastructure.CreateDatabaseAsync("md"), $"test{Guid.NewGuid():N}:");

    public ApiFactory Api() => new(database, infrastructure.RedisConnectionString, new Dictionary<string, string?>
    {
        ["Coinage:MarketData:KeyPrefix"] = prefix,
        ["Coinage:MarketData:TickerInterval"] = "00:00:00.200",
        // No periodic refresh during a test: a ticker that shows a trade can only come from the trade itself.
        ["Coinage:MarketData:TickerRefresh"] = "01:00:00",
    });

    public MarketDataWorkerFactory Worker() => new(database, infrastructure.RedisConnectionString, prefix);
}

/// <summary>The Worker's matching host (and market-data publisher) in-process, on the environment's database and prefix.</summary>
public sealed class MarketDataWorkerFactory(string postgres, string redis, string prefix) : WebApplicationFactory<worker::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:coinagedb", postgres);
        builder.UseSetting("ConnectionStrings:redis", redis);
        builder.UseSetting("Coinage:Matching:PollInterval", "00:00:00.200");
        builder.UseSetting("Coinage:MarketData:KeyPrefix", prefix);
        builder.UseSetting("OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=market-data-test,service.namespace=coinage");
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

/// <summary>A SignalR client of <c>/hubs/market</c> that records every message it receives, in order.</summary>
public sealed class HubClient : IAsyncDisposable
{
    private static readonly string[] Methods = ["bookUpdate", "trades", "ticker", "orderUpdate", "fill", "balance", "marketStatus"];
    private readonly ConcurrentQueue<(string Method, JsonElement Payload)> _received = new();

    private HubClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var method in Methods)
        {
            connection.On<JsonElement>(method, payload => _received.Enqueue((method, payload)));
        }
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<(string Method, JsonElement Payload)> Received => _received.ToList();

    public IReadOnlyList<JsonElement> Of(string method) => _received.Where(m => m.Method == method).Select(m => m.Payload).ToList();

    /// <summary>Connects through the test server; a signed-in client passes its token as <c>access_token</c> in the query string, as browsers do.</summary>
    public static async Task<HubClient> ConnectAsync(ApiFactory api, string? accessToken = null)
    {
        _ = api.Services;
        var url = new Uri(api.Server.BaseAddress, "/hubs/market" + (accessToken is null ? "" : "?access_token=" + Uri.EscapeDataString(accessToken)));
        var connection = new HubConnectionBuilder()
            .WithUrl(url, options =>
            {
                options.HttpMessageHandlerFactory = _ => api.Server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        var client = new HubClient(connection);
        await connection.StartAsync(Trader.Ct);
        return client;
    }

    public Task<JsonElement> SubscribeAsync(string symbol) => Connection.InvokeAsync<JsonElement>("SubscribeMarket", symbol, Trader.Ct);

    /// <summary>Waits until a received message satisfies <paramref name="condition"/>.</summary>
    public async Task<JsonElement> WaitForAsync(string method, Func<JsonElement, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            foreach (var payload in Of(method))
            {
                if (condition(payload))
                {
                    return payload;
                }
            }
            Assert.True(DateTime.UtcNow < deadline, $"No matching {method} arrived; received: {string.Join(", ", Received.Select(r => r.Method))}");
            await Task.Delay(50, Trader.Ct);
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}

public static class Tokens
{
    /// <summary>The <c>sub</c> (user id) of an access token.</summary>
    public static Guid UserId(string accessToken) => Claim(accessToken, "sub");

    /// <summary>The <c>sid</c> (sign-in session) of an access token.</summary>
    public static Guid SessionId(string accessToken) => Claim(accessToken, "sid");

    private static Guid Claim(string accessToken, string name)
    {
        var payload = accessToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
        return Guid.Parse(document.RootElement.GetProperty(name).GetString()!);
    }

    public static string AccessToken(this Trader trader) => trader.Http.DefaultRequestHeaders.Authorization!.Parameter!;
}
