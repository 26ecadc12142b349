using Coinage.Domain.Matching;

namespace Coinage.Benchmarks.Matching;

internal enum EngineCommandKind : byte
{
    Place,
    Cancel,
}

/// <summary>One pre-generated command. A cancel uses <c>Order.OrderId</c> and <c>Order.Owner</c>.</summary>
internal readonly record struct EngineCommand(EngineCommandKind Kind, PlaceOrder Order);

/// <summary>
/// A realistic mixed workload for one market, generated up front so that generation is not
/// measured: about 60% limit orders near the touch, 30% cancels of live orders, 10% orders that
/// take liquidity (market and marketable limit). The mid price drifts, so resting orders are
/// sometimes crossed by newer ones. Generation runs its own engine to know which orders are still
/// live, so cancels mostly hit; replaying the commands on a fresh engine reproduces the same book.
/// With <c>stopPercent</c>, that share of the commands places stop and take-profit orders instead
/// (the rest keeps the 60/30/10 proportions), and cancels also name armed orders.
/// </summary>
internal sealed class EngineWorkload
{
    public static readonly MarketSpec Spec = new("BTC-USD", tickSize: 0.01m, lotSize: 0.00001m);

    private EngineWorkload(EngineCommand[] preload, EngineCommand[] commands, string mix)
    {
        Preload = preload;
        Commands = commands;
        Mix = mix;
    }

    /// <summary>Builds the starting book (passive orders only, not measured).</summary>
    public EngineCommand[] Preload { get; }

    /// <summary>The measured commands.</summary>
    public EngineCommand[] Commands { get; }

    /// <summary>What the measured commands did, for the report.</summary>
    public string Mix { get; }

    public static EngineWorkload Create(int commandCount, int preloadCount = 10_000, int seed = 20_240_601, int stopPercent = 0)
    {
        var random = new Random(seed);
        var engine = NewEngine();
        var events = new MatchEventBuffer(1_024);
        var live = new List<long>(preloadCount * 2);
        long nextId = 1;
        long mid2 = 2 * 6_500_000L; // twice the mid price (65,000.00 USD in ticks), to keep half ticks

        var preload = new EngineCommand[preloadCount];
        for (var i = 0; i < preloadCount; i++)
        {
            preload[i] = Apply(new EngineCommand(EngineCommandKind.Place, Passive()));
        }

        var commands = new EngineCommand[commandCount];
        int places = 0, cancels = 0, takers = 0, stops = 0;
        var fired = 0;
        long trades = 0;
        for (var i = 0; i < commandCount; i++)
        {
            // 60/30/10 on average; leaning towards cancels while the book is above its starting size
            // and towards places below it keeps the book near that size instead of draining or growing.
            var roll = random.Next(100);
            var placeShare = engine.OrderCount > preloadCount ? 55 : 65;
            EngineCommand command;
            if (random.Next(100) < stopPercent)
            {
                command = new EngineCommand(EngineCommandKind.Place, Armed());
                stops++;
            }
            else if (roll < placeShare || live.Count == 0)
            {
                command = new EngineCommand(EngineCommandKind.Place, Passive());
                places++;
            }
            else if (roll < 90)
            {
                command = Cancel();
                cancels++;
            }
            else
            {
                command = new EngineCommand(EngineCommandKind.Place, Taker());
                takers++;
            }

            commands[i] = Apply(command);
            foreach (var e in events.Events)
            {
                trades += e.Kind == MatchEventKind.Trade ? 1 : 0;
                fired += e.Kind == MatchEventKind.Triggered ? 1 : 0;
            }
        }

        var mix = $"{places * 100.0 / commandCount:F0}% limit near the touch, {cancels * 100.0 / commandCount:F0}% cancels, "
            + $"{takers * 100.0 / commandCount:F0}% market/marketable, {stops * 100.0 / commandCount:F0}% stop/take-profit ({fired:N0} fired); "
            + $"{trades * 1.0 / commandCount:F2} trades per command; "
            + $"book {preloadCount:N0} → {engine.OrderCount:N0} orders, {engine.LevelCount(Side.Buy) + engine.LevelCount(Side.Sell):N0} levels, {engine.ArmedCount:N0} armed";
        return new EngineWorkload(preload, commands, mix);

        EngineCommand Apply(EngineCommand command)
        {
            events.Clear();
            Execute(engine, command, events);
            if (command.Kind == EngineCommandKind.Place && (engine.Contains(command.Order.OrderId) || engine.TryGetArmed(command.Order.OrderId, out _)))
            {
                live.Add(command.Order.OrderId);
            }

            return command;
        }

        PlaceOrder Passive()
        {
            // Traders quote around the current touch: join it or sit a few ticks behind it, with a
            // long tail up to 50 ticks away. Only the takers below cross the spread.
            var (low, high) = Mid();
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var distance = random.Next(4) == 0 ? random.Next(0, 51) : random.Next(0, 5);
            var price = side == Side.Buy ? low - distance : high + distance;
            return PlaceOrder.Limit(nextId++, random.Next(1, 1_001), side, price, random.Next(1, 101));
        }

        PlaceOrder Taker()
        {
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var quantity = random.Next(1, 300);
            var (low, high) = Mid();
            return random.Next(2) == 0
                ? PlaceOrder.Market(nextId++, random.Next(1, 1_001), side, quantity)
                : PlaceOrder.Limit(nextId++, random.Next(1, 1_001), side, side == Side.Buy ? high + 3 : low - 3, quantity,
                    TimeInForce.ImmediateOrCancel);
        }

        PlaceOrder Armed()
        {
            // Protective stops and take-profits 1-60 ticks from the touch (three in four stops), half of them
            // stop-market, half stop-limit 5 ticks beyond the trigger: the drifting price fires some of them.
            var (low, high) = Mid();
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var distance = random.Next(1, 61);
            var stop = random.Next(4) != 0;
            var rises = stop == (side == Side.Buy);
            var trigger = rises ? high + distance : low - distance;
            var order = random.Next(2) == 0
                ? PlaceOrder.Market(nextId++, random.Next(1, 1_001), side, random.Next(1, 101))
                : PlaceOrder.Limit(nextId++, random.Next(1, 1_001), side, side == Side.Buy ? trigger + 5 : trigger - 5, random.Next(1, 101));
            return stop ? order.WithStop(trigger) : order.WithTakeProfit(trigger);
        }

        // Floor and ceiling of the mid price; the last one seen while a side is empty.
        (long Low, long High) Mid()
        {
            if (engine.BestBid is { } bid && engine.BestAsk is { } ask)
            {
                mid2 = bid + ask;
            }

            return (mid2 / 2, (mid2 + 1) / 2);
        }

        EngineCommand Cancel()
        {
            // Swap-remove random ids until one is still on the book (fills remove orders too).
            while (live.Count > 0)
            {
                var index = random.Next(live.Count);
                var id = live[index];
                live[index] = live[^1];
                live.RemoveAt(live.Count - 1);
                if (engine.TryGetOrder(id, out var order))
                {
                    return new EngineCommand(EngineCommandKind.Cancel, new PlaceOrder { OrderId = id, Owner = order.Owner });
                }

                if (engine.TryGetArmed(id, out var armed))
                {
                    return new EngineCommand(EngineCommandKind.Cancel, new PlaceOrder { OrderId = id, Owner = armed.Order.Owner });
                }
            }

            return new EngineCommand(EngineCommandKind.Cancel, new PlaceOrder { OrderId = nextId, Owner = 1 });
        }
    }

    public static MatchingEngine NewEngine() => new(Spec, expectedOrders: 1 << 17);

    public static void Execute(MatchingEngine engine, in EngineCommand command, MatchEventBuffer events)
    {
        if (command.Kind == EngineCommandKind.Place)
        {
            engine.Place(command.Order, events);
        }
        else
        {
            engine.Cancel(command.Order.OrderId, command.Order.Owner, events);
        }
    }

    /// <summary>Empties the engine and builds the starting book.</summary>
    public void Reset(MatchingEngine engine, MatchEventBuffer events)
    {
        engine.Clear();
        foreach (var command in Preload)
        {
            events.Clear();
            Execute(engine, command, events);
        }
    }

    /// <summary>Runs every measured command; returns the number of events as a result nobody can optimise away.</summary>
    public long Run(MatchingEngine engine, MatchEventBuffer events)
    {
        long produced = 0;
        var commands = Commands;
        for (var i = 0; i < commands.Length; i++)
        {
            events.Clear();
            Execute(engine, commands[i], events);
            produced += events.Count;
        }

        return produced;
    }
}
