using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// The matching rules written as plainly as possible, for the differential test: one list of
/// resting orders in the order they came to rest, linear scans for the best maker, and fill-or-kill
/// done by matching against a copy of the book and keeping the copy only if the order filled.
/// Slow on purpose; nothing here is shared with the engine except the public types.
/// </summary>
internal sealed class ReferenceMatcher(MarketSpec spec)
{
    private List<Order> _book = [];

    public List<RestingOrder> InSequence() => [.. _book.Select(o => o.ToResting())];

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
        if (reject == RejectReason.None && _book.Any(r => r.Id == o.OrderId))
        {
            reject = RejectReason.DuplicateOrderId;
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

        if (o.TimeInForce == TimeInForce.FillOrKill)
        {
            var trial = _book.Select(r => r.Copy()).ToList();
            var trialEvents = new List<MatchEvent>();
            var outcome = Match(trial, o, trialEvents);
            if (outcome.Quantity == 0)
            {
                _book = trial;
                events.AddRange(trialEvents);
            }
            else
            {
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, o.Price, o.Quantity, CancelReason.FillOrKillNotFillable));
            }

            return events;
        }

        var result = Match(_book, o, events);
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
                events.Add(Ev.Cancelled(o.OrderId, o.Owner, o.Side, 0, result.Quantity, CancelReason.MarketNoLiquidity));
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

        return events;
    }

    public List<MatchEvent> Cancel(long id, long owner)
    {
        var order = _book.Find(r => r.Id == id);
        if (order is null)
        {
            return [Ev.Rejected(id, owner, default, RejectReason.UnknownOrder)];
        }

        if (order.Owner != owner)
        {
            return [Ev.Rejected(id, owner, default, RejectReason.NotOwner)];
        }

        _book.Remove(order);
        return [Ev.Cancelled(id, owner, order.Side, order.Price, order.Remaining, CancelReason.User)];
    }

    public List<MatchEvent> CancelAll(long owner)
    {
        var mine = _book.Where(r => r.Owner == owner).ToList();
        _book.RemoveAll(r => r.Owner == owner);
        return [.. mine.Select(r => Ev.Cancelled(r.Id, r.Owner, r.Side, r.Price, r.Remaining, CancelReason.User))];
    }

    private static (long Quantity, long Budget, CancelReason Stop) Match(List<Order> book, PlaceOrder o, List<MatchEvent> events)
    {
        var quantity = o.Quantity;
        var budget = o.QuoteBudget;
        var byQuote = o.QuoteBudget > 0;
        while (byQuote ? budget > 0 : quantity > 0)
        {
            var maker = BestMaker(book, o);
            if (maker is null)
            {
                return (quantity, budget, o.Type == OrderType.Market ? CancelReason.MarketNoLiquidity : CancelReason.None);
            }

            if (maker.Owner == o.Owner)
            {
                if (o.SelfTradePrevention is SelfTradePrevention.CancelOldest or SelfTradePrevention.CancelBoth)
                {
                    book.Remove(maker);
                    events.Add(Ev.Cancelled(maker.Id, maker.Owner, maker.Side, maker.Price, maker.Remaining, CancelReason.SelfTrade));
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

            events.Add(Ev.Trade(o.OrderId, o.Owner, o.Side, maker.Id, maker.Owner, maker.Price, lots, maker.Remaining));
            if (maker.Remaining == 0)
            {
                book.Remove(maker);
            }
        }

        return (quantity, budget, CancelReason.None);
    }

    /// <summary>The resting order an incoming order would meet first, or null if none is within its price.</summary>
    private static Order? BestMaker(List<Order> book, PlaceOrder o)
    {
        Order? best = null;
        foreach (var r in book)
        {
            if (r.Side == o.Side)
            {
                continue;
            }

            var acceptable = o.Type == OrderType.Market || (o.Side == Side.Buy ? r.Price <= o.Price : r.Price >= o.Price);
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

    private RejectReason Validate(PlaceOrder o)
    {
        if (o.OrderId <= 0)
        {
            return RejectReason.InvalidOrderId;
        }

        var known = Enum.IsDefined(o.Side) && Enum.IsDefined(o.Type) && Enum.IsDefined(o.TimeInForce) && Enum.IsDefined(o.SelfTradePrevention);
        var market = o.Type == OrderType.Market;
        if (!known
            || (market && o.TimeInForce == TimeInForce.GoodTillCancel)
            || (o.PostOnly && !(o.Type == OrderType.Limit && o.TimeInForce == TimeInForce.GoodTillCancel))
            || (o.QuoteBudget != 0 && !(market && o.Side == Side.Buy && o.TimeInForce == TimeInForce.ImmediateOrCancel)))
        {
            return RejectReason.InvalidOrderType;
        }

        var priceOk = market ? o.Price == 0 : o.Price >= 1 && o.Price <= spec.MaxPriceTicks;
        if (!priceOk)
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

        public Order Copy() => new(Id, Owner, Side, Price, Remaining);

        public RestingOrder ToResting() => new(Id, Owner, Side, Price, Remaining);
    }
}
