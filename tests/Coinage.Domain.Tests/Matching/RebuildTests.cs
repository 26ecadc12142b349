using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>"The book after a crash and rebuild equals the book before it" (DESIGN.md §2).</summary>
public sealed class RebuildTests
{
    private static readonly MarketSpec Spec = EngineHarness.Spec;

    [Fact]
    public void A_book_rebuilt_from_its_resting_orders_is_the_same_book_and_behaves_the_same()
    {
        var original = new MatchingEngine(Spec);
        var events = new MatchEventBuffer();
        var random = new Random(7);
        for (var id = 1; id <= 2_000; id++)
        {
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var price = side == Side.Buy ? random.Next(90, 102) : random.Next(99, 111);
            original.Place(PlaceOrder.Limit(id, random.Next(1, 6), side, price, random.Next(1, 20)), events);
            if (random.Next(3) == 0)
            {
                original.Cancel(random.Next(1, id), random.Next(1, 6), events);
            }
        }

        var persisted = original.GetRestingOrdersInSequence();
        Assert.True(persisted.Count > 100);
        var rebuilt = new MatchingEngine(Spec);
        foreach (var order in persisted)
        {
            rebuilt.Restore(order);
        }

        rebuilt.VerifyIntegrity();
        Assert.Equal(original.GetRestingOrders(Side.Buy), rebuilt.GetRestingOrders(Side.Buy));
        Assert.Equal(original.GetRestingOrders(Side.Sell), rebuilt.GetRestingOrders(Side.Sell));
        Assert.Equal(persisted, rebuilt.GetRestingOrdersInSequence());
        Assert.Equal(original.GetSnapshot(50).Bids, rebuilt.GetSnapshot(50).Bids);
        Assert.Equal(original.GetSnapshot(50).Asks, rebuilt.GetSnapshot(50).Asks);

        // Same time priority and same cancel-all order: the same commands give the same events.
        Assert.Equal(Run(original), Run(rebuilt));
        Assert.Equal(original.GetRestingOrdersInSequence(), rebuilt.GetRestingOrdersInSequence());

        static MatchEvent[] Run(MatchingEngine engine)
        {
            var buffer = new MatchEventBuffer();
            engine.CancelAll(3, buffer);
            engine.Place(PlaceOrder.Market(10_001, 1, Side.Buy, 150), buffer);
            engine.Place(PlaceOrder.Limit(10_002, 2, Side.Sell, 95, 120, TimeInForce.ImmediateOrCancel), buffer);
            engine.Place(PlaceOrder.MarketBuyWithQuote(10_003, 4, 5_000, SelfTradePrevention.CancelOldest), buffer);
            return buffer.Events.ToArray();
        }
    }

    [Fact]
    public void Clear_then_restore_reuses_the_same_engine()
    {
        var engine = new MatchingEngine(Spec);
        var events = new MatchEventBuffer();
        engine.Place(PlaceOrder.Limit(1, 1, Side.Buy, 100, 5), events);
        engine.Place(PlaceOrder.Limit(2, 2, Side.Sell, 101, 5), events);
        var persisted = engine.GetRestingOrdersInSequence();

        engine.Clear();
        Assert.Equal(0, engine.OrderCount);
        Assert.Null(engine.BestBid);
        foreach (var order in persisted)
        {
            engine.Restore(order);
        }

        engine.VerifyIntegrity();
        Assert.Equal(persisted, engine.GetRestingOrdersInSequence());
    }

    [Fact]
    public void Restoring_a_corrupt_state_throws()
    {
        var engine = new MatchingEngine(Spec);
        engine.Restore(new RestingOrder(1, 1, Side.Sell, 100, 5));

        Assert.Throws<InvalidOperationException>(() => engine.Restore(new RestingOrder(2, 2, Side.Buy, 100, 5)));
        Assert.Throws<InvalidOperationException>(() => engine.Restore(new RestingOrder(1, 2, Side.Sell, 101, 5)));
        Assert.Throws<ArgumentException>(() => engine.Restore(new RestingOrder(3, 2, Side.Sell, 101, 0)));
        Assert.Throws<ArgumentException>(() => engine.Restore(new RestingOrder(0, 2, Side.Sell, 101, 1)));
        Assert.Equal([new RestingOrder(1, 1, Side.Sell, 100, 5)], engine.GetRestingOrdersInSequence());
    }
}
