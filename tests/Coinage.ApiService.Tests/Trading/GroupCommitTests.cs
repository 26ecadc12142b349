using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Trading;

/// <summary>
/// The order path under concurrency: placements that race each other are coalesced into shared transactions
/// (OrderCommitter), yet each is answered as if it were alone; and a command the matching host cannot apply is
/// taken out of the stream instead of stopping the market.
/// </summary>
public sealed class GroupCommitTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    [Theory]
    [InlineData(1)]
    [InlineData(2)] // two writers judge requests of one trader at the same time: the check constraint and the clientOrderId index decide
    public async Task Concurrent_placements_of_several_traders_are_each_judged_alone_and_refusals_fail_no_one_else(int writers)
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Trading:GroupCommit:Writers"] = writers.ToString(CultureInfo.InvariantCulture),
        });
        var traders = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Trader.CreateAsync(api, Db, $"group{writers}w{i}")));
        // A bid of 10 BTC at $1: notional $10 (the minimum) + 0.2 % fee = $10.02 held, and nobody sells BTC at $1,
        // so the orders rest. $100.20 pays for exactly ten of them.
        foreach (var trader in traders)
        {
            await trader.DepositAsync("USD", "100.2");
            await trader.DepositAsync("ETH", "2");
        }
        var bid = new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "10" };
        var ask = new { market = "ETH-USD", side = "sell", type = "limit", price = "900000", quantity = "1", clientOrderId = "same-id" };
        var otherTerms = new { market = "ETH-USD", side = "sell", type = "limit", price = "900001", quantity = "1", clientOrderId = "other-terms" };
        var otherTermsFirst = new { market = "ETH-USD", side = "sell", type = "limit", price = "900000", quantity = "1", clientOrderId = "other-terms" };

        // All at once: 15 bids (5 more than the funds allow), the same clientOrderId twice with the same terms,
        // and one clientOrderId with two different terms, per trader.
        var requests = new List<(Trader Trader, string Kind, object Body)>();
        foreach (var trader in traders)
        {
            requests.AddRange(Enumerable.Range(0, 15).Select(_ => (trader, "bid", (object)bid)));
            requests.AddRange([(trader, "same", ask), (trader, "same", ask), (trader, "terms", otherTermsFirst), (trader, "terms", otherTerms)]);
        }
        var answers = await Task.WhenAll(requests.Select(async r =>
        {
            using var response = await r.Trader.PlaceRawAsync(r.Body);
            return (r.Trader, r.Kind, response.StatusCode, Body: await JsonAsync(response));
        }));

        foreach (var trader in traders)
        {
            var mine = answers.Where(a => a.Trader == trader).ToList();
            var bids = mine.Where(a => a.Kind == "bid").ToList();
            Assert.Equal(10, bids.Count(a => a.StatusCode == HttpStatusCode.Created));
            Assert.All(bids.Where(a => a.StatusCode != HttpStatusCode.Created), a =>
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, a.StatusCode);
                Assert.Equal("insufficient_funds", a.Body.GetProperty("code").GetString());
            });
            Assert.Equal(10, bids.Where(a => a.StatusCode == HttpStatusCode.Created).Select(a => a.Body.GetProperty("id").GetString()).Distinct().Count());

            // The same id and terms twice: one order, created once, the other answer names it.
            var same = mine.Where(a => a.Kind == "same").ToList();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created], same.Select(a => a.StatusCode).Order());
            Assert.Single(same.Select(a => a.Body.GetProperty("id").GetString()).Distinct());

            // One id, two sets of terms: whichever was judged first is the order, the other is a conflict.
            var terms = mine.Where(a => a.Kind == "terms").ToList();
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], terms.Select(a => a.StatusCode).Order());
            Assert.Equal("duplicate_client_order_id", terms.Single(a => a.StatusCode == HttpStatusCode.Conflict).Body.GetProperty("code").GetString());

            // Exactly the accepted orders hold funds, once each.
            var balances = await trader.BalancesAsync();
            Assert.Equal((0m, 100.2m), balances["USD"]);
            Assert.Equal((0m, 2m), balances["ETH"]);
            var open = await trader.GetAsync("/api/v1/orders/open?limit=200");
            Assert.Equal(12, open.GetProperty("items").GetArrayLength());
        }

        // Every accepted order has its place command (same number) and its audit entry; the chain is intact.
        var ids = answers.Where(a => a.StatusCode == HttpStatusCode.Created).Select(a => long.Parse(a.Body.GetProperty("id").GetString()!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4 * 12, ids.Length);
        await using var db = ExchangeDatabase.Open(Db, out var dataSource);
        await using (dataSource)
        {
            Assert.Equal(ids.Length, await db.MarketCommands.CountAsync(c => c.Type == MarketCommandType.Place && ids.Contains(c.Sequence) && c.OrderId == c.Sequence, Ct));
            var audited = await db.AuditEntries.Where(e => e.Action == "order.placed").Select(e => e.Data).ToListAsync(Ct);
            Assert.All(ids, id => Assert.Contains(audited, data => data.Contains($"\"orderId\":{id},", StringComparison.Ordinal)));
            var chain = await AuditLog.VerifyAsync(db, Ct);
            Assert.True(chain.Intact, $"audit chain broken at {chain.FirstBrokenSequence}: {chain.Reason}");
        }
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Accepted_and_refused_orders_are_counted_on_the_metrics_endpoint()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "metrics");
        await trader.DepositAsync("USD", "10.02");
        await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "10" });
        using (var refused = await trader.PlaceRawAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "10" }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }
        using (var invalid = await trader.PlaceRawAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "1.5", quantity = "10" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        using var scraper = api.CreateClient();
        var text = await scraper.GetStringAsync(new Uri("/metrics", UriKind.Relative), Ct);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("coinage_orders_accepted_total{", StringComparison.Ordinal)
            && l.Contains("market=\"BTC-USD\"", StringComparison.Ordinal) && l.Contains("side=\"buy\"", StringComparison.Ordinal) && l.Contains("type=\"limit\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("coinage_orders_rejected_total{", StringComparison.Ordinal) && l.Contains("reason=\"insufficient_funds\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("coinage_orders_rejected_total{", StringComparison.Ordinal) && l.Contains("reason=\"invalid_price\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hold_judged_on_funds_spent_before_its_commit_is_judged_again_under_the_lock_and_refused()
    {
        await using var api = new ApiFactory(infrastructure);
        var trader = await Trader.CreateAsync(api, Db, "spent");
        var key = Guid.NewGuid().ToString();
        using (var deposit = await trader.DepositRawAsync("USD", "10.02", key))
        {
            Assert.Equal(HttpStatusCode.Created, deposit.StatusCode);
        }
        var owner = await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT owner_id FROM deposits WHERE idempotency_key = @k", ("k", key));
        // This API's counter only (other tests' APIs run in the same process).
        var meters = api.Services.GetRequiredService<IMeterFactory>();
        long conflicts = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "coinage.orders.group_commit.hold_conflicts")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref conflicts, value));
        listener.Start();

        await using (var db = ExchangeDatabase.Open(Db, out var dataSource))
        await using (dataSource)
        {
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var usd = assets["USD"];
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            await LedgerStore.LockAsync(db, [AccountId.Available(owner, usd)], assets, DateTimeOffset.UtcNow, Ct);
            var pid = await db.Database.SqlQuery<int>($"SELECT pg_backend_pid() AS \"Value\"").SingleAsync(Ct);

            // The group commit reads the $10.02 without a lock, judges that a $10.02 hold fits, writes the order and
            // waits for the balance row this transaction holds (in the lock of its last statements, not of its first read).
            var placing = trader.PlaceRawAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "10" });
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            const string waiting = "SELECT count(*) FROM pg_stat_activity WHERE @pid = ANY(pg_blocking_pids(pid)) AND query LIKE 'SELECT id FROM balances WHERE id = ANY%FOR UPDATE'";
            while (await ExchangeDatabase.ScalarAsync<long>(Db, waiting, ("pid", pid)) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the group commit never waited for the balance row");
                await Task.Delay(20, Ct);
            }

            // Meanwhile the funds leave the account (as a completed withdrawal moves them), and this commit lets the group commit go on.
            await LedgerStore.PostAsync(db, [JournalEntry.Move(JournalEntryKind.WithdrawalCompletion, 0, AccountId.Available(owner, usd), AccountId.External(usd), 10.02m)],
                assets, DateTimeOffset.UtcNow, Ct);
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);

            using var refused = await placing;
            var body = await JsonAsync(refused);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("insufficient_funds", body.GetProperty("code").GetString());
        }

        // Refused whole: no order, no command, no hold; the balance check of the first judgement caught it and the second refused it.
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM orders WHERE owner_id = @o", ("o", owner)));
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM market_commands WHERE owner_id = @o", ("o", owner)));
        Assert.Equal((0m, 0m), (await trader.BalancesAsync())["USD"]);
        Assert.Equal(1, Interlocked.Read(ref conflicts));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_command_that_always_fails_is_taken_out_of_the_stream_and_the_market_goes_on()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services; // starts the matching host
        var trader = await Trader.CreateAsync(api, Db, "poison");
        await trader.DepositAsync("USD", "1000");
        var first = await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "1", quantity = "10" });
        var firstId = long.Parse(first.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);

        // A place command whose order row holds for 10 BTC but asks for 1,000: the ledger is consistent (the
        // hold was posted), but the matching host cannot rest the order without breaking it, so the command fails
        // every time it is tried. Written the way a bug in an earlier release could have left it.
        long poison;
        await using (var db = ExchangeDatabase.Open(Db, out var dataSource))
        await using (dataSource)
        {
            var owner = await db.Orders.Where(o => o.Id == firstId).Select(o => o.OwnerId).SingleAsync(Ct);
            var market = await db.Markets.SingleAsync(m => m.Symbol == "BTC-USD", Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var spot = ExchangeCatalog.ToSpotMarket(market, assets);
            await using var tx = await db.Database.BeginTransactionAsync(Ct);
            poison = await ExchangeCatalog.NextCommandSequenceAsync(db, Ct);
            var placement = LedgerOperations.PlaceOrder(spot, PlaceOrder.Limit(poison, owner, Side.Buy, 1, 1000, TimeInForce.GoodTillCancel, false, SelfTradePrevention.CancelNewest));
            var now = DateTimeOffset.UtcNow;
            await LedgerStore.PostAsync(db, [placement.Hold], assets, now, Ct);
            db.Orders.Add(new OrderRecord
            {
                Id = poison, MarketId = market.Id, OwnerId = owner, RequestHash = "poison", Side = Side.Buy, Type = OrderType.Limit,
                TimeInForce = TimeInForce.GoodTillCancel, SelfTradePrevention = SelfTradePrevention.CancelNewest, LimitPriceTicks = 1,
                QuantityLots = 100_000, HoldAsset = "USD", OriginalHold = placement.Order.OriginalHold, RemainingHold = placement.Order.RemainingHold,
                Status = OrderStatus.Pending, CreatedAt = now, UpdatedAt = now,
            });
            db.MarketCommands.Add(new MarketCommand { Sequence = poison, MarketId = market.Id, Type = MarketCommandType.Place, OwnerId = owner, OrderId = poison, Payload = "{}", CreatedAt = now });
            await db.SaveChangesAsync(Ct);
            await tx.CommitAsync(Ct);
        }
        var after = await trader.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "2", quantity = "5" });
        var afterId = long.Parse(after.GetProperty("id").GetString()!, CultureInfo.InvariantCulture);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM market_commands WHERE sequence = @id AND processed_at IS NULL", ("id", afterId)) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the command after the poisoned one was never processed");
            await Task.Delay(100, Ct);
        }
        Assert.Equal("failed", await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT result FROM market_commands WHERE sequence = @id AND processed_at IS NOT NULL", ("id", poison)));
        var order = await trader.GetAsync($"/api/v1/orders/{poison}");
        Assert.Equal(("rejected", "0", "processing_failed"),
            (order.GetProperty("status").GetString(), order.GetProperty("remainingHold").GetString(), order.GetProperty("closeReason").GetString()));
        Assert.Equal("open", (await trader.GetAsync($"/api/v1/orders/{afterId}")).GetProperty("status").GetString());
        // The poisoned order's hold is back: only the two good bids hold funds (10.02 + 10.02).
        Assert.Equal((1000m - 20.04m, 20.04m), (await trader.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }
}
