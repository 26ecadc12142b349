using Coinage.Domain.Matching;
using static Coinage.Domain.Matching.Side;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// Stop and take-profit triggers, one-cancels-the-other pairs and amend, one rule per test with the
/// expected events written out. <see cref="EngineHarness"/> checks the invariants after every command
/// (engine structure, OCO links, no armed trigger left reached, per-order conservation, fired once).
/// </summary>
public sealed class TriggerOcoAmendTests
{
    private const long Alice = 1, Bob = 2, Carol = 3;

    private readonly EngineHarness _h = new();

    [Fact]
    public void A_buy_stop_waits_off_the_book_and_fires_when_a_trade_reaches_its_trigger()
    {
        var stop = PlaceOrder.Market(1, Alice, Buy, 4).WithStop(105);
        Assert.Equal([Ev.Accepted(1, Alice, Buy, 0, 4), Ev.Armed(stop)], _h.Place(stop));
        Assert.Equal(0, _h.Engine.OrderCount);
        Assert.Equal(1, _h.Engine.ArmedCount);

        _h.Limit(2, Bob, Sell, 104, 1);
        _h.Limit(3, Bob, Sell, 105, 1);
        _h.Limit(4, Bob, Sell, 106, 10);
        // A trade at 104 is below the trigger: nothing fires.
        _h.Limit(5, Carol, Buy, 104, 1);
        Assert.Equal(1, _h.Engine.ArmedCount);

        // A trade at exactly 105 fires it in the same command, after the trade that reached it.
        Assert.Equal(
            [
                Ev.Accepted(6, Carol, Buy, 105, 1),
                Ev.Trade(6, Carol, Buy, 3, Bob, 105, 1, 0),
                Ev.Triggered(stop),
                Ev.Trade(1, Alice, Buy, 4, Bob, 106, 4, 6),
            ],
            _h.Limit(6, Carol, Buy, 105, 1));
        Assert.Equal(0, _h.Engine.ArmedCount);
        Assert.Equal(106, _h.Engine.LastTradePrice);
    }

    [Fact]
    public void A_sell_stop_limit_fires_at_or_below_its_trigger_and_rests_its_remainder()
    {
        _h.Limit(1, Bob, Buy, 100, 2);
        _h.Limit(2, Bob, Buy, 98, 2);
        _h.Limit(3, Carol, Sell, 100, 1);
        var stop = PlaceOrder.Limit(4, Alice, Sell, 99, 5).WithStop(100);
        Assert.Equal([Ev.Rejected(4, Alice, Sell, RejectReason.WouldTriggerImmediately)], _h.Place(stop));

        stop = stop.WithStop(99) with { OrderId = 5 };
        _h.Place(stop);
        Assert.Equal([Ev.Accepted(6, Carol, Sell, 100, 1), Ev.Trade(6, Carol, Sell, 1, Bob, 100, 1, 0)], _h.Limit(6, Carol, Sell, 100, 1));
        Assert.Equal(
            [
                Ev.Accepted(7, Carol, Sell, 98, 1),
                Ev.Trade(7, Carol, Sell, 2, Bob, 98, 1, 1),
                Ev.Triggered(stop),
                Ev.Rested(5, Alice, Sell, 99, 5),
            ],
            _h.Limit(7, Carol, Sell, 98, 1));
        Assert.Equal([new RestingOrder(5, Alice, Sell, 99, 5)], _h.Orders(Sell));
    }

    [Fact]
    public void Take_profit_triggers_mirror_the_stops()
    {
        _h.Limit(1, Bob, Sell, 100, 10);
        _h.Limit(2, Carol, Buy, 100, 1);
        var buyTakeProfit = PlaceOrder.Limit(3, Alice, Buy, 97, 2).WithTakeProfit(98);
        var sellTakeProfit = PlaceOrder.Market(4, Alice, Sell, 1).WithTakeProfit(102);
        _h.Place(buyTakeProfit);
        _h.Place(sellTakeProfit);
        Assert.Equal([Ev.Rejected(5, Alice, Buy, RejectReason.WouldTriggerImmediately)], _h.Place(PlaceOrder.Limit(5, Alice, Buy, 97, 2).WithTakeProfit(100)));

        _h.Limit(6, Bob, Buy, 98, 3);
        var events = _h.Limit(7, Carol, Sell, 98, 1);
        Assert.Equal([Ev.Accepted(7, Carol, Sell, 98, 1), Ev.Trade(7, Carol, Sell, 6, Bob, 98, 1, 2), Ev.Triggered(buyTakeProfit), Ev.Rested(3, Alice, Buy, 97, 2)], events);
        Assert.True(_h.Engine.TryGetArmed(4, out _));
    }

    [Fact]
    public void Stops_cascade_in_trigger_price_order_then_by_id_within_one_command()
    {
        _h.Limit(1, Bob, Buy, 100, 1);
        _h.Limit(2, Bob, Buy, 99, 1);
        _h.Limit(3, Bob, Buy, 98, 1);
        _h.Limit(4, Bob, Buy, 97, 5);
        // Placed out of order: 6 and 7 share a trigger; 5 has the lower one and must fire after both.
        var low = PlaceOrder.Market(5, Alice, Sell, 1).WithStop(98);
        var first = PlaceOrder.Market(6, Alice, Sell, 1).WithStop(99);
        var second = PlaceOrder.Market(7, Carol, Sell, 1).WithStop(99);
        _h.Place(low);
        _h.Place(second);
        _h.Place(first);

        // 100 is above every trigger: nothing fires.
        Assert.Equal([Ev.Accepted(8, Carol, Sell, 0, 1), Ev.Trade(8, Carol, Sell, 1, Bob, 100, 1, 0)], _h.Place(PlaceOrder.Market(8, Carol, Sell, 1)));

        // 99 reached: 6 fires (trade at 98), which reaches 98 and the 99 tie's second (7) fires before 5.
        Assert.Equal(
            [
                Ev.Accepted(9, Carol, Sell, 0, 1),
                Ev.Trade(9, Carol, Sell, 2, Bob, 99, 1, 0),
                Ev.Triggered(first),
                Ev.Trade(6, Alice, Sell, 3, Bob, 98, 1, 0),
                Ev.Triggered(second),
                Ev.Trade(7, Carol, Sell, 4, Bob, 97, 1, 4),
                Ev.Triggered(low),
                Ev.Trade(5, Alice, Sell, 4, Bob, 97, 1, 3),
            ],
            _h.Place(PlaceOrder.Market(9, Carol, Sell, 1)));
        Assert.Equal([6L, 7L, 5L], _h.Ledger.Triggers);
        Assert.Equal(0, _h.Engine.ArmedCount);
    }

    [Fact]
    public void A_replay_with_a_rebuild_in_the_middle_fires_every_stop_exactly_once_and_gives_the_same_events()
    {
        var commands = Commands(new Random(11), 3_000);
        var straight = new MatchingEngine(EngineHarness.Spec);
        var expected = Run(straight, commands);

        // The same commands, with the engine rebuilt from its persisted state every 250 commands (a crash each time).
        var engine = new MatchingEngine(EngineHarness.Spec);
        var actual = new List<MatchEvent>();
        for (var start = 0; start < commands.Count; start += 250)
        {
            actual.AddRange(Run(engine, commands.GetRange(start, Math.Min(250, commands.Count - start))));
            var resting = engine.GetRestingOrdersInSequence();
            var armed = engine.GetArmedOrdersInSequence();
            var last = engine.LastTradePrice;
            engine = new MatchingEngine(EngineHarness.Spec);
            foreach (var order in resting)
            {
                engine.Restore(order);
            }

            foreach (var order in armed.Reverse())
            {
                engine.RestoreArmed(order);
            }

            engine.RestoreLastTradePrice(last);
            engine.VerifyIntegrity();
        }

        Assert.Equal(expected, actual);
        var fired = actual.Where(e => e.Kind == MatchEventKind.Triggered).Select(e => e.OrderId).ToList();
        Assert.True(fired.Count > 50, $"only {fired.Count} triggers fired");
        Assert.Equal(fired.Count, fired.Distinct().Count());

        static List<MatchEvent> Run(MatchingEngine engine, List<PlaceOrder> orders)
        {
            var buffer = new MatchEventBuffer();
            foreach (var order in orders)
            {
                engine.Place(order, buffer);
            }

            engine.VerifyIntegrity();
            return [.. buffer.Events];
        }

        static List<PlaceOrder> Commands(Random random, int count)
        {
            var list = new List<PlaceOrder>();
            var mid = 1_000L;
            for (var id = 1; id <= count; id++)
            {
                mid = Math.Clamp(mid + random.Next(-2, 3), 900, 1_100);
                var side = random.Next(2) == 0 ? Buy : Sell;
                var owner = random.Next(1, 6);
                var order = random.Next(10) switch
                {
                    < 6 => PlaceOrder.Limit(id, owner, side, side == Buy ? mid - random.Next(0, 5) : mid + random.Next(0, 5), random.Next(1, 10)),
                    < 8 => PlaceOrder.Market(id, owner, side, random.Next(1, 15)),
                    _ => PlaceOrder.Market(id, owner, side, random.Next(1, 5)),
                };
                if (random.Next(10) >= 8)
                {
                    var away = random.Next(1, 8);
                    order = random.Next(2) == 0
                        ? order.WithStop(side == Buy ? mid + away : mid - away)
                        : order.WithTakeProfit(side == Buy ? mid - away : mid + away);
                }

                list.Add(order);
            }

            return list;
        }
    }

    [Fact]
    public void An_oco_limit_leg_filling_even_partly_cancels_the_stop_leg()
    {
        var limit = PlaceOrder.Limit(1, Alice, Sell, 110, 5);
        var stop = PlaceOrder.Limit(2, Alice, Sell, 94, 5).WithStop(95);
        _h.Limit(3, Bob, Buy, 90, 1);
        Assert.Equal(
            [Ev.Accepted(2, Alice, Sell, 94, 5), Ev.Armed(stop), Ev.Accepted(1, Alice, Sell, 110, 5), Ev.Rested(1, Alice, Sell, 110, 5)],
            _h.PlaceOco(limit, stop));
        Assert.Equal([new RestingOrder(1, Alice, Sell, 110, 5) { OcoPartner = 2 }], _h.Orders(Sell));

        Assert.Equal(
            [
                Ev.Accepted(4, Bob, Buy, 110, 2),
                Ev.Trade(4, Bob, Buy, 1, Alice, 110, 2, 3),
                Ev.Cancelled(2, Alice, Sell, 94, 5, CancelReason.OcoPartner),
            ],
            _h.Limit(4, Bob, Buy, 110, 2));
        Assert.Equal(0, _h.Engine.ArmedCount);
        Assert.Equal([new RestingOrder(1, Alice, Sell, 110, 3)], _h.Orders(Sell));
    }

    [Fact]
    public void An_oco_stop_leg_triggering_cancels_the_limit_leg_before_it_matches()
    {
        _h.Limit(1, Bob, Buy, 96, 1);
        _h.Limit(2, Bob, Buy, 94, 10);
        var limit = PlaceOrder.Limit(3, Alice, Sell, 110, 5);
        var stop = PlaceOrder.Market(4, Alice, Sell, 5).WithStop(96);
        _h.PlaceOco(limit, stop);

        Assert.Equal(
            [
                Ev.Accepted(5, Carol, Sell, 0, 1),
                Ev.Trade(5, Carol, Sell, 1, Bob, 96, 1, 0),
                Ev.Cancelled(3, Alice, Sell, 110, 5, CancelReason.OcoPartner),
                Ev.Triggered(stop),
                Ev.Trade(4, Alice, Sell, 2, Bob, 94, 5, 5),
            ],
            _h.Place(PlaceOrder.Market(5, Carol, Sell, 1)));
        Assert.Empty(_h.Orders(Sell));
    }

    [Fact]
    public void Cancelling_either_oco_leg_cancels_the_pair_and_cancel_all_takes_both()
    {
        _h.PlaceOco(PlaceOrder.Limit(1, Alice, Buy, 90, 5), PlaceOrder.Market(2, Alice, Buy, 5).WithStop(110));
        Assert.Equal(
            [Ev.Cancelled(2, Alice, Buy, 0, 5, CancelReason.User), Ev.Cancelled(1, Alice, Buy, 90, 5, CancelReason.OcoPartner)],
            _h.Cancel(2, Alice));

        _h.PlaceOco(PlaceOrder.Limit(3, Alice, Buy, 90, 5), PlaceOrder.Market(4, Alice, Buy, 5).WithStop(110));
        Assert.Equal(
            [Ev.Cancelled(3, Alice, Buy, 90, 5, CancelReason.User), Ev.Cancelled(4, Alice, Buy, 0, 5, CancelReason.OcoPartner)],
            _h.Cancel(3, Alice));

        _h.PlaceOco(PlaceOrder.Limit(5, Alice, Buy, 90, 5), PlaceOrder.Market(6, Alice, Buy, 5).WithStop(110));
        Assert.Equal([Ev.Rejected(6, Bob, default, RejectReason.NotOwner)], _h.Cancel(6, Bob));
        Assert.Equal(
            [Ev.Cancelled(5, Alice, Buy, 90, 5, CancelReason.User), Ev.Cancelled(6, Alice, Buy, 0, 5, CancelReason.User)],
            _h.CancelAll(Alice));
        Assert.Equal(0, _h.Engine.ArmedCount + _h.Engine.OrderCount);
    }

    [Fact]
    public void An_oco_is_accepted_or_rejected_as_a_whole()
    {
        _h.Limit(1, Bob, Sell, 100, 5);
        var limit = PlaceOrder.Limit(2, Alice, Buy, 90, 5);
        var stop = PlaceOrder.Market(3, Alice, Buy, 5).WithStop(110);
        RejectReason[] reasons =
        [
            Reason(_h.PlaceOco(limit, stop with { Owner = Bob })),
            Reason(_h.PlaceOco(limit, stop with { Side = Sell })),
            Reason(_h.PlaceOco(limit with { TimeInForce = TimeInForce.ImmediateOrCancel }, stop)),
            Reason(_h.PlaceOco(limit, stop with { Trigger = TriggerType.None, TriggerPrice = 0 })),
            Reason(_h.PlaceOco(limit, stop with { OrderId = 1 })),
            Reason(_h.PlaceOco(limit with { Price = 100, PostOnly = true }, stop)),
        ];
        Assert.Equal(
            [RejectReason.InvalidOrderType, RejectReason.InvalidOrderType, RejectReason.InvalidOrderType, RejectReason.InvalidOrderType,
                RejectReason.DuplicateOrderId, RejectReason.PostOnlyWouldTake],
            reasons);
        Assert.Equal(0, _h.Engine.ArmedCount);

        // A limit leg that takes at once decides the pair: its stop leg is cancelled in the same command.
        Assert.Equal(
            [
                Ev.Accepted(3, Alice, Buy, 0, 5), Ev.Armed(stop), Ev.Accepted(2, Alice, Buy, 100, 2),
                Ev.Trade(2, Alice, Buy, 1, Bob, 100, 2, 3), Ev.Cancelled(3, Alice, Buy, 0, 5, CancelReason.OcoPartner),
            ],
            _h.PlaceOco(limit with { Price = 100, Quantity = 2 }, stop));

        static RejectReason Reason(MatchEvent[] events)
        {
            Assert.Equal(2, events.Length);
            Assert.All(events, e => Assert.Equal(MatchEventKind.Rejected, e.Kind));
            Assert.Equal(events[0].RejectReason, events[1].RejectReason);
            return events[0].RejectReason;
        }
    }

    [Fact]
    public void Amending_to_a_smaller_size_keeps_the_place_in_the_queue()
    {
        _h.Limit(1, Alice, Sell, 100, 5);
        _h.Limit(2, Bob, Sell, 100, 5);
        Assert.Equal([Ev.Amended(1, Alice, Sell, 100, 3, 5)], _h.Amend(1, Alice, 100, 3));

        Assert.Equal(
            [Ev.Accepted(3, Carol, Buy, 100, 4), Ev.Trade(3, Carol, Buy, 1, Alice, 100, 3, 0), Ev.Trade(3, Carol, Buy, 2, Bob, 100, 1, 4)],
            _h.Limit(3, Carol, Buy, 100, 4));
    }

    [Fact]
    public void Amending_to_a_larger_size_or_another_price_loses_the_place_in_the_queue()
    {
        _h.Limit(1, Alice, Sell, 100, 5);
        _h.Limit(2, Bob, Sell, 100, 5);
        _h.Limit(3, Carol, Sell, 101, 5);
        Assert.Equal([Ev.Amended(1, Alice, Sell, 100, 6, 5)], _h.Amend(1, Alice, 100, 6));
        Assert.Equal([new RestingOrder(2, Bob, Sell, 100, 5), new RestingOrder(1, Alice, Sell, 100, 6), new RestingOrder(3, Carol, Sell, 101, 5)], _h.Orders(Sell));

        // Repriced to 101: behind Carol, who was there first.
        _h.Amend(2, Bob, 101, 5);
        Assert.Equal([new RestingOrder(1, Alice, Sell, 100, 6), new RestingOrder(3, Carol, Sell, 101, 5), new RestingOrder(2, Bob, Sell, 101, 5)], _h.Orders(Sell));
        Assert.Equal([3L, 1L, 2L], _h.Engine.GetRestingOrdersInSequence().Select(o => o.OrderId));
    }

    [Fact]
    public void An_amend_never_trades_and_only_a_resting_order_of_the_owner_can_be_amended()
    {
        _h.Limit(1, Alice, Sell, 100, 5);
        _h.Limit(2, Bob, Buy, 98, 5);
        _h.Place(PlaceOrder.Market(3, Bob, Buy, 1).WithStop(120));
        _h.Limit(4, Carol, Buy, 100, 1);

        Assert.Equal([Ev.Rejected(2, Bob, default, RejectReason.AmendWouldCross)], _h.Amend(2, Bob, 100, 5));
        Assert.Equal([Ev.Rejected(2, Alice, default, RejectReason.NotOwner)], _h.Amend(2, Alice, 97, 5));
        Assert.Equal([Ev.Rejected(3, Bob, default, RejectReason.NotAmendable)], _h.Amend(3, Bob, 97, 5));
        Assert.Equal([Ev.Rejected(4, Carol, default, RejectReason.UnknownOrder)], _h.Amend(4, Carol, 97, 5));
        Assert.Equal([Ev.Rejected(2, Bob, default, RejectReason.InvalidQuantity)], _h.Amend(2, Bob, 97, 0));
        Assert.Equal([Ev.Rejected(2, Bob, default, RejectReason.InvalidPrice)], _h.Amend(2, Bob, 0, 5));
        Assert.Equal([new RestingOrder(2, Bob, Buy, 98, 5)], _h.Orders(Buy));
    }
}
