using Coinage.Domain.Matching;
using Coinage.Domain.Risk;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// The matching rules written as plainly as possible, for the differential test: one list of
/// resting orders in the order they came to rest, linear scans for the best maker, fill-or-kill
/// done by matching against a copy of the state and keeping the copy only if the order filled, and
/// armed (stop and take-profit) orders in a plain list searched with LINQ for the next to fire, and the
/// price band of market orders taken from <see cref="PriceBand"/>, the API's decimal rule for limit orders,
/// in whole ticks. Slow on purpose; nothing here is shared with the engine except the public types.
/// </summary>
internal sealed class ReferenceMatcher(MarketSpec spec)
{
    private List<Order> _book = [];
    private List<Armed> _armed = [];
    private long _last;

    public long LastTradePrice => _last;

    /// <summary>The market's price band in basis points (0 = none), as <see cref="MatchingEngine.PriceBandBps"/>.</summary>
    public int PriceBandBps { get; set; }

    public List<RestingOrder> InSequence() => [.. _book.Select(o => o.ToResting())];

    public List<ArmedOrder> ArmedInSequence() => [.. _armed.OrderBy(a => a.Order.OrderId).Select(a => new ArmedOrder(a.Order, a.Partner))];

    /// <summary>Best price first; OrderBy is stable, so equal prices keep the order they came to rest in.</summary>
    public List<RestingOrder> Orders(Side side) => side == Side.Buy
        ? [.. _book.Where(o => o.Side == Side.Buy).OrderByDescending(o => o.Price).Select(o => o.ToResting())]
        : [.. _book.Where(o => o.Side == Side.Sell).OrderBy(o => o.Price).Select(o => o.ToResting())];

    public List<PriceLevel> Depth(Side side, int depth) =>
        [.. Orders(side).GroupBy(o => o.Price).Select(g => new PriceLevel(g.Key, g.Sum(o => o.Quantity), g.Count())).Take(depth)];

    public List<MatchEvent> Place(PlaceOrder o)
    {
        var events = new List<MatchEvent>();
        var reject = Validate(o);
        if (reject == RejectReason.None && Known(o.OrderId))
        {
            reject = RejectReason.DuplicateOrderId;
        }

        if (reject == RejectReason.None && o.Trigger != TriggerType.None && WouldFire(o))
        {
            reject = RejectReason.WouldTriggerImmediately;
        }

        if (reject == RejectReason.None && o.PostOnly && BestMaker(_book, o) is not null)
        {
            reject = RejectReason.PostOnlyWouldTake;
        }

        if (reject != RejectReason.None)
        {
            events.Add(Ev.Rejected(o.OrderId, o.Owner, o.Side, reject));
            return events;
        }

        events.Add(Ev.Accepted(o.OrderId, o.Owner, o.Side, o.Price, o.Quantity, o.QuoteBudget));
        if (o.Trigger != TriggerType.None)
        {
            _armed.Add(new Armed(o));
            events.Add(Ev.Armed(o));
            return events;
        }

        Execute(o, events);
        FireTriggers(events);
        return events;
    }

    public List<MatchEvent> PlaceOco(PlaceOrder limit, PlaceOrder stop)
    {
        var events = new List<MatchEvent>();
        var reject = Validate(limit);
        if (reject == RejectReason.None)
        {
            reject = Validate(stop);
        }

        if (reject == RejectReason.None
            && !(limit.Trigger == TriggerType.None && limit.Type == OrderType.Limit && limit.TimeInForce == TimeInForce.GoodTillCancel
                && stop.Trigger != TriggerType.None && stop.Owner == limit.Owner && stop.Side == limit.Side))
        {
            reject = RejectReason.InvalidOrderType;
        }

        if (reject == RejectReason.None && (stop.OrderId == limit.OrderId || Known(limit.OrderId) || Known(stop.OrderId)))
        {
            reject = RejectReason.DuplicateOrderId;
        }

        if (reject == RejectReason.None && WouldFire(stop))
        {
            reject = RejectReason.WouldTriggerImmediately;
        }

        if (reject == RejectReason.None && limit.PostOnly && BestMaker(_book, limit) is not null)
        {
            reject = RejectReason.PostOnlyWouldTake;
        }

        if (reject != RejectReason.None)
        {
            return [Ev.Rejected(limit.OrderId, limit.Owner, limit.Side, reject), Ev.Rejected(stop.OrderId, stop.Owner, stop.Side, reject)];
        }

        events.Add(Ev.Accepted(stop.OrderId, stop.Owner, stop.Side, stop.Price, stop.Quantity, stop.QuoteBudget));
        var armed = new Armed(stop);
        _armed.Add(armed);
        events.Add(Ev.Armed(stop));
        var trades = events.Count(e => e.Kind == MatchEventKind.Trade);
        events.Add(Ev.Accepted(limit.OrderId, limit.Owner, limit.Side, limit.Price, limit.Quantity));
        Execute(limit, events);
        var traded = events.Count(e => e.Kind == MatchEventKind.Trade) > trades;
        var leg = _book.Find(r => r.Id == limit.OrderId);
        if (!traded && leg is not null)
        {
            leg.Partner = stop.OrderId;
            armed.Partner = limit.OrderId;
        }
        else
        {
            _armed.Remove(armed);
            events.Add(Ev.Cancelled(stop.OrderId, stop.Owner, stop.Side, stop.Price, stop.Quantity, CancelReason.OcoPartner, stop.QuoteBudget));
        }

        if (traded)
        {
            FireTriggers(events);
        }

        return events;
    }

    public List<MatchEvent> Cancel(long id, long owner)
    {
        var order = _book.Find(r => r.Id == id);
        var armed = _armed.Find(a => a.Order.OrderId == id);
        if (order is null && armed is null)
        {
            return [Ev.Rejected(id, owner, default, RejectReason.UnknownOrder)];
        }

        if ((order?.Owner ?? armed!.Order.Owner) != owner)
        {
            return [Ev.Rejected(id, owner, default, RejectReason.NotOwner)];
        }

        var events = new List<MatchEvent>();
        if (order is not null)
        {
            _book.Remove(order);
            events.Add(Ev.Cancelled(id, owner, order.Side, order.Price, order.Remaining, CancelReason.User));
            CancelPartnerOf(order, events);
        }
        else
        {
            CancelArmed(armed!, CancelReason.User, events);
        }

        return events;
    }

    public List<MatchEvent> CancelAll(long owner)
    {
        var mine = _book.Where(r => r.Owner == owner).ToList();
        _book.RemoveAll(r => r.Owner == owner);
        var armed = _armed.Where(a => a.Order.Owner == owner).OrderBy(a => a.Order.OrderId).ToList();
        _armed.RemoveAll(a => a.Order.Owner == owner);
        return
        [
            .. mine.Select(r => Ev.Cancelled(r.Id, r.Owner, r.Side, r.Price, r.Remaining, CancelReason.User)),
            .. armed.Select(a => Ev.Cancelled(a.Order.OrderId, owner, a.Order.Side, a.Order.Price, a.Order.Quantity, CancelReason.User, a.Order.QuoteBudget)),
        ];
    }

    public List<MatchEvent> Amend(long id, long owner, long price, long quantity)
    {
        var order = _book.Find(r => r.Id == id);
        var armed = _armed.Find(a => a.Order.OrderId == id);
        RejectReason reject;
        if (order is null)
        {
            reject = armed is null ? RejectReason.UnknownOrder : armed.Order.Owner != owner ? RejectReason.NotOwner : RejectReason.NotAmendable;
        }
        else if (order.Owner != owner)
        {
            reject = RejectReason.NotOwner;
        }
        else if (price < 1 || price > spec.MaxPriceTicks)
        {
            reject = RejectReason.InvalidPrice;
        }
        else if (quantity < 1 || quantity > spec.MaxQuantityLots)
        {
            reject = RejectReason.InvalidQuantity;
        }
        else if ((price != order.Price || quantity > order.Remaining)
                 && _book.Any(r => r.Side != order.Side && (order.Side == Side.Buy ? r.Price <= price : r.Price >= price)))
        {
            reject = RejectReason.AmendWouldCross;
        }
        else
        {
            reject = RejectReason.None;
        }

        if (reject != RejectReason.None)
        {
            return [Ev.Rejected(id, owner, default, reject)];
        }

        var previous = order!.Remaining;
        if (price == order.Price && quantity <= previous)
        {
            order.Remaining = quantity;
        }
        else
        {
            // Loses its place: to the back of the list, which is the order things came to rest in.
            _book.Remove(order);
            _book.Add(new Order(id, owner, order.Side, price, quantity) { Partner = order.Partner });
        }

        return [Ev.Amended(id, owner, order.Side, price, quantity, previous)];
    }

    /// <summary>Matches an accepted plain order, or a triggered one, and deals with its remainder.</summary>
    private void Execute(PlaceOrder o, List<MatchEvent> events)
    {
        // A market order is bounded by the band around the reference when it starts matching; its own trades do not move it.
        var band = o.Type == OrderType.Market ? Band() : null;
        if (o.TimeInForce == TimeInForce.FillOrKill)
        {
            var saved = (Book: _book.Select(r => r.Copy()).ToList(), Armed: _armed.Select(a => a.Copy()).ToList(), Last: _last);
            var trialEvents = new List<MatchEvent>();
            var outcome = Match(o, band, trialEvents);
            if (outcome.Quantity == 0)
            {
                events.AddRange(trialEvents);
            }
            else
            {
                (_book, _armed, _last) = saved;
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, o.Price, o.Quantity, CancelReason.FillOrKillNotFillable));
            }

            return;
        }

        var result = Match(o, band, events);
        if (o.QuoteBudget > 0)
        {
            if (result.Budget > 0)
            {
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, 0, 0, result.Stop, result.Budget));
            }
        }
        else if (result.Quantity > 0)
        {
            if (result.Stop == CancelReason.SelfTrade)
            {
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, o.Price, result.Quantity, CancelReason.SelfTrade));
            }
            else if (o.Type == OrderType.Market)
            {
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, 0, result.Quantity, result.Stop));
            }
            else if (o.TimeInForce == TimeInForce.GoodTillCancel)
            {
                _book.Add(new Order(o.OrderId, o.Owner, o.Side, o.Price, result.Quantity));
                events.Add(Ev.Rested(o.OrderId, o.Owner, o.Side, o.Price, result.Quantity));
            }
            else
            {
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, o.Price, result.Quantity, CancelReason.ImmediateOrCancelRemainder));
            }
        }
    }

    /// <summary>
    /// While the last trade price reaches a trigger: the rising trigger (buy stop, sell take-profit) with the
    /// lowest trigger price fires, else the falling one with the highest, ties by id.
    /// </summary>
    private void FireTriggers(List<MatchEvent> events)
    {
        while (_last != 0)
        {
            var next = _armed.Where(a => a.Rises && a.Order.TriggerPrice <= _last).OrderBy(a => a.Order.TriggerPrice).ThenBy(a => a.Order.OrderId).FirstOrDefault()
                ?? _armed.Where(a => !a.Rises && a.Order.TriggerPrice >= _last).OrderByDescending(a => a.Order.TriggerPrice).ThenBy(a => a.Order.OrderId).FirstOrDefault();
            if (next is null)
            {
                return;
            }

            _armed.Remove(next);
            if (_book.Find(r => r.Id == next.Partner) is { } leg)
            {
                _book.Remove(leg);
                events.Add(Ev.Cancelled(leg.Id, leg.Owner, leg.Side, leg.Price, leg.Remaining, CancelReason.OcoPartner));
            }

            events.Add(Ev.Triggered(next.Order));
            Execute(next.Order, events);
        }
    }

    private void CancelArmed(Armed armed, CancelReason reason, List<MatchEvent> events)
    {
        var o = armed.Order;
        _armed.Remove(armed);
        events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, o.Price, o.Quantity, reason, o.QuoteBudget));
        if (armed.Partner != 0 && _book.Find(r => r.Id == armed.Partner) is { } leg)
        {
            _book.Remove(leg);
            events.Add(Ev.Cancelled(leg.Id, leg.Owner, leg.Side, leg.Price, leg.Remaining, CancelReason.OcoPartner));
        }
    }

    private void CancelPartnerOf(Order order, List<MatchEvent> events)
    {
        if (order.Partner != 0 && _armed.Find(a => a.Order.OrderId == order.Partner) is { } partner)
        {
            partner.Partner = 0;
            CancelArmed(partner, CancelReason.OcoPartner, events);
        }

        order.Partner = 0;
    }

    private bool Known(long id) => _book.Any(r => r.Id == id) || _armed.Any(a => a.Order.OrderId == id);

    private bool WouldFire(PlaceOrder o) =>
        _last != 0 && (Rises(o) ? _last >= o.TriggerPrice : _last <= o.TriggerPrice);

    private static bool Rises(PlaceOrder o) => (o.Side == Side.Buy && o.Trigger == TriggerType.Stop) || (o.Side == Side.Sell && o.Trigger == TriggerType.TakeProfit);

    private (long Quantity, long Budget, CancelReason Stop) Match(PlaceOrder o, PriceBand? band, List<MatchEvent> events)
    {
        var quantity = o.Quantity;
        var budget = o.QuoteBudget;
        var byQuote = o.QuoteBudget > 0;
        while (byQuote ? budget > 0 : quantity > 0)
        {
            var maker = BestMaker(_book, o, band);
            if (maker is null)
            {
                var stop = o.Type != OrderType.Market ? CancelReason.None
                    : _book.Any(r => r.Side != o.Side) ? CancelReason.PriceBand
                    : CancelReason.MarketNoLiquidity;
                return (quantity, budget, stop);
            }

            if (maker.Owner == o.Owner)
            {
                if (o.SelfTradePrevention is SelfTradePrevention.CancelOldest or SelfTradePrevention.CancelBoth)
                {
                    _book.Remove(maker);
                    events.Add(Ev.Cancelled(maker.Id, maker.Owner, maker.Side, maker.Price, maker.Remaining, CancelReason.SelfTrade));
                    CancelPartnerOf(maker, events);
                }

                if (o.SelfTradePrevention is SelfTradePrevention.CancelNewest or SelfTradePrevention.CancelBoth)
                {
                    return (quantity, budget, CancelReason.SelfTrade);
                }

                continue;
            }

            var lots = byQuote ? Math.Min(maker.Remaining, budget / maker.Price) : Math.Min(maker.Remaining, quantity);
            if (lots == 0)
            {
                return (quantity, budget, CancelReason.QuoteBelowOneLot);
            }

            maker.Remaining -= lots;
            if (byQuote)
            {
                budget -= lots * maker.Price;
            }
            else
            {
                quantity -= lots;
            }

            _last = maker.Price;
            events.Add(Ev.Trade(o.OrderId, o.Owner, o.Side, maker.Id, maker.Owner, maker.Price, lots, maker.Remaining));
            CancelPartnerOf(maker, events);
            if (maker.Remaining == 0)
            {
                _book.Remove(maker);
            }
        }

        return (quantity, budget, CancelReason.None);
    }

    /// <summary>The resting order an incoming order would meet first, or null if none is within its price.</summary>
    private static Order? BestMaker(List<Order> book, PlaceOrder o, PriceBand? band = null)
    {
        Order? best = null;
        foreach (var r in book)
        {
            if (r.Side == o.Side)
            {
                continue;
            }

            var acceptable = o.Type == OrderType.Market
                ? band is not { } b || (o.Side == Side.Buy ? r.Price <= b.High : r.Price >= b.Low)
                : o.Side == Side.Buy ? r.Price <= o.Price : r.Price >= o.Price;
            if (!acceptable)
            {
                continue;
            }

            // Strictly better only: among equal prices the earlier one (first in the list) wins.
            if (best is null || (o.Side == Side.Buy ? r.Price < best.Price : r.Price > best.Price))
            {
                best = r;
            }
        }

        return best;
    }

    /// <summary>The band market orders trade within now, in ticks (a tick size of 1), or null when there is none.</summary>
    private PriceBand? Band()
    {
        if (PriceBandBps == 0)
        {
            return null;
        }

        var bids = _book.Where(r => r.Side == Side.Buy).Select(r => (decimal?)r.Price).Max();
        var asks = _book.Where(r => r.Side == Side.Sell).Select(r => (decimal?)r.Price).Min();
        var reference = PriceBand.ReferencePrice(_last == 0 ? null : _last, bids, asks, PriceBandBps);
        return PriceBand.Around(reference, PriceBandBps, tickSize: 1);
    }

    private RejectReason Validate(PlaceOrder o)
    {
        if (o.OrderId <= 0)
        {
            return RejectReason.InvalidOrderId;
        }

        var known = Enum.IsDefined(o.Side) && Enum.IsDefined(o.Type) && Enum.IsDefined(o.TimeInForce) && Enum.IsDefined(o.SelfTradePrevention)
            && Enum.IsDefined(o.Trigger);
        var market = o.Type == OrderType.Market;
        if (!known
            || (market && o.TimeInForce == TimeInForce.GoodTillCancel)
            || (o.PostOnly && !(o.Type == OrderType.Limit && o.TimeInForce == TimeInForce.GoodTillCancel && o.Trigger == TriggerType.None))
            || (o.QuoteBudget != 0 && !(market && o.Side == Side.Buy && o.TimeInForce == TimeInForce.ImmediateOrCancel)))
        {
            return RejectReason.InvalidOrderType;
        }

        var priceOk = market ? o.Price == 0 : o.Price >= 1 && o.Price <= spec.MaxPriceTicks;
        var triggerOk = o.Trigger == TriggerType.None ? o.TriggerPrice == 0 : o.TriggerPrice >= 1 && o.TriggerPrice <= spec.MaxPriceTicks;
        if (!priceOk || !triggerOk)
        {
            return RejectReason.InvalidPrice;
        }

        var quantityOk = o.QuoteBudget != 0
            ? o.QuoteBudget > 0 && o.Quantity == 0
            : o.Quantity >= 1 && o.Quantity <= spec.MaxQuantityLots;
        return quantityOk ? RejectReason.None : RejectReason.InvalidQuantity;
    }

    private sealed class Order(long id, long owner, Side side, long price, long remaining)
    {
        public long Id { get; } = id;
        public long Owner { get; } = owner;
        public Side Side { get; } = side;
        public long Price { get; } = price;
        public long Remaining { get; set; } = remaining;
        public long Partner { get; set; }

        public Order Copy() => new(Id, Owner, Side, Price, Remaining) { Partner = Partner };

        public RestingOrder ToResting() => new(Id, Owner, Side, Price, Remaining) { OcoPartner = Partner };
    }

    private sealed class Armed(PlaceOrder order)
    {
        public PlaceOrder Order { get; } = order;
        public long Partner { get; set; }
        public bool Rises => ReferenceMatcher.Rises(Order);

        public Armed Copy() => new(Order) { Partner = Partner };
    }
}
