using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// The hot path must not allocate once the pools and the event buffer have grown: garbage
/// collections pause the single matching thread. Counting bytes is deterministic, unlike timing.
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public void Place_cancel_and_match_allocate_nothing_once_warm()
    {
        var engine = new MatchingEngine(EngineHarness.Spec, expectedOrders: 4_096);
        var events = new MatchEventBuffer(4_096);
        long nextId = 1;

        // Same seed each round (created up front: a Random allocates), so the same working set.
        Random[] seeds = [new(11), new(11), new(11)];
        Round(engine, events, seeds[0], ref nextId); // grows pools, buffer and maps; JIT
        Round(engine, events, seeds[1], ref nextId);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var trades = Round(engine, events, seeds[2], ref nextId);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(trades > 100, $"the workload traded only {trades} times");
        Assert.Equal(0, allocated);
    }

    private static int Round(MatchingEngine engine, MatchEventBuffer events, Random random, ref long nextId)
    {
        // The same commands on an emptied book each round: the same working set, served from the pools.
        engine.Clear();
        var trades = 0;
        for (var i = 0; i < 20_000; i++)
        {
            events.Clear();
            var id = nextId++;
            var owner = random.Next(1, 50);
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            switch (random.Next(10))
            {
                case < 6:
                    var price = side == Side.Buy ? random.Next(950, 1_001) : random.Next(1_000, 1_051);
                    engine.Place(PlaceOrder.Limit(id, owner, side, price, random.Next(1, 10)), events);
                    break;
                case < 9:
                    engine.Cancel(id - random.Next(1, 200), owner, events);
                    break;
                default:
                    engine.Place(PlaceOrder.Market(id, owner, side, random.Next(1, 30)), events);
                    break;
            }

            foreach (var e in events.Events)
            {
                trades += e.Kind == MatchEventKind.Trade ? 1 : 0;
            }
        }

        return trades;
    }
}
