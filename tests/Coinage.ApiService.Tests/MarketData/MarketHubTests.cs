using System.Globalization;
using System.Net;
using System.Text.Json;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.MarketData;

/// <summary>The hub end to end: real orders through the API, the Worker's matching host, Redis, and SignalR clients.</summary>
public sealed class MarketHubTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Subscribers_see_consecutive_book_updates_trades_and_tickers_and_only_the_owner_sees_private_events()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        await using var worker = env.Worker();
        _ = worker.Services; // starts the matching host
        var alice = await Trader.CreateAsync(api, env.Database, "alice");
        var bob = await Trader.CreateAsync(api, env.Database, "bob");
        var carol = await Trader.CreateAsync(api, env.Database, "carol");
        await alice.DepositAsync("USD", "100000");
        await bob.DepositAsync("BTC", "10");

        await using var anonymous = await HubClient.ConnectAsync(api);
        await using var aliceHub = await HubClient.ConnectAsync(api, alice.AccessToken());
        await using var carolHub = await HubClient.ConnectAsync(api, carol.AccessToken());
        var snapshot = await anonymous.SubscribeAsync("btc-usd");
        Assert.Equal("BTC-USD", snapshot.GetProperty("market").GetString());
        await aliceHub.SubscribeAsync("BTC-USD");
        await carolHub.SubscribeAsync("BTC-USD");

        var sell = await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "50000", quantity = "1" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        var buy = await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "50100", quantity = "0.4" });
        await ExchangeDatabase.WaitProcessedAsync(env.Database);
        var buyId = buy.GetProperty("id").GetString();

        // Book: updates chain from the snapshot's sequence; applied in order they give the book as it is now.
        var lastSequence = await ExchangeDatabase.ScalarAsync<long>(env.Database, "SELECT max(sequence) FROM market_commands");
        await anonymous.WaitForAsync("bookUpdate", u => Seq(u, "sequence") == lastSequence);
        var bids = Levels(snapshot.GetProperty("bids"));
        var asks = Levels(snapshot.GetProperty("asks"));
        var sequence = Seq(snapshot, "sequence");
        foreach (var update in anonymous.Of("bookUpdate").Where(u => Seq(u, "sequence") > Seq(snapshot, "sequence")))
        {
            Assert.Equal(sequence, Seq(update, "previousSequence"));
            Assert.True(Seq(update, "sequence") > sequence);
            sequence = Seq(update, "sequence");
            Apply(bids, update.GetProperty("bids"));
            Apply(asks, update.GetProperty("asks"));
        }
        Assert.Empty(bids);
        Assert.Equal(new Dictionary<string, string> { ["50000"] = "0.6" }, asks);
        var rest = await alice.GetAsync("/api/v1/markets/BTC-USD/book");
        Assert.Equal(lastSequence.ToString(CultureInfo.InvariantCulture), rest.GetProperty("sequence").GetString());
        Assert.Equal("0.6", rest.GetProperty("asks")[0][1].GetString());

        // Public trade and ticker.
        var trades = await anonymous.WaitForAsync("trades", _ => true);
        var trade = Assert.Single(trades.GetProperty("trades").EnumerateArray());
        Assert.Equal(("50000", "0.4", "buy"), (trade.GetProperty("price").GetString(), trade.GetProperty("quantity").GetString(), trade.GetProperty("side").GetString()));
        var ticker = await anonymous.WaitForAsync("ticker", t => t.GetProperty("last").GetString() == "50000");
        Assert.Equal(("BTC-USD", "50000"), (ticker.GetProperty("symbol").GetString(), ticker.GetProperty("bestAsk").GetString()));

        // Private: alice's fill, order and balances reach alice.
        var fill = await aliceHub.WaitForAsync("fill", _ => true);
        Assert.Equal((buyId, "taker", "buy", "0.4", "50000", "40", "USD"),
            (fill.GetProperty("orderId").GetString(), fill.GetProperty("liquidity").GetString(), fill.GetProperty("side").GetString(),
             fill.GetProperty("quantity").GetString(), fill.GetProperty("price").GetString(), fill.GetProperty("fee").GetString(), fill.GetProperty("feeAsset").GetString()));
        var order = await aliceHub.WaitForAsync("orderUpdate", o => o.GetProperty("id").GetString() == buyId);
        Assert.Equal(("filled", "0.4", "50000"), (order.GetProperty("status").GetString(), order.GetProperty("filledQuantity").GetString(), order.GetProperty("averagePrice").GetString()));
        var btc = await aliceHub.WaitForAsync("balance", b => b.GetProperty("asset").GetString() == "BTC");
        Assert.Equal(("0.4", "0", "0.4"), (btc.GetProperty("available").GetString(), btc.GetProperty("held").GetString(), btc.GetProperty("total").GetString()));
        var usd = await aliceHub.WaitForAsync("balance", b => b.GetProperty("asset").GetString() == "USD");
        Assert.Equal("79960", usd.GetProperty("total").GetString());
        // Nothing of bob's reaches alice, and nothing private reaches carol or the anonymous client.
        Assert.All(aliceHub.Of("fill"), f => Assert.Equal(buyId, f.GetProperty("orderId").GetString()));
        Assert.DoesNotContain(aliceHub.Of("orderUpdate"), o => o.GetProperty("id").GetString() == sell.GetProperty("id").GetString());
        foreach (var outsider in new[] { carolHub, anonymous })
        {
            Assert.DoesNotContain(outsider.Received, m => m.Method is "fill" or "orderUpdate" or "balance");
        }
        // carol follows the market like anyone else.
        await carolHub.WaitForAsync("bookUpdate", u => Seq(u, "sequence") == lastSequence);
    }

    [Fact]
    public async Task A_revoked_session_loses_its_hub_connection_at_once_and_its_token_reconnects_only_as_a_visitor()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = env.Api();
        var alice = await Trader.CreateAsync(api, env.Database, "revoked");
        var bob = await Trader.CreateAsync(api, env.Database, "kept");
        await using var aliceHub = await HubClient.ConnectAsync(api, alice.AccessToken());
        await using var bobHub = await HubClient.ConnectAsync(api, bob.AccessToken());
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        aliceHub.Connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await aliceHub.SubscribeAsync("BTC-USD");
        await bobHub.SubscribeAsync("BTC-USD");

        // Signed out of that session from anywhere: its access token is still unexpired, but the hub lets it go now.
        using (var revoke = await alice.Http.DeleteAsync(new Uri($"/api/v1/account/sessions/{Tokens.SessionId(alice.AccessToken())}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(HubConnectionState.Disconnected, aliceHub.Connection.State);
        Assert.Equal(HubConnectionState.Connected, bobHub.Connection.State);

        // Reconnecting with the revoked token gives a visitor's connection: markets, but nothing of alice's.
        await using var again = await HubClient.ConnectAsync(api, alice.AccessToken());
        await again.SubscribeAsync("BTC-USD");
        var keys = new Coinage.Domain.MarketData.MarketDataKeys(env.Prefix);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(env.Redis);
        var publisher = redis.GetSubscriber();
        const string balance = """[{"event":"balance","data":{"asset":"USD","available":"1","held":"0","total":"1"}}]""";
        await publisher.PublishAsync(RedisChannel.Literal(keys.UserChannel(Tokens.UserId(alice.AccessToken()))), balance);
        await publisher.PublishAsync(RedisChannel.Literal(keys.UserChannel(Tokens.UserId(bob.AccessToken()))), balance);
        await publisher.PublishAsync(RedisChannel.Literal(keys.BookChannel("BTC-USD")),
            """{"market":"BTC-USD","sequence":"1","previousSequence":"0","bids":[],"asks":[]}""");
        // bob's event went through the relay after alice's (one ordered queue for user channels), and the book reached the new connection.
        await bobHub.WaitForAsync("balance", _ => true);
        await again.WaitForAsync("bookUpdate", u => Seq(u, "sequence") == 1);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.DoesNotContain(again.Received, m => m.Method == "balance");
        Assert.DoesNotContain(aliceHub.Received, m => m.Method == "balance");
    }

    [Fact]
    public async Task Unknown_markets_and_too_many_subscriptions_are_refused()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = new ApiFactory(env.Database, env.Redis, new Dictionary<string, string?>
        {
            ["Coinage:MarketData:KeyPrefix"] = env.Prefix,
            ["Coinage:MarketData:MaxSubscriptionsPerConnection"] = "2",
        });
        await using var client = await HubClient.ConnectAsync(api);
        var unknown = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("NOPE-USD"));
        Assert.Contains("unknown_market", unknown.Message, StringComparison.Ordinal);
        await client.SubscribeAsync("BTC-USD");
        await client.SubscribeAsync("ETH-USD");
        await client.SubscribeAsync("BTC-USD"); // again: not a third market
        var tooMany = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync("ETH-BTC"));
        Assert.Contains("too_many_subscriptions", tooMany.Message, StringComparison.Ordinal);
        await client.Connection.InvokeAsync("UnsubscribeMarket", "ETH-USD", Ct);
        await client.SubscribeAsync("ETH-BTC");
    }

    /// <summary>
    /// Two ApiService replicas on one Redis (the SignalR backplane included): every event the Worker
    /// publishes reaches every subscribed connection exactly once, whichever replica holds it.
    /// </summary>
    [Fact]
    public async Task With_two_replicas_each_client_gets_each_event_exactly_once()
    {
        var env = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var one = env.Api();
        await using var two = env.Api();
        var user = await Trader.CreateAsync(one, env.Database, "replicas");
        var userId = Tokens.UserId(user.AccessToken());
        var clients = new[]
        {
            await HubClient.ConnectAsync(one), await HubClient.ConnectAsync(two), await HubClient.ConnectAsync(two),
            await HubClient.ConnectAsync(one, user.AccessToken()), await HubClient.ConnectAsync(two, user.AccessToken()),
        };
        try
        {
            foreach (var client in clients)
            {
                await client.SubscribeAsync("BTC-USD");
            }
            var keys = new Coinage.Domain.MarketData.MarketDataKeys(env.Prefix);
            await using var redis = await ConnectionMultiplexer.ConnectAsync(env.Redis);
            var publisher = redis.GetSubscriber();
            for (var s = 1; s <= 5; s++)
            {
                await publisher.PublishAsync(RedisChannel.Literal(keys.BookChannel("BTC-USD")),
                    $$"""{"market":"BTC-USD","sequence":"{{s}}","previousSequence":"{{s - 1}}","bids":[["{{100 + s}}","1"]],"asks":[]}""");
            }
            await publisher.PublishAsync(RedisChannel.Literal(keys.UserChannel(userId)),
                """[{"event":"balance","data":{"asset":"USD","available":"1","held":"0","total":"1"}},{"event":"fill","data":{"tradeId":"7"}}]""");
            // Published last on the same channel as the book: once it is in, everything before it is too.
            await publisher.PublishAsync(RedisChannel.Literal(keys.BookChannel("BTC-USD")),
                """{"market":"BTC-USD","sequence":"6","previousSequence":"5","bids":[],"asks":[]}""");

            foreach (var client in clients)
            {
                await client.WaitForAsync("bookUpdate", u => Seq(u, "sequence") == 6);
            }
            // A duplicate through the backplane would come from another replica, later than the direct copy: give it time to show.
            await Task.Delay(TimeSpan.FromSeconds(1), Ct);
            foreach (var client in clients)
            {
                Assert.Equal([1L, 2, 3, 4, 5, 6], client.Of("bookUpdate").Select(u => Seq(u, "sequence")).ToList());
            }
            foreach (var client in clients[3..])
            {
                Assert.Equal(["balance", "fill"], client.Received.Where(m => m.Method is "balance" or "fill").Select(m => m.Method).ToList());
            }
            foreach (var client in clients[..3])
            {
                Assert.DoesNotContain(client.Received, m => m.Method is "balance" or "fill");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static long Seq(JsonElement e, string name) => long.Parse(e.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Levels(JsonElement levels) =>
        levels.EnumerateArray().ToDictionary(l => l[0].GetString()!, l => l[1].GetString()!);

    private static void Apply(Dictionary<string, string> side, JsonElement changes)
    {
        foreach (var change in changes.EnumerateArray())
        {
            if (change[1].GetString() == "0")
            {
                side.Remove(change[0].GetString()!);
            }
            else
            {
                side[change[0].GetString()!] = change[1].GetString()!;
            }
        }
    }
}
