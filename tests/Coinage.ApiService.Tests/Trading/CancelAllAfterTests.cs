using System.Net;
using System.Net.Http.Json;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// The dead man's switch: <c>POST /api/v1/orders/cancel-all-after</c> armed, renewed and disarmed through the API, fired by
/// the Worker once the API is gone, through the ordinary cancel-all command, exactly once; on a database of its own.
/// Arming, disarming and firing are audited; renewing is not.
/// </summary>
public sealed class CancelAllAfterTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task An_expired_switch_cancels_the_owners_orders_in_every_market_once_even_with_the_api_down()
    {
        var database = await infrastructure.CreateDatabaseAsync("deadman");
        // Redis keys of its own (StopOrderTests use databases 7 and 8): a book published from another database would mislead.
        var redis = infrastructure.RedisConnectionString + ",defaultDatabase=9";
        var api = new ApiFactory(database, redis);
        await using var worker = new MatchingWorkerFactory(database, redis);
        _ = worker.Services;
        var alice = await Trader.CreateAsync(api, database, "deadman-alice");
        await alice.DepositAsync("BTC", "10");
        await alice.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "limit", price = "0.01", quantity = "1" });
        await alice.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "90000", quantity = "1" });
        await alice.PlaceAsync(new { market = "ETH-BTC", side = "buy", type = "stop_limit", triggerPrice = "0.2", price = "0.2", quantity = "1" });
        await ExchangeDatabase.WaitProcessedAsync(database);

        // A switch of its own for one market, far away; the one for all markets first armed for a minute.
        var perMarket = await ArmAsync(alice, new { timeoutSeconds = 600, market = "btc-usd" });
        Assert.Equal("BTC-USD", perMarket.GetProperty("market").GetString());
        Assert.Equal(600, (perMarket.GetProperty("triggerTime").GetDateTimeOffset() - perMarket.GetProperty("currentTime").GetDateTimeOffset()).TotalSeconds);
        await ArmAsync(alice, new { timeoutSeconds = 60 });
        // A bot renews every few seconds: renewals are not audited.
        for (var i = 0; i < 5; i++)
        {
            await ArmAsync(alice, new { timeoutSeconds = 60 });
        }
        // Armed and disarmed: nothing left of it. Disarming again finds nothing, and records nothing.
        await ArmAsync(alice, new { timeoutSeconds = 5, market = "ETH-BTC" });
        var disarmed = await ArmAsync(alice, new { timeoutSeconds = 0, market = "ETH-BTC" });
        Assert.Equal(System.Text.Json.JsonValueKind.Null, disarmed.GetProperty("triggerTime").ValueKind);
        await ArmAsync(alice, new { timeoutSeconds = 0, market = "ETH-BTC" });
        Assert.Equal(2, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM cancel_all_after"));
        Assert.Equal(3, await LiveOrdersAsync(database));

        // Renewed with a shorter timeout: the deadline moves to it. Then the API goes away, as a crashed bot's session would.
        await ArmAsync(alice, new { timeoutSeconds = 1 });
        await api.DisposeAsync();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await LiveOrdersAsync(database) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the switch did not cancel the orders");
            await Task.Delay(100, Ct);
        }
        await ExchangeDatabase.WaitProcessedAsync(database);
        Assert.Equal(3, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM orders WHERE status = 4 AND close_reason = 1"));
        Assert.Equal(0m, await ExchangeDatabase.ScalarAsync<decimal>(database, "SELECT coalesce(sum(remaining_hold), 0) FROM orders"));
        // One cancel-all per market with orders; the per-market switch still waits for its own deadline.
        Assert.Equal(2, await CancelAllCommandsAsync(database));
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM cancel_all_after WHERE market_id = 1"));
        await ExchangeDatabase.AssertInvariantsAsync(database);

        // Fired once: later polls append nothing more.
        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        Assert.Equal(2, await CancelAllCommandsAsync(database));

        // Audited: three armed (the renewals not), one disarmed, and one fired by the system (no actor) with the three
        // orders it cancelled in two markets, about alice; the chain, written by the API and the Worker, holds.
        Assert.Equal("BTC-USD,all,ETH-BTC", await AuditedMarketsAsync(database, "orders.cancel_all_after_armed"));
        Assert.Equal("ETH-BTC", await AuditedMarketsAsync(database, "orders.cancel_all_after_disarmed"));
        Assert.Equal("all", await AuditedMarketsAsync(database, "orders.cancel_all_after_fired"));
        Assert.Equal("3 2 system", await ExchangeDatabase.ScalarAsync<string>(database, """
            SELECT concat_ws(' ', data::jsonb ->> 'cancelledOrders', data::jsonb ->> 'markets', coalesce(actor_user_id::text, 'system'))
            FROM audit_entries WHERE action = 'orders.cancel_all_after_fired'
            """));
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(database,
            "SELECT count(DISTINCT subject_user_id) FROM audit_entries WHERE action LIKE 'orders.cancel_all_after%' AND subject_user_id IS NOT NULL"));
        Assert.Equal(5, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM audit_entries WHERE action LIKE 'orders.cancel_all_after%'"));
        var db = ExchangeDatabase.Open(database, out var dataSource);
        await using (dataSource)
        await using (db)
        {
            Assert.True((await Coinage.Domain.Audit.AuditLog.VerifyAsync(db, Ct)).Intact);
        }
    }

    private static Task<string> AuditedMarketsAsync(string database, string action) => ExchangeDatabase.ScalarAsync<string>(database,
        "SELECT string_agg(data::jsonb ->> 'market', ',' ORDER BY sequence) FROM audit_entries WHERE action = @a", ("a", action));

    [Theory]
    [InlineData("""{"timeoutSeconds": 601}""", HttpStatusCode.BadRequest, "validation_failed")]
    [InlineData("""{"timeoutSeconds": -1}""", HttpStatusCode.BadRequest, "validation_failed")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "validation_failed")]
    [InlineData("""{"timeoutSeconds": 30, "market": "NOPE-USD"}""", HttpStatusCode.NotFound, "unknown_market")]
    public async Task A_bad_timeout_or_market_is_refused_and_arms_nothing(string body, HttpStatusCode status, string code)
    {
        var database = await infrastructure.CreateDatabaseAsync("deadman_bad");
        await using var api = new ApiFactory(database, infrastructure.RedisConnectionString);
        var trader = await Trader.CreateAsync(api, database, "deadman-bad");

        using var response = await trader.Http.PostAsync(new Uri("/api/v1/orders/cancel-all-after", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var problem = await JsonAsync(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        if (status == HttpStatusCode.BadRequest)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty("timeoutSeconds", out _), problem.ToString());
        }
        Assert.Equal(0, await ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM cancel_all_after"));
    }

    private static async Task<System.Text.Json.JsonElement> ArmAsync(Trader trader, object request)
    {
        using var response = await trader.Http.PostAsJsonAsync("/api/v1/orders/cancel-all-after", request, Ct);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        return body;
    }

    private static Task<long> LiveOrdersAsync(string database) =>
        ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM orders WHERE status IN (0, 1, 2, 6)");

    private static Task<long> CancelAllCommandsAsync(string database) =>
        ExchangeDatabase.ScalarAsync<long>(database, "SELECT count(*) FROM market_commands WHERE type = 3");
}
