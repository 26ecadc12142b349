using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Ledger;

/// <summary>
/// Thousands of seeded random sequences of deposits, withdrawals, orders of every kind and cancels
/// from a few owners go through the real <see cref="MatchingEngine"/> and <see cref="SettlementCalculator"/>,
/// and every entry is applied to <see cref="TestLedger"/>. After EVERY command: no discrepancy,
/// users plus the fee account hold exactly the net deposits of each asset, the fee account holds
/// exactly the fees of the trades, every done order holds nothing, every open order holds exactly
/// what it still needs and is the one on the book, and every untriggered (stop or take-profit) order
/// holds what the order it becomes needs and is the one armed. Most sequences run under a price band, so market
/// orders are also cut at its edge. A failure names its seed; replay it alone with
/// <see cref="Replays_a_single_seed"/>.
/// </summary>
public sealed class LedgerPropertyTests
{
    private const int SequencesPerBatch = 250;
    private const int Batches = 8;

    public static TheoryData<int> BatchNumbers() => [.. Enumerable.Range(0, Batches)];

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void Random_sequences_keep_the_ledger_balanced_after_every_command(int batch)
    {
        var coverage = new Coverage();
        for (var i = 0; i < SequencesPerBatch; i++)
        {
            RunSequence(seed: 7_000_003 * batch + i, coverage);
        }

        // A property test proves only what its sequences reach.
        Assert.True(coverage.Commands > SequencesPerBatch * 50, $"only {coverage.Commands} commands ran");
        Assert.True(coverage.Trades > SequencesPerBatch * 8, $"only {coverage.Trades} trades");
        Assert.True(coverage.ImprovementReleases > SequencesPerBatch, $"only {coverage.ImprovementReleases} releases from open orders");
        Assert.True(coverage.RoundedAwayFees > 10, $"only {coverage.RoundedAwayFees} fills had an exact fee charged nothing");
        Assert.True(coverage.RefusedForFunds > 10, $"only {coverage.RefusedForFunds} orders were refused for funds");
        Assert.True(coverage.WithdrawalsCompleted > 10 && coverage.WithdrawalsRejected > 10, "too few withdrawals finished");
        Assert.All(Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.Pending), s => Assert.Contains(s, coverage.Statuses));
        // OCO pairs are an engine feature the API does not place yet: the engine's differential test covers OcoPartner.
        Assert.All(Enum.GetValues<CancelReason>().Where(r => r is not (CancelReason.None or CancelReason.OcoPartner)), r => Assert.Contains(r, coverage.CancelReasons));
    }

    [Theory]
    [InlineData(42)]
    public void Replays_a_single_seed(int seed)
    {
        var coverage = new Coverage();
        RunSequence(seed, coverage);
        Assert.True(coverage.Commands > 0);
    }

    private static void RunSequence(int seed, Coverage coverage)
    {
        var random = new Random(seed);
        var scenario = Scenario.Pick(random);
        var h = new LedgerHarness(scenario.Market);
        // Mostly under a price band of half the scenario's price range, so market orders stop at its edge
        // (price_band) and what they hold for the rest is released.
        h.Engine.PriceBandBps = random.Next(3) == 0 ? 0 : (int)Math.Max(1, scenario.Band * 10_000L / (2 * scenario.Mid));
        var market = h.Market;
        var owners = random.Next(2, 5);
        var feesCharged = 0m;
        var placed = new List<(long Id, long Owner)>();
        var nextId = 1L;
        var length = random.Next(50, 120);
        var step = 0;
        try
        {
            for (var owner = 1; owner <= owners; owner++)
            {
                h.Deposit(owner, market.Quote, market.QuoteNotional(scenario.Mid, random.Next(5, 120)));
                h.Deposit(owner, market.Base, market.BaseQuantity(random.Next(5, 120)));
            }

            for (; step < length; step++)
            {
                var owner = random.Next(1, owners + 1);
                SettlementResult? result = null;
                var roll = random.Next(100);
                switch (roll)
                {
                    case < 4:
                        var asset = random.Next(2) == 0 ? market.Quote : market.Base;
                        h.Deposit(owner, asset, asset.Unit * random.Next(1, 5_000_000));
                        break;
                    case < 7:
                        var from = random.Next(2) == 0 ? market.Quote : market.Base;
                        var units = (long)(h.Ledger.Available(owner, from) / from.Unit);
                        if (units > 0)
                        {
                            h.RequestWithdrawal(owner, from, from.Unit * random.NextInt64(1, units + 1));
                        }

                        break;
                    case < 10:
                        if (h.Ledger.PendingWithdrawals.Count > 0)
                        {
                            var id = h.Ledger.PendingWithdrawals.Keys.ElementAt(random.Next(h.Ledger.PendingWithdrawals.Count));
                            var complete = random.Next(2) == 0;
                            h.FinishWithdrawal(id, complete);
                            coverage.WithdrawalsCompleted += complete ? 1 : 0;
                            coverage.WithdrawalsRejected += complete ? 0 : 1;
                        }

                        break;
                    case < 70:
                        result = Place(h, NewOrder(random, scenario, nextId, owner), placed, coverage, ref nextId);
                        break;
                    case < 90:
                        if (placed.Count > 0 && random.Next(10) > 0)
                        {
                            var (id, orderOwner) = placed[random.Next(placed.Count)];
                            result = h.Cancel(id, random.Next(5) == 0 ? owner : orderOwner);
                        }
                        else
                        {
                            result = h.Cancel(nextId + 1_000, owner);
                        }

                        break;
                    case < 93:
                        result = h.CancelAll(owner);
                        break;
                    default:
                        scenario.Mid = Math.Clamp(scenario.Mid + random.Next(-scenario.Band, scenario.Band + 1), scenario.Band + 1, scenario.Mid * 2);
                        break;
                }

                coverage.Commands++;
                if (result is not null)
                {
                    feesCharged += result.Trades.Sum(t => t.TakerFee + t.MakerFee);
                    Observe(result, h, coverage);
                }

                AssertConsistent(h, feesCharged);
            }
        }
        catch (Exception ex) when (ex is not SeedFailedException)
        {
            throw new SeedFailedException(
                $"Ledger property failed: seed {seed}, command #{step} ({scenario.Market.Symbol}, maker {market.MakerFeeBps} bps, " +
                $"taker {market.TakerFeeBps} bps). Last events:\n  {string.Join("\n  ", h.LastEvents)}\n{ex.Message}", ex);
        }
    }

    private static SettlementResult? Place(LedgerHarness h, PlaceOrder order, List<(long, long)> placed, Coverage coverage, ref long nextId)
    {
        // The API's funds check: a hold larger than the available balance is refused before anything is stored.
        var pending = OrderLedgerState.Pending(h.Market, order);
        if (pending.OriginalHold > h.Ledger.Available(order.Owner, pending.HoldAsset))
        {
            coverage.RefusedForFunds++;
            return null;
        }

        nextId++;
        placed.Add((order.OrderId, order.Owner));
        return h.Place(order);
    }

    private static PlaceOrder NewOrder(Random random, Scenario scenario, long id, long owner)
    {
        var order = PlainOrder(random, scenario, id, owner);
        if (random.Next(100) >= 15)
        {
            return order;
        }

        // A stop or take-profit: held now as the order it becomes, settled as that order when a trade fires it.
        var trigger = Math.Max(1, scenario.Mid + random.Next(-scenario.Band, scenario.Band + 1));
        order = order with { PostOnly = false };
        return random.Next(2) == 0 ? order.WithStop(trigger) : order.WithTakeProfit(trigger);
    }

    private static PlaceOrder PlainOrder(Random random, Scenario scenario, long id, long owner)
    {
        var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
        var stp = (SelfTradePrevention)random.Next(3);
        var roll = random.Next(100);
        if (roll < 10)
        {
            return PlaceOrder.Market(id, owner, Side.Sell, random.Next(1, 25),
                random.Next(3) == 0 ? TimeInForce.FillOrKill : TimeInForce.ImmediateOrCancel, stp);
        }

        if (roll < 20)
        {
            // From a sliver of one lot to a sweep of several levels.
            return PlaceOrder.MarketBuyWithQuote(id, owner, random.NextInt64(1, scenario.Mid * 20), stp);
        }

        var price = Math.Max(1, scenario.Mid + random.Next(-scenario.Band, scenario.Band + 1));
        var tif = random.Next(10) switch
        {
            < 7 => TimeInForce.GoodTillCancel,
            < 9 => TimeInForce.ImmediateOrCancel,
            _ => TimeInForce.FillOrKill,
        };
        var postOnly = tif == TimeInForce.GoodTillCancel && random.Next(8) == 0;
        return PlaceOrder.Limit(id, owner, side, price, random.Next(1, 15), tif, postOnly, stp);
    }

    private static void Observe(SettlementResult result, LedgerHarness h, Coverage coverage)
    {
        coverage.Trades += result.Trades.Count;
        foreach (var trade in result.Trades)
        {
            var exact = SpotMarket.ExactFee(trade.QuoteAmount, h.Market.TakerFeeBps);
            coverage.RoundedAwayFees += exact > 0 && trade.TakerFee == 0 ? 1 : 0;
        }

        foreach (var order in result.Orders)
        {
            coverage.Statuses.Add(order.Status);
            if (order.IsOpen && result.Entries.Any(e => e.Kind == JournalEntryKind.HoldRelease && e.ReferenceId == order.OrderId))
            {
                coverage.ImprovementReleases++;
            }
        }

        foreach (var e in h.LastEvents)
        {
            if (e.Kind == MatchEventKind.Cancelled)
            {
                coverage.CancelReasons.Add(e.CancelReason);
            }
        }
    }

    private static void AssertConsistent(LedgerHarness h, decimal feesCharged)
    {
        var ledger = h.Ledger;
        ledger.AssertHealthy();

        foreach (var (asset, net) in ledger.NetDeposits)
        {
            var held = ledger.Balances.Where(b => b.Key.Asset == asset && b.Key.Kind != AccountKind.External).Sum(b => b.Value);
            Assert.True(held == net, $"{asset}: accounts hold {held}, net deposits are {net}");
        }

        Assert.Equal(feesCharged, ledger.Fees(h.Market.Quote));
        Assert.Equal(0m, ledger.Fees(h.Market.Base));

        var open = 0;
        var armed = 0;
        foreach (var order in ledger.Orders.Values)
        {
            Assert.NotEqual(OrderStatus.Pending, order.Status);
            // A cancelled or rejected order always says why; a live or filled one never claims a reason.
            Assert.True(order.Status is OrderStatus.Cancelled or OrderStatus.Rejected ? order.CloseReason != OrderCloseReason.None : order.CloseReason == OrderCloseReason.None,
                $"order {order.OrderId} is {order.Status} with close reason {order.CloseReason}");
            if (order.IsDone)
            {
                Assert.True(order.RemainingHold == 0, $"done order {order.OrderId} still holds {order.RemainingHold}");
                Assert.False(h.Engine.Contains(order.OrderId), $"done order {order.OrderId} is on the book");
                continue;
            }

            if (order.Status == OrderStatus.Untriggered)
            {
                // Armed: off the book, waiting for its trigger, holding what the order it becomes needs.
                armed++;
                Assert.True(h.Engine.TryGetArmed(order.OrderId, out _), $"untriggered order {order.OrderId} is not armed");
                Assert.Equal(0, order.FilledQuantity);
            }
            else
            {
                open++;
                Assert.True(h.Engine.TryGetOrder(order.OrderId, out var resting), $"open order {order.OrderId} is not on the book");
                Assert.Equal(order.Quantity - order.FilledQuantity, resting.Quantity);
            }

            Assert.True(order.RemainingHold == order.RequiredHold(h.Market),
                $"order {order.OrderId} holds {order.RemainingHold}, needs {order.RequiredHold(h.Market)}");
        }

        Assert.Equal(h.Engine.OrderCount, open);
        Assert.Equal(h.Engine.ArmedCount, armed);
    }

    private sealed class SeedFailedException(string message, Exception inner) : Exception(message, inner);

    private sealed class Coverage
    {
        public int Commands { get; set; }

        public int Trades { get; set; }

        public int ImprovementReleases { get; set; }

        public int RoundedAwayFees { get; set; }

        public int RefusedForFunds { get; set; }

        public int WithdrawalsCompleted { get; set; }

        public int WithdrawalsRejected { get; set; }

        public HashSet<OrderStatus> Statuses { get; } = [];

        public HashSet<CancelReason> CancelReasons { get; } = [];
    }

    /// <summary>A market with random fees and a price band narrow enough that orders cross often.</summary>
    private sealed class Scenario(SpotMarket market, long mid, int band)
    {
        private static readonly decimal[] MakerRates = [0, 1, 2.5m, 10];
        private static readonly decimal[] TakerRates = [0, 5, 7.5m, 20, 30];

        public SpotMarket Market { get; } = market;

        public long Mid { get; set; } = mid;

        public int Band { get; } = band;

        public static Scenario Pick(Random random)
        {
            var maker = MakerRates[random.Next(MakerRates.Length)];
            var taker = TakerRates[random.Next(TakerRates.Length)];
            return random.Next(3) switch
            {
                0 => new Scenario(Markets.BtcUsd(maker, taker), mid: 50_000, band: 40),
                1 => new Scenario(Markets.EthBtc(maker, taker), mid: 5_000, band: 25),
                // Cent prices: exact fees of a fraction of a cent, so rounding matters on every trade.
                _ => new Scenario(new SpotMarket(new MarketSpec("DOGE-USD", 0.01m, 1m), new Asset("DOGE", 8), Asset.Usd, maker, taker),
                    mid: 12, band: 6),
            };
        }
    }
}
