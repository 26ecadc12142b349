using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// Thousands of random, seeded command sequences go through the engine and through
/// <see cref="ReferenceMatcher"/>; after every command the event streams and the books must be
/// identical. Prices sit in a narrow band and there are few owners, so crossing, partial fills,
/// fill-or-kill boundaries and self-trades happen all the time; stop and take-profit orders, OCO
/// pairs and amends are in the mix, so triggers fire in cascades and OCO legs cancel each other. Most
/// sequences run under a price band (changed now and then, as an admin would), so market orders, plain and
/// triggered, stop at its edge.
/// Now and then the engine is replaced by one rebuilt from its resting and armed orders and its last
/// trade price, as the matching host rebuilds after a crash, which must change nothing: in
/// particular every armed order fires at most once across rebuilds (the ledger checks it).
/// A failure names its seed; replay it alone with <see cref="Replays_a_single_seed"/>.
/// </summary>
public sealed class DifferentialTests
{
    private const int SequencesPerBatch = 400;
    private const int Batches = 8;

    private static readonly MarketSpec Spec = new("ETH-USD", tickSize: 0.01m, lotSize: 0.0001m, maxPriceTicks: 200, maxQuantityLots: 50);

    public static TheoryData<int> BatchNumbers() => [.. Enumerable.Range(0, Batches)];

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void Engine_and_reference_agree_on_random_sequences(int batch)
    {
        var seen = new HashSet<(MatchEventKind, CancelReason, RejectReason)>();
        var situations = new HashSet<string>();
        var commands = 0;
        for (var i = 0; i < SequencesPerBatch; i++)
        {
            commands += RunSequence(seed: 1_000_003 * batch + i, seen, situations);
        }

        Assert.Equal(["cascade of triggers", "OCO leg cancelled by a trade", "OCO leg cancelled by a trigger", "triggered after a rebuild",
            "triggered market order stopped by the band"], situations.Order());

        Assert.True(commands > SequencesPerBatch * 100, $"only {commands} commands ran");

        // A differential test only proves what its commands reach: every outcome must have occurred.
        var outcomes = new List<(MatchEventKind, CancelReason, RejectReason)>
        {
            (MatchEventKind.Accepted, default, default), (MatchEventKind.Rested, default, default), (MatchEventKind.Trade, default, default),
            (MatchEventKind.Armed, default, default), (MatchEventKind.Triggered, default, default), (MatchEventKind.Amended, default, default),
        };
        outcomes.AddRange(Enum.GetValues<CancelReason>().Where(r => r != CancelReason.None).Select(r => (MatchEventKind.Cancelled, r, RejectReason.None)));
        outcomes.AddRange(Enum.GetValues<RejectReason>().Where(r => r != RejectReason.None).Select(r => (MatchEventKind.Rejected, CancelReason.None, r)));
        Assert.All(outcomes, outcome => Assert.Contains(outcome, seen));
    }

    [Theory]
    [InlineData(42)]
    public void Replays_a_single_seed(int seed) => RunSequence(seed, [], []);

    private static int RunSequence(int seed, HashSet<(MatchEventKind, CancelReason, RejectReason)> seen, HashSet<string> situations)
    {
        var rebuilt = false;
        var random = new Random(seed);
        var engine = new MatchingEngine(Spec);
        var reference = new ReferenceMatcher(Spec);
        var ledger = new OrderLedger();
        var buffer = new MatchEventBuffer(2);
        var generator = new CommandGenerator(random);
        var length = random.Next(100, 400);
        engine.PriceBandBps = reference.PriceBandBps = CommandGenerator.Band(random);
        var step = 0;
        try
        {
            for (; step < length; step++)
            {
                var command = generator.Next(engine);
                buffer.Clear();
                List<MatchEvent> expected;
                switch (command)
                {
                    case PlaceCommand place:
                        engine.Place(place.Order, buffer);
                        expected = reference.Place(place.Order);
                        break;
                    case CancelCommand cancel:
                        engine.Cancel(cancel.OrderId, cancel.Owner, buffer);
                        expected = reference.Cancel(cancel.OrderId, cancel.Owner);
                        break;
                    case CancelAllCommand cancelAll:
                        engine.CancelAll(cancelAll.Owner, buffer);
                        expected = reference.CancelAll(cancelAll.Owner);
                        break;
                    case OcoCommand oco:
                        engine.PlaceOco(oco.Limit, oco.Stop, buffer);
                        expected = reference.PlaceOco(oco.Limit, oco.Stop);
                        break;
                    case AmendCommand amend:
                        engine.Amend(amend.OrderId, amend.Owner, amend.Price, amend.Quantity, buffer);
                        expected = reference.Amend(amend.OrderId, amend.Owner, amend.Price, amend.Quantity);
                        break;
                    case BandCommand band:
                        engine.PriceBandBps = reference.PriceBandBps = band.Bps;
                        expected = [];
                        break;
                    default:
                        engine = Rebuild(engine, random);
                        rebuilt = true;
                        expected = [];
                        break;
                }

                var actual = buffer.Events.ToArray();
                if (!expected.SequenceEqual(actual))
                {
                    Assert.Fail($"events differ after {command}\nexpected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", actual)}");
                }

                foreach (var e in actual)
                {
                    seen.Add((e.Kind, e.CancelReason, e.RejectReason));
                }

                Note(actual, rebuilt, situations);

                ledger.Apply(actual);
                AssertSameBook(engine, reference);
                // The full checks walk every order ever placed: every few commands keeps the run short.
                if (step % 8 == 0 || step == length - 1)
                {
                    engine.VerifyIntegrity();
                    ledger.AssertConserved(engine);
                }
            }
        }
        catch (Exception ex) when (ex is not SeedFailedException)
        {
            throw new SeedFailedException($"Differential test failed: seed {seed}, command #{step}. {ex.Message}", ex);
        }

        return length;
    }

    /// <summary>The situations the trigger and OCO rules are about, so the test proves it reached them.</summary>
    private static void Note(MatchEvent[] events, bool rebuilt, HashSet<string> situations)
    {
        var triggered = events.Count(e => e.Kind == MatchEventKind.Triggered);
        if (triggered >= 2)
        {
            situations.Add("cascade of triggers");
        }

        if (triggered > 0 && rebuilt)
        {
            situations.Add("triggered after a rebuild");
        }

        for (var i = 1; i < events.Length; i++)
        {
            if (events[i].CancelReason == CancelReason.PriceBand
                && events.Take(i).Any(e => e.Kind == MatchEventKind.Triggered && e.OrderId == events[i].OrderId))
            {
                situations.Add("triggered market order stopped by the band");
            }

            if (events[i - 1].Kind == MatchEventKind.Trade && events[i].CancelReason == CancelReason.OcoPartner)
            {
                situations.Add("OCO leg cancelled by a trade");
            }

            if (events[i - 1].CancelReason == CancelReason.OcoPartner && events[i].Kind == MatchEventKind.Triggered)
            {
                situations.Add("OCO leg cancelled by a trigger");
            }
        }
    }

    private static MatchingEngine Rebuild(MatchingEngine engine, Random random)
    {
        var orders = engine.GetRestingOrdersInSequence();
        var armed = engine.GetArmedOrdersInSequence();
        var last = engine.LastTradePrice;
        // Either reuse the same engine (its pools) or start from a new one, as a takeover replica would.
        var rebuilt = random.Next(2) == 0 ? engine : new MatchingEngine(Spec) { PriceBandBps = engine.PriceBandBps };
        rebuilt.Clear();
        foreach (var order in orders)
        {
            rebuilt.Restore(order);
        }

        // Armed orders fire by trigger price and id, so the order they come back in must not matter.
        foreach (var order in armed.OrderBy(_ => random.Next()))
        {
            rebuilt.RestoreArmed(order);
        }

        rebuilt.RestoreLastTradePrice(last);
        rebuilt.VerifyIntegrity();
        return rebuilt;
    }

    private static void AssertSameBook(MatchingEngine engine, ReferenceMatcher reference)
    {
        // SequenceEqual first and Assert only on a difference: xunit's collection comparison is
        // thorough but slow, and this runs after every one of about a million commands.
        Same(reference.Orders(Side.Buy), engine.GetRestingOrders(Side.Buy), "bids");
        Same(reference.Orders(Side.Sell), engine.GetRestingOrders(Side.Sell), "asks");
        Same(reference.InSequence(), engine.GetRestingOrdersInSequence(), "resting sequence");
        Same(reference.ArmedInSequence(), engine.GetArmedOrdersInSequence(), "armed orders");
        Same([reference.LastTradePrice], [engine.LastTradePrice], "last trade price");
        Span<PriceLevel> depth = stackalloc PriceLevel[5];
        foreach (var side in (Side[])[Side.Buy, Side.Sell])
        {
            var n = engine.GetDepth(side, depth);
            Same(reference.Depth(side, depth.Length), depth[..n].ToArray(), $"{side} depth");
        }

        static void Same<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
        {
            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail($"{what} differ\nexpected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", actual)}");
            }
        }
    }

    private sealed class SeedFailedException(string message, Exception inner) : Exception(message, inner);

    private abstract record Command;

    private sealed record PlaceCommand(PlaceOrder Order) : Command;

    private sealed record CancelCommand(long OrderId, long Owner) : Command;

    private sealed record CancelAllCommand(long Owner) : Command;

    private sealed record RebuildCommand : Command;

    private sealed record OcoCommand(PlaceOrder Limit, PlaceOrder Stop) : Command;

    private sealed record AmendCommand(long OrderId, long Owner, long Price, long Quantity) : Command;

    private sealed record BandCommand(int Bps) : Command;

    /// <summary>A command mix tuned to hit every rule often, including invalid commands.</summary>
    private sealed class CommandGenerator(Random random)
    {
        private readonly List<(long Id, long Owner)> _placed = [];
        private long _nextId = 1;
        private long _mid = 100;

        public Command Next(MatchingEngine engine)
        {
            if (random.Next(20) == 0)
            {
                _mid = Math.Clamp(_mid + random.Next(-3, 4), 10, 190);
            }

            var roll = random.Next(100);
            return roll switch
            {
                < 38 => Place(LimitOrder()),
                < 45 => Place(MarketOrder()),
                < 49 => Place(PlaceOrder.MarketBuyWithQuote(_nextId, Owner(), random.Next(1, 3_000), Stp())),
                < 58 => Place(Armed()),
                < 62 => Oco(),
                < 68 => Amend(engine),
                < 82 => Cancel(engine),
                < 85 => new CancelAllCommand(Owner()),
                < 97 => Place(OddOrder(engine)),
                < 98 => new BandCommand(Band(random)),
                _ => new RebuildCommand(),
            };
        }

        /// <summary>No band a quarter of the time, else 1 % to 100 % (around a mid of 100 ticks: 1 to 100 ticks).</summary>
        public static int Band(Random random) => random.Next(4) == 0 ? 0 : random.Next(5) switch
        {
            0 => 100,
            1 => 300,
            2 => 500,
            3 => 1_000,
            _ => 10_000,
        };

        /// <summary>A stop or take-profit on any kind of order, its trigger around the mid price, so some would fire at once.</summary>
        private PlaceOrder Armed()
        {
            var order = random.Next(4) switch
            {
                0 => PlaceOrder.Market(_nextId, Owner(), random.Next(2) == 0 ? Side.Buy : Side.Sell, random.Next(1, 20),
                    random.Next(4) == 0 ? TimeInForce.FillOrKill : TimeInForce.ImmediateOrCancel, Stp()),
                1 => PlaceOrder.MarketBuyWithQuote(_nextId, Owner(), random.Next(1, 3_000), Stp()),
                _ => LimitOrder() with { PostOnly = false },
            };
            var trigger = _mid + random.Next(-6, 7);
            return random.Next(2) == 0 ? order.WithStop(trigger) : order.WithTakeProfit(trigger);
        }

        /// <summary>An OCO pair: a limit on one side of the mid and a stop or take-profit on the other, sometimes invalid.</summary>
        private Command Oco()
        {
            var owner = Owner();
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var away = side == Side.Buy ? -1 : 1;
            var limit = PlaceOrder.Limit(_nextId, owner, side, _mid + away * random.Next(-2, 6), random.Next(1, 12),
                postOnly: random.Next(8) == 0, selfTradePrevention: Stp());
            var stopOrder = random.Next(3) == 0
                ? PlaceOrder.Market(_nextId + 1, owner, side, random.Next(1, 12), selfTradePrevention: Stp())
                : PlaceOrder.Limit(_nextId + 1, owner, side, _mid - away * random.Next(0, 4), random.Next(1, 12), selfTradePrevention: Stp());
            // A buy OCO: take profit lower (the limit), stop higher; a sell OCO the mirror. Sometimes the wrong way round.
            var trigger = _mid - away * random.Next(-1, 6);
            var stop = random.Next(5) == 0 ? stopOrder.WithTakeProfit(trigger) : stopOrder.WithStop(trigger);
            switch (random.Next(12))
            {
                case 0: stop = stop with { Owner = owner % 4 + 1 }; break;
                case 1: stop = stop with { OrderId = _nextId }; break;
                case 2: limit = limit with { TimeInForce = TimeInForce.ImmediateOrCancel, PostOnly = false }; break;
            }

            _placed.Add((_nextId, owner));
            _placed.Add((_nextId + 1, owner));
            _nextId += 2;
            return new OcoCommand(limit, stop);
        }

        /// <summary>Amends a live order (mostly), shrinking, growing or repricing it, now and then invalidly.</summary>
        private Command Amend(MatchingEngine engine)
        {
            var live = _placed.Where(p => engine.Contains(p.Id)).ToList();
            var armed = engine.GetArmedOrdersInSequence();
            if (armed.Count > 0 && random.Next(12) == 0)
            {
                var stop = armed[random.Next(armed.Count)].Order;
                return new AmendCommand(stop.OrderId, stop.Owner, _mid, 3);
            }

            if (live.Count == 0 || random.Next(12) == 0)
            {
                var (anyId, anyOwner) = _placed.Count == 0 ? (1, 1) : _placed[random.Next(_placed.Count)];
                return new AmendCommand(anyId, anyOwner, _mid, random.Next(1, 5));
            }

            var (id, owner) = live[random.Next(live.Count)];
            engine.TryGetOrder(id, out var order);
            var (price, quantity) = random.Next(6) switch
            {
                0 or 1 => (order.Price, Math.Max(1, order.Quantity - random.Next(0, 3))),
                2 => (order.Price, order.Quantity + random.Next(1, 4)),
                3 => (order.Price + random.Next(-3, 4), order.Quantity),
                4 => (order.Price + random.Next(-2, 3), random.Next(0, 3) == 0 ? 0 : Spec.MaxQuantityLots + 1),
                _ => (random.Next(2) == 0 ? 0 : Spec.MaxPriceTicks + 1, order.Quantity),
            };
            return new AmendCommand(id, random.Next(10) == 0 ? Owner() : owner, price, quantity);
        }

        private PlaceCommand Place(PlaceOrder order)
        {
            if (order.OrderId == _nextId)
            {
                _nextId++;
                _placed.Add((order.OrderId, order.Owner));
            }

            return new PlaceCommand(order);
        }

        private PlaceOrder LimitOrder()
        {
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            // Mostly passive, sometimes through the touch by a few ticks.
            var offset = random.Next(-3, 7);
            var price = side == Side.Buy ? _mid - offset : _mid + offset;
            var tif = random.Next(10) switch
            {
                < 7 => TimeInForce.GoodTillCancel,
                < 8 => TimeInForce.ImmediateOrCancel,
                _ => TimeInForce.FillOrKill,
            };
            var postOnly = tif == TimeInForce.GoodTillCancel && random.Next(6) == 0;
            return PlaceOrder.Limit(_nextId, Owner(), side, price, random.Next(1, 12), tif, postOnly, Stp());
        }

        private PlaceOrder MarketOrder() =>
            PlaceOrder.Market(_nextId, Owner(), random.Next(2) == 0 ? Side.Buy : Side.Sell, random.Next(1, 30),
                random.Next(4) == 0 ? TimeInForce.FillOrKill : TimeInForce.ImmediateOrCancel, Stp());

        private Command Cancel(MatchingEngine engine)
        {
            if (_placed.Count == 0 || random.Next(10) == 0)
            {
                return new CancelCommand(random.Next(-1, (int)_nextId + 3), Owner());
            }

            // Prefer orders still on the book, but also cancel filled and cancelled ones.
            var (id, owner) = _placed[random.Next(_placed.Count)];
            for (var attempt = 0; attempt < 3 && !engine.Contains(id); attempt++)
            {
                (id, owner) = _placed[random.Next(_placed.Count)];
            }

            return new CancelCommand(id, random.Next(8) == 0 ? Owner() : owner);
        }

        private PlaceOrder OddOrder(MatchingEngine engine)
        {
            var side = random.Next(2) == 0 ? Side.Buy : Side.Sell;
            var order = PlaceOrder.Limit(_nextId, Owner(), side, _mid, random.Next(1, 5));
            // An id that is on the book; when the book is empty, a fresh one (the order is then valid).
            var live = _placed.Where(p => engine.Contains(p.Id)).Select(p => p.Id).DefaultIfEmpty(_nextId).First();
            var armed = engine.GetArmedOrdersInSequence();
            return random.Next(18) switch
            {
                13 => order.WithStop(0),
                14 => order with { TriggerPrice = _mid },
                15 => order.WithTakeProfit(Spec.MaxPriceTicks + 1),
                16 => order.WithStop(_mid + 2) with { PostOnly = true },
                17 => order with { OrderId = armed.Count > 0 ? armed[random.Next(armed.Count)].Order.OrderId : live },
                0 => order with { Price = 0 },
                1 => order with { Price = -5 },
                2 => order with { Price = Spec.MaxPriceTicks + 1 },
                3 => order with { Quantity = 0 },
                4 => order with { Quantity = Spec.MaxQuantityLots + random.Next(1, 3) },
                5 => order with { OrderId = live },
                6 => order with { OrderId = 0 },
                7 => order with { Type = OrderType.Market, Price = 0 },
                8 => order with { PostOnly = true, TimeInForce = TimeInForce.ImmediateOrCancel },
                9 => PlaceOrder.Market(_nextId, Owner(), side, 3) with { QuoteBudget = 10 },
                10 => PlaceOrder.MarketBuyWithQuote(_nextId, Owner(), -random.Next(1, 10)),
                11 => PlaceOrder.Market(_nextId, Owner(), side, 3) with { Price = _mid },
                12 => order with { Quantity = Spec.MaxQuantityLots, TimeInForce = TimeInForce.FillOrKill },
                _ => order with { Side = (Side)7 },
            };
        }

        private long Owner() => random.Next(1, 5);

        private SelfTradePrevention Stp() => (SelfTradePrevention)random.Next(3);
    }
}
