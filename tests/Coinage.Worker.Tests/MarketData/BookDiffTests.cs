using Coinage.Domain.Matching;
using Coinage.Worker.MarketData;

namespace Coinage.Worker.Tests.MarketData;

public sealed class BookDiffTests
{
    private static BookLevel L(decimal price, decimal quantity) => new(price, quantity);

    [Fact]
    public void Changed_added_and_removed_levels_come_out_in_book_order_with_zero_for_removed()
    {
        List<BookLevel> before = [L(100, 1), L(99, 2), L(98, 3)];
        List<BookLevel> after = [L(101, 5), L(100, 1), L(98, 4)];

        var bids = BookDiff.Compute(before, after, bids: true);

        Assert.Equal([L(101, 5), L(99, 0), L(98, 4)], bids);
        Assert.Equal(after, BookDiff.Apply(before, bids, bids: true));
    }

    [Fact]
    public void Asks_are_ordered_lowest_first_and_an_unchanged_book_has_no_changes()
    {
        List<BookLevel> before = [L(101, 1), L(102, 2)];
        List<BookLevel> after = [L(100.5m, 1), L(102, 2)];

        Assert.Equal([L(100.5m, 1), L(101, 0)], BookDiff.Compute(before, after, bids: false));
        Assert.Empty(BookDiff.Compute(after, after, bids: false));
        Assert.Equal(after, BookDiff.Compute([], after, bids: false));
    }

    /// <summary>Random orders, cancels and crossing orders through the real engine: after every step the
    /// diff of the top-N snapshots, applied to the previous snapshot, is exactly the next snapshot.</summary>
    [Fact]
    public void Applying_each_diff_to_the_previous_snapshot_always_gives_the_next_snapshot()
    {
        const int depth = 10;
        var spec = new MarketSpec("BTC-USD", 0.5m, 0.001m);
        var engine = new MatchingEngine(spec);
        var events = new MatchEventBuffer();
        var random = new Random(20261124);
        var live = new List<(long Id, long Owner)>();
        var (bids, asks) = (new List<BookLevel>(), new List<BookLevel>());
        var changedSteps = 0;
        var fullSteps = 0;
        for (long id = 1; id <= 3000; id++)
        {
            events.Clear();
            var owner = random.Next(1, 6);
            if (live.Count > 0 && random.NextDouble() < 0.3)
            {
                var victim = live[random.Next(live.Count)];
                live.Remove(victim);
                engine.Cancel(victim.Id, victim.Owner, events);
            }
            else
            {
                var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
                // Prices around 1000 ticks, wide enough for more than `depth` levels and close enough to cross.
                var price = 1000 + random.Next(-30, 31) + (side == Side.Buy ? -3 : 3);
                engine.Place(PlaceOrder.Limit(id, owner, side, price, random.Next(1, 50)), events);
                live.Add((id, owner));
            }
            live.RemoveAll(o => !engine.Contains(o.Id));

            var snapshot = engine.GetSnapshot(depth);
            var nextBids = snapshot.Bids.Select(l => L(spec.ToPrice(l.Price), l.Quantity * spec.LotSize)).ToList();
            var nextAsks = snapshot.Asks.Select(l => L(spec.ToPrice(l.Price), l.Quantity * spec.LotSize)).ToList();
            var bidChanges = BookDiff.Compute(bids, nextBids, bids: true);
            var askChanges = BookDiff.Compute(asks, nextAsks, bids: false);
            Assert.Equal(nextBids, BookDiff.Apply(bids, bidChanges, bids: true));
            Assert.Equal(nextAsks, BookDiff.Apply(asks, askChanges, bids: false));
            Assert.All(bidChanges.Concat(askChanges), c => Assert.True(c.Quantity >= 0));
            changedSteps += bidChanges.Count + askChanges.Count > 0 ? 1 : 0;
            fullSteps += nextBids.Count == depth && nextAsks.Count == depth ? 1 : 0;
            (bids, asks) = (nextBids, nextAsks);
        }
        // The walk really exercised the book (full sides, levels leaving and entering the top N).
        Assert.True(changedSteps > 1000, $"{changedSteps} steps changed the book");
        Assert.True(fullSteps > 100, $"{fullSteps} steps had both sides deeper than the snapshot");
    }
}
