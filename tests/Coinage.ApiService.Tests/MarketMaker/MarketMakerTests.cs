extern alias worker;

using System.Net;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.MarketMaker;

/// <summary>The Development users and the market maker, against the real API and matching host.</summary>
public sealed class MarketMakerTests(InfrastructureFixture infrastructure)
{
    private const string TraderPassword = "alice and bob trade 2026";
    private const string MakerPassword = "the market maker quotes 2026";

    private static Dictionary<string, string?> Passwords => new()
    {
        ["Coinage:DevelopmentUsers:TraderPassword"] = TraderPassword,
        ["Coinage:DevelopmentUsers:MarketMakerPassword"] = MakerPassword,
    };

    [Fact]
    public async Task Development_seeds_alice_bob_and_the_market_maker_once_verified_and_able_to_trade()
    {
        var database = await infrastructure.CreateDatabaseAsync("devusers");
        await using (var first = new ApiFactory(database, infrastructure.RedisConnectionString, Passwords))
        {
            _ = first.Services;
        }
        // A second start (another replica, a restart) changes nothing.
        await using var api = new ApiFactory(database, infrastructure.RedisConnectionString, Passwords);
        var client = new IdentityTestClient(api.CreateClient(), database);
        foreach (var (email, password) in new[] { ("alice@coinage.local", TraderPassword), ("bob@coinage.local", TraderPassword), ("market-maker@coinage.local", MakerPassword), ("market-taker@coinage.local", MakerPassword) })
        {
            Assert.Equal(1L, await client.CountAsync("SELECT count(*) FROM users WHERE normalized_email = upper(@e) AND email_confirmed", ("e", email)));
            var access = (await client.LoginAsync(email, password)).GetProperty("accessToken").GetString()!;
            using var eligibility = await client.SendAsync(HttpMethod.Post, "/api/v1/wallet/deposits", access, new { asset = "USD", amount = "10" });
            // Verified: a deposit is refused only for its missing Idempotency-Key, not for the account.
            Assert.Equal(HttpStatusCode.BadRequest, eligibility.StatusCode);
            Assert.Equal("idempotency_key_required", (await JsonAsync(eligibility)).GetProperty("code").GetString());
        }
        Assert.Equal(4L, await client.CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'user.development_seeded'"));
    }

    [Fact]
    public async Task Outside_development_no_user_is_seeded()
    {
        var database = await infrastructure.CreateDatabaseAsync("devusers_prod");
        await using var api = new ApiFactory(database, infrastructure.RedisConnectionString, Passwords);
        await using var production = api.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        _ = production.Services;
        var client = new IdentityTestClient(production.CreateClient(), database);
        Assert.Equal(0L, await client.CountAsync("SELECT count(*) FROM users WHERE email LIKE '%@coinage.local'"));
    }

    [Fact]
    public async Task The_market_maker_keeps_bids_and_asks_on_every_market_makes_trades_and_the_ledger_reconciles()
    {
        var database = await infrastructure.CreateDatabaseAsync("marketmaker");
        await using var api = new ApiFactory(database, infrastructure.RedisConnectionString, Passwords);
        _ = api.Services;
        await using var matching = new MatchingWorkerFactory(database, infrastructure.RedisConnectionString);
        await using var worker = matching.WithWebHostBuilder(b =>
        {
            b.UseSetting("Coinage:MarketMaker:Password", MakerPassword);
            b.UseSetting("Coinage:MarketMaker:ApiBaseUrl", "http://localhost");
            b.UseSetting("Coinage:MarketMaker:CycleInterval", "00:00:00.100");
            b.UseSetting("Coinage:MarketMaker:RequestsPerSecond", "9");
            b.UseSetting("Coinage:MarketMaker:CrossPercent", "60");
            b.ConfigureTestServices(services => services.AddHttpClient("market-maker").ConfigurePrimaryHttpMessageHandler(() => api.Server.CreateHandler()));
        });
        _ = worker.Services;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        (string Symbol, long Bids, long Asks, long Trades)[] markets;
        while (true)
        {
            markets = await MarketActivityAsync(database);
            if (markets.All(m => m.Bids > 0 && m.Asks > 0 && m.Trades > 0) || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(500, Ct);
        }
        Assert.Equal(3, markets.Length);
        foreach (var market in markets)
        {
            Assert.True(market.Bids > 0 && market.Asks > 0 && market.Trades > 0, $"{market.Symbol}: {market.Bids} bids, {market.Asks} asks, {market.Trades} trades");
        }
        // Quotes stay on their side of the book: the best bid is below the best ask on every market.
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(database, """
            SELECT count(*) FROM markets m
            WHERE (SELECT max(limit_price_ticks) FROM orders WHERE market_id = m.id AND side = 0 AND status IN (1, 2))
               >= (SELECT min(limit_price_ticks) FROM orders WHERE market_id = m.id AND side = 1 AND status IN (1, 2))
            """));
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // The Worker's own reconciliation over the same database agrees.
        await using var scope = worker.Services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<worker::Coinage.Worker.Reconciliation.ReconciliationJob>().RunAsync(Ct);
        Assert.True(run.Status == Coinage.Domain.Reconciliation.ReconciliationStatus.Succeeded, run.Discrepancies);

        // Trading metrics reach the Worker's /metrics.
        using var http = worker.CreateClient();
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
        Assert.Contains("coinage_exchange_trades_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("coinage_exchange_commands_processed_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("coinage_matching_batch_size_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("coinage_matching_batch_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.Contains("coinage_settlement_delay_seconds_bucket{", metrics, StringComparison.Ordinal);
    }

    private static async Task<(string Symbol, long Bids, long Asks, long Trades)[]> MarketActivityAsync(string database)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT m.symbol,
                   (SELECT count(*) FROM orders o WHERE o.market_id = m.id AND o.side = 0 AND o.status IN (1, 2)),
                   (SELECT count(*) FROM orders o WHERE o.market_id = m.id AND o.side = 1 AND o.status IN (1, 2)),
                   (SELECT count(*) FROM trades t WHERE t.market_id = m.id)
            FROM markets m ORDER BY m.symbol
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<(string, long, long, long)>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return [.. rows];
    }
}
