using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Coinage.Domain.Matching;

/// <summary>
/// The order book and matching engine of one market: price-time priority, limit and market orders,
/// GTC / IOC / FOK, post-only, self-trade prevention, cancel and cancel-all, stop and take-profit
/// triggers, one-cancels-the-other pairs and amend.
/// <para>
/// Single writer by design (like LMAX and exchange-core): one thread owns one engine and feeds it
/// commands in sequence; there is no locking and the type is not thread-safe. Every command appends
/// its outcome to a caller-owned <see cref="MatchEventBuffer"/>; the hot path allocates nothing once
/// the node pools and the buffer have grown to the working set.
/// </para>
/// <para>
/// Rebuild after a crash: <see cref="Clear"/>, then <see cref="Restore"/> every resting order in the
/// order it originally came to rest (ascending order id, as ids are the command sequence). The
/// result equals the book before the crash, including time priority and cancel-all order.
/// </para>
/// <para>
/// The engine only knows the orders on its book: a duplicate id is detected while the first order
/// rests; that ids are never reused afterwards is the command sequence's guarantee.
/// Post-only orders that would take liquidity are rejected (never accepted), like on most exchanges.
/// </para>
/// <para>
/// Triggers: a stop or take-profit order is armed off the book until the last trade price reaches its
/// trigger price. Triggers are checked after every command that traded, inside that command: the
/// armed orders whose trigger was reached fire one at a time, each matched as if placed at that moment,
/// and each may move the price and fire the next (a cascade). The next to fire is the rising trigger
/// (buy stop, sell take-profit) with the lowest trigger price, else the falling trigger with the highest,
/// ties by order id (the command sequence). So a replay of the same commands fires the same orders in
/// the same order, and a fired order is off the armed set for good: it fires exactly once. The last trade
/// price is part of the state a rebuild restores (<see cref="RestoreLastTradePrice"/>), with the armed
/// orders (<see cref="RestoreArmed"/>).
/// </para>
/// <para>
/// Market-order protection: with a <see cref="PriceBandBps"/> set, a market order (plain or just triggered) trades
/// only at prices within that many basis points of the reference price when it starts matching (its own trades do not
/// walk the band), and the rest is cancelled (<see cref="CancelReason.PriceBand"/>). The reference is the engine's own state, the last trade price,
/// else the mid of a book tight enough to be inside the band around it (the API's rule for limit orders,
/// <c>PriceBand.ReferencePrice</c>): no outside price feed, so the same commands from the same state (a rebuild
/// restores the last trade price) give the same fills.
/// </para>
/// </summary>
public sealed class MatchingEngine
{
    private readonly BookSide _bids = new(isBid: true);
    private readonly BookSide _asks = new(isBid: false);
    private readonly Dictionary<long, OrderNode> _orders;
    private readonly Dictionary<long, OwnerOrders> _owners = [];
    private readonly Dictionary<long, ArmedEntry> _armed = [];
    private readonly SortedSet<ArmedEntry> _rising = new(RisingTriggers.Instance);
    private readonly SortedSet<ArmedEntry> _falling = new(FallingTriggers.Instance);
    private OrderNode? _freeOrders;
    private long _sequence;

    /// <summary>Trades so far: a command traded when it moved, and only then can a trigger have been reached.</summary>
    private long _trades;

    public MatchingEngine(MarketSpec spec, int expectedOrders = 1024)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _orders = new Dictionary<long, OrderNode>(expectedOrders);
    }

    public MarketSpec Spec { get; }

    /// <summary>Number of orders resting on the book.</summary>
    public int OrderCount => _orders.Count;

    public long? BestBid => _bids.Count > 0 ? _bids.Best.Price : null;

    public long? BestAsk => _asks.Count > 0 ? _asks.Best.Price : null;

    public int LevelCount(Side side) => SideOf(side).Count;

    public bool Contains(long orderId) => _orders.ContainsKey(orderId);

    /// <summary>Number of stop and take-profit orders waiting for their trigger.</summary>
    public int ArmedCount => _armed.Count;

    /// <summary>The price of the last trade in ticks; 0 before the first. What triggers compare with.</summary>
    public long LastTradePrice { get; private set; }

    /// <summary>
    /// The market's price band in basis points (0 = none): how far from the reference price a market order may
    /// trade. Market configuration, like the tick size: the matching host sets it from the market's risk settings
    /// before each batch. Limit orders are judged against the band by the API, when they are placed.
    /// </summary>
    public int PriceBandBps
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, BasisPoints);
            field = value;
        }
    }

    private const int BasisPoints = 10_000;

    public bool TryGetArmed(long orderId, out ArmedOrder order)
    {
        if (_armed.TryGetValue(orderId, out var entry))
        {
            order = new ArmedOrder(entry.Order, entry.OcoPartner);
            return true;
        }

        order = default;
        return false;
    }

    public bool TryGetOrder(long orderId, out RestingOrder order)
    {
        if (_orders.TryGetValue(orderId, out var node))
        {
            order = ToResting(node);
            return true;
        }

        order = default;
        return false;
    }

    public void Place(in PlaceOrder order, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        var reject = Validate(order);
        if (reject == RejectReason.None && _armed.Count != 0 && _armed.ContainsKey(order.OrderId))
        {
            reject = RejectReason.DuplicateOrderId;
        }

        if (reject != RejectReason.None)
        {
            Reject(events, order, reject);
            return;
        }

        if (order.Trigger != TriggerType.None)
        {
            PlaceArmed(order, events);
            return;
        }

        var trades = _trades;
        Execute(order, events, triggered: false);
        if (_trades != trades && _armed.Count != 0)
        {
            FireTriggers(events);
        }
    }

    /// <summary>
    /// Places a one-cancels-the-other pair: <paramref name="limit"/>, a good-till-cancel limit order, and
    /// <paramref name="stop"/>, a stop or take-profit order of the same owner and side. The stop leg is armed
    /// first, then the limit leg is matched; from then on the first leg to trade (even partly), trigger or be
    /// cancelled cancels the other (<see cref="CancelReason.OcoPartner"/>) in the same command. Either both legs
    /// are accepted or both are rejected with the same reason.
    /// </summary>
    public void PlaceOco(in PlaceOrder limit, in PlaceOrder stop, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        var reject = Validate(limit);
        if (reject == RejectReason.None)
        {
            reject = Validate(stop);
        }

        if (reject == RejectReason.None
            && (limit.Trigger != TriggerType.None || limit.Type != OrderType.Limit || limit.TimeInForce != TimeInForce.GoodTillCancel
                || stop.Trigger == TriggerType.None || stop.Owner != limit.Owner || stop.Side != limit.Side))
        {
            reject = RejectReason.InvalidOrderType;
        }

        if (reject == RejectReason.None && (stop.OrderId == limit.OrderId || IsKnown(limit.OrderId) || IsKnown(stop.OrderId)))
        {
            reject = RejectReason.DuplicateOrderId;
        }

        if (reject == RejectReason.None && WouldFire(stop))
        {
            reject = RejectReason.WouldTriggerImmediately;
        }

        if (reject == RejectReason.None && limit.PostOnly && Crosses(limit.Side, limit.Price))
        {
            reject = RejectReason.PostOnlyWouldTake;
        }

        if (reject != RejectReason.None)
        {
            Reject(events, limit, reject);
            Reject(events, stop, reject);
            return;
        }

        Accept(events, stop);
        var armed = Arm(stop, ocoPartner: 0);
        EmitArmed(events, MatchEventKind.Armed, stop);

        var trades = _trades;
        Execute(limit, events, triggered: false);
        if (_trades == trades && _orders.TryGetValue(limit.OrderId, out var leg))
        {
            leg.OcoPartner = stop.OrderId;
            armed.OcoPartner = limit.OrderId;
        }
        else
        {
            // The limit leg traded at once (or self-trade prevention cancelled it): the pair is decided.
            Disarm(armed);
            EmitCancelled(events, stop.OrderId, stop.Owner, stop.Side, stop.Price, stop.Quantity, stop.QuoteBudget, CancelReason.OcoPartner);
        }

        if (_trades != trades && _armed.Count != 0)
        {
            FireTriggers(events);
        }
    }

    /// <summary>
    /// Changes the price and/or the remaining size of a resting limit order. A smaller size at the same price
    /// keeps the order's place in its queue; a larger size or another price puts it at the back of the queue
    /// of its (new) price, as a new order would be. An amend never trades: a price that reaches the opposite
    /// best price is rejected (<see cref="RejectReason.AmendWouldCross"/>). The order keeps its OCO partner.
    /// </summary>
    /// <param name="quantity">The new remaining size in lots (what is still to trade, not the original size).</param>
    public void Amend(long orderId, long owner, long price, long quantity, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        RejectReason reject;
        if (!_orders.TryGetValue(orderId, out var node))
        {
            reject = !_armed.TryGetValue(orderId, out var armed) ? RejectReason.UnknownOrder
                : armed.Order.Owner != owner ? RejectReason.NotOwner
                : RejectReason.NotAmendable;
        }
        else
        {
            reject = node.Owner != owner ? RejectReason.NotOwner
                : price < 1 || price > Spec.MaxPriceTicks ? RejectReason.InvalidPrice
                : quantity < 1 || quantity > Spec.MaxQuantityLots ? RejectReason.InvalidQuantity
                : (price != node.Price || quantity > node.Remaining) && Crosses(node.Side, price) ? RejectReason.AmendWouldCross
                : RejectReason.None;
        }

        if (reject != RejectReason.None)
        {
            events.Add(new MatchEvent { Kind = MatchEventKind.Rejected, OrderId = orderId, Owner = owner, RejectReason = reject });
            return;
        }

        var previous = node!.Remaining;
        var side = node.Side;
        if (price == node.Price && quantity <= previous)
        {
            node.Remaining = quantity;
            node.Level!.Total -= previous - quantity;
        }
        else
        {
            var partner = node.OcoPartner;
            Unlink(node);
            var moved = Rest(orderId, owner, side, price, quantity);
            moved.OcoPartner = partner;
            _orders[orderId] = moved;
        }

        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Amended, OrderId = orderId, Owner = owner, Side = side, Price = price, Quantity = quantity,
            MakerRemaining = previous,
        });
    }

    /// <summary>Matches a validated plain order (or a triggered one, which was accepted when it was armed).</summary>
    private void Execute(in PlaceOrder order, MatchEventBuffer events, bool triggered)
    {
        var opposite = order.Side == Side.Buy ? _asks : _bids;
        var limitKey = order.Type == OrderType.Limit ? opposite.KeyOf(order.Price)
            : PriceBandBps == 0 ? long.MinValue
            : ProtectionKey(order.Side, opposite);
        var crosses = opposite.Count > 0 && opposite.BestKey >= limitKey;

        if (!crosses && order.Type == OrderType.Limit && order.TimeInForce == TimeInForce.GoodTillCancel)
        {
            // Fast path, most of the traffic: a passive order that goes straight to the book.
            // One hash operation both checks the id and claims its slot.
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_orders, order.OrderId, out var exists);
            if (exists)
            {
                Reject(events, order, RejectReason.DuplicateOrderId);
                return;
            }

            if (!triggered)
            {
                Accept(events, order);
            }

            slot = Rest(order.OrderId, order.Owner, order.Side, order.Price, order.Quantity);
            EmitRested(events, slot);
            return;
        }

        if (_orders.ContainsKey(order.OrderId))
        {
            Reject(events, order, RejectReason.DuplicateOrderId);
            return;
        }

        if (order.PostOnly)
        {
            Reject(events, order, RejectReason.PostOnlyWouldTake);
            return;
        }

        if (!triggered)
        {
            Accept(events, order);
        }

        if (order.TimeInForce == TimeInForce.FillOrKill && !CanFillCompletely(order, opposite, limitKey))
        {
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, order.Price, order.Quantity, 0,
                CancelReason.FillOrKillNotFillable);
            return;
        }

        if (order.QuoteBudget > 0)
        {
            MatchQuoteBudget(order, limitKey, events);
        }
        else
        {
            MatchQuantity(order, opposite, limitKey, events);
        }
    }

    public void Cancel(long orderId, long owner, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        // One hash operation on the common path; a wrong owner is rare enough to pay for putting it back.
        if (!_orders.Remove(orderId, out var node))
        {
            if (_armed.TryGetValue(orderId, out var armed) && armed.Order.Owner == owner)
            {
                CancelArmed(armed, CancelReason.User, events);
                return;
            }

            events.Add(new MatchEvent
            {
                Kind = MatchEventKind.Rejected, OrderId = orderId, Owner = owner,
                RejectReason = armed is null ? RejectReason.UnknownOrder : RejectReason.NotOwner,
            });
            return;
        }

        if (node.Owner != owner)
        {
            _orders.Add(orderId, node);
            events.Add(new MatchEvent
            {
                Kind = MatchEventKind.Rejected, OrderId = orderId, Owner = owner, RejectReason = RejectReason.NotOwner,
            });
            return;
        }

        EmitCancelled(events, node.Id, node.Owner, node.Side, node.Price, node.Remaining, 0, CancelReason.User);
        CancelPartnerOf(node, events);
        Unlink(node);
    }

    /// <summary>
    /// Cancels every order of <paramref name="owner"/>: the resting ones in the order they came to rest, then
    /// the armed ones by order id.
    /// </summary>
    public void CancelAll(long owner, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        if (_owners.TryGetValue(owner, out var list))
        {
            while (list.Head is { } node)
            {
                // Its armed OCO partner, if any, has the same owner and goes below with the reason User.
                _orders.Remove(node.Id);
                EmitCancelled(events, node.Id, node.Owner, node.Side, node.Price, node.Remaining, 0, CancelReason.User);
                Unlink(node);
            }
        }

        if (_armed.Count == 0)
        {
            return;
        }

        List<ArmedEntry>? mine = null;
        foreach (var entry in _armed.Values)
        {
            if (entry.Order.Owner == owner)
            {
                (mine ??= []).Add(entry);
            }
        }

        if (mine is null)
        {
            return;
        }

        mine.Sort(static (a, b) => a.Order.OrderId.CompareTo(b.Order.OrderId));
        foreach (var entry in mine)
        {
            entry.OcoPartner = 0;
            CancelArmed(entry, CancelReason.User, events);
        }
    }

    /// <summary>
    /// Puts a resting order back without matching, behind the orders already at its price. Call it
    /// in the original resting order. Throws if the order is invalid, duplicated or would cross the book,
    /// since any of those means the persisted state is corrupt.
    /// </summary>
    public void Restore(in RestingOrder order)
    {
        if (order.OrderId <= 0 || order.Side is not (Side.Buy or Side.Sell)
            || order.Price < 1 || order.Price > Spec.MaxPriceTicks
            || order.Quantity < 1 || order.Quantity > Spec.MaxQuantityLots)
        {
            throw new ArgumentException($"Invalid resting order {order}.", nameof(order));
        }

        var opposite = order.Side == Side.Buy ? _asks : _bids;
        if (opposite.Count > 0 && opposite.BestKey >= opposite.KeyOf(order.Price))
        {
            throw new InvalidOperationException($"Restoring {order} would cross the book.");
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_orders, order.OrderId, out var exists);
        if (exists)
        {
            throw new InvalidOperationException($"Order {order.OrderId} is already on the book.");
        }

        slot = Rest(order.OrderId, order.Owner, order.Side, order.Price, order.Quantity);
        slot.OcoPartner = order.OcoPartner;
    }

    /// <summary>
    /// Puts an armed stop or take-profit order back (in any order: armed orders fire by trigger price and id,
    /// not by when they were restored). Throws if it is invalid or its id is taken. Restore the last trade
    /// price too, and both legs of an OCO pair, before the next command.
    /// </summary>
    public void RestoreArmed(in ArmedOrder armed)
    {
        var order = armed.Order;
        if (order.Trigger == TriggerType.None || Validate(order) != RejectReason.None)
        {
            throw new ArgumentException($"Invalid armed order {order}.", nameof(armed));
        }

        if (IsKnown(order.OrderId))
        {
            throw new InvalidOperationException($"Order {order.OrderId} is already in the engine.");
        }

        Arm(order, armed.OcoPartner);
    }

    /// <summary>Sets the last trade price (ticks, 0 for none) a rebuild read from the trades: what triggers compare with.</summary>
    public void RestoreLastTradePrice(long price)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(price);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(price, Spec.MaxPriceTicks);
        LastTradePrice = price;
    }

    /// <summary>Every armed order by order id (the sequence they were placed in): feed these to <see cref="RestoreArmed"/>.</summary>
    public IReadOnlyList<ArmedOrder> GetArmedOrdersInSequence()
    {
        var armed = new ArmedOrder[_armed.Count];
        var i = 0;
        foreach (var entry in _armed.Values)
        {
            armed[i++] = new ArmedOrder(entry.Order, entry.OcoPartner);
        }

        Array.Sort(armed, static (a, b) => a.Order.OrderId.CompareTo(b.Order.OrderId));
        return armed;
    }

    /// <summary>Empties the book (keeping the pooled nodes), e.g. before a rebuild.</summary>
    public void Clear()
    {
        foreach (var node in _orders.Values)
        {
            Recycle(node);
        }

        _orders.Clear();
        foreach (var list in _owners.Values)
        {
            list.Head = list.Tail = null;
            list.Count = 0;
        }

        _bids.Clear();
        _asks.Clear();
        _sequence = 0;
        _armed.Clear();
        _rising.Clear();
        _falling.Clear();
        LastTradePrice = 0;
    }

    /// <summary>Writes up to <c>destination.Length</c> aggregated levels of one side, best first; returns how many.</summary>
    public int GetDepth(Side side, Span<PriceLevel> destination)
    {
        var book = SideOf(side);
        var n = Math.Min(destination.Length, book.Count);
        for (var rank = 0; rank < n; rank++)
        {
            var level = book.LevelAt(rank);
            destination[rank] = new PriceLevel(level.Price, level.Total, level.Count);
        }

        return n;
    }

    public BookSnapshot GetSnapshot(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        var bids = new PriceLevel[Math.Min(depth, _bids.Count)];
        var asks = new PriceLevel[Math.Min(depth, _asks.Count)];
        GetDepth(Side.Buy, bids);
        GetDepth(Side.Sell, asks);
        return new BookSnapshot(bids, asks);
    }

    /// <summary>One side's resting orders in priority order: best price first, then time. Do not mutate while enumerating.</summary>
    public IEnumerable<RestingOrder> GetRestingOrders(Side side)
    {
        var book = SideOf(side);
        for (var rank = 0; rank < book.Count; rank++)
        {
            for (var node = book.LevelAt(rank).Head; node is not null; node = node.Next)
            {
                yield return ToResting(node);
            }
        }
    }

    /// <summary>Every resting order in the order it came to rest: feed this to <see cref="Restore"/> to rebuild.</summary>
    public IReadOnlyList<RestingOrder> GetRestingOrdersInSequence()
    {
        var nodes = new OrderNode[_orders.Count];
        _orders.Values.CopyTo(nodes, 0);
        Array.Sort(nodes, static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return Array.ConvertAll(nodes, ToResting);
    }

    /// <summary>
    /// Checks every structural invariant (sorted levels, uncrossed book, level totals, links, index,
    /// owner lists) and throws <see cref="InvalidOperationException"/> on the first violation.
    /// O(orders): for tests and for a check after a rebuild, not for the hot path.
    /// </summary>
    public void VerifyIntegrity()
    {
        var seen = 0;
        foreach (var book in (ReadOnlySpan<BookSide>)[_bids, _asks])
        {
            var side = book.IsBid ? Side.Buy : Side.Sell;
            for (var rank = 0; rank < book.Count; rank++)
            {
                var level = book.LevelAt(rank);
                Check(book.KeyAt(rank) == book.KeyOf(level.Price), "level key does not match its price");
                Check(rank == 0 || book.KeyAt(rank) < book.KeyAt(rank - 1), "levels are not strictly sorted");
                Check(level.Head is not null, "an empty level is on the book");
                long total = 0;
                var count = 0;
                OrderNode? prev = null;
                for (var node = level.Head; node is not null; node = node.Next)
                {
                    Check(node.Prev == prev, $"broken FIFO link at order {node.Id}");
                    Check(node.Level == level && node.Price == level.Price && node.Side == side, $"order {node.Id} is misplaced");
                    Check(node.Remaining > 0, $"order {node.Id} rests with nothing left");
                    Check(prev is null || prev.Sequence < node.Sequence, $"order {node.Id} is out of time priority");
                    Check(_orders.TryGetValue(node.Id, out var indexed) && indexed == node, $"order {node.Id} is not indexed");
                    Check(node.OwnerList is not null && _owners.TryGetValue(node.Owner, out var ownerList) && ownerList == node.OwnerList,
                        $"order {node.Id} is not in its owner's list");
                    Check(node.OcoPartner == 0 || (_armed.TryGetValue(node.OcoPartner, out var partner) && partner.OcoPartner == node.Id),
                        $"order {node.Id} has a broken OCO link");
                    total += node.Remaining;
                    count++;
                    prev = node;
                }

                Check(level.Tail == prev, "level tail is wrong");
                Check(level.Total == total && level.Count == count, $"level {level.Price} totals are wrong");
                seen += count;
            }
        }

        Check(seen == _orders.Count, "the index holds orders that are not on the book");
        Check(_bids.Count == 0 || _asks.Count == 0 || _bids.Best.Price < _asks.Best.Price, "the book is crossed");

        var owned = 0;
        foreach (var (owner, list) in _owners)
        {
            OrderNode? prev = null;
            var count = 0;
            for (var node = list.Head; node is not null; node = node.OwnerNext)
            {
                Check(node.Owner == owner && node.OwnerList == list && node.OwnerPrev == prev, $"broken owner link at order {node.Id}");
                Check(prev is null || prev.Sequence < node.Sequence, $"owner list of {owner} is out of order");
                prev = node;
                count++;
            }

            Check(list.Tail == prev && list.Count == count, $"owner list of {owner} is inconsistent");
            owned += count;
        }

        Check(owned == _orders.Count, "owner lists do not cover the book");

        Check(_rising.Count + _falling.Count == _armed.Count, "the trigger queues do not match the armed orders");
        foreach (var (id, entry) in _armed)
        {
            var order = entry.Order;
            Check(order.OrderId == id && !_orders.ContainsKey(id), $"armed order {id} is misfiled");
            Check(order.Trigger != TriggerType.None && (Rises(order) ? _rising : _falling).Contains(entry),
                $"armed order {id} is not in its trigger queue");
            Check(entry.OcoPartner == 0 || (_orders.TryGetValue(entry.OcoPartner, out var leg) && leg.OcoPartner == id),
                $"armed order {id} has a broken OCO link");
        }

        Check(NextToFire() is null, "an armed order's trigger has been reached");

        static void Check(bool condition, string message)
        {
            if (!condition)
            {
                throw new InvalidOperationException("Order book corrupt: " + message);
            }
        }
    }

    private RejectReason Validate(in PlaceOrder order)
    {
        if (order.OrderId <= 0)
        {
            return RejectReason.InvalidOrderId;
        }

        var isMarket = order.Type == OrderType.Market;
        if (order.Side is not (Side.Buy or Side.Sell)
            || order.Type is not (OrderType.Limit or OrderType.Market)
            || order.TimeInForce is not (TimeInForce.GoodTillCancel or TimeInForce.ImmediateOrCancel or TimeInForce.FillOrKill)
            || order.SelfTradePrevention is not (SelfTradePrevention.CancelNewest or SelfTradePrevention.CancelOldest or SelfTradePrevention.CancelBoth)
            || (isMarket && order.TimeInForce == TimeInForce.GoodTillCancel)
            || (order.PostOnly && (isMarket || order.TimeInForce != TimeInForce.GoodTillCancel))
            || (order.QuoteBudget != 0 && (!isMarket || order.Side != Side.Buy || order.TimeInForce != TimeInForce.ImmediateOrCancel))
            || order.Trigger is not (TriggerType.None or TriggerType.Stop or TriggerType.TakeProfit)
            || (order.PostOnly && order.Trigger != TriggerType.None))
        {
            return RejectReason.InvalidOrderType;
        }

        if ((isMarket ? order.Price != 0 : order.Price < 1 || order.Price > Spec.MaxPriceTicks)
            || (order.Trigger == TriggerType.None ? order.TriggerPrice != 0 : order.TriggerPrice < 1 || order.TriggerPrice > Spec.MaxPriceTicks))
        {
            return RejectReason.InvalidPrice;
        }

        if (order.QuoteBudget != 0)
        {
            return order.QuoteBudget < 0 || order.Quantity != 0 ? RejectReason.InvalidQuantity : RejectReason.None;
        }

        return order.Quantity < 1 || order.Quantity > Spec.MaxQuantityLots ? RejectReason.InvalidQuantity : RejectReason.None;
    }

    /// <summary>
    /// Fill-or-kill must not touch the book unless it fills completely, so first count what it could
    /// take, stopping where self-trade prevention would stop it (or skipping the owner's own orders
    /// when those would be cancelled and matching would go on).
    /// </summary>
    private bool CanFillCompletely(in PlaceOrder order, BookSide opposite, long limitKey)
    {
        var needed = order.Quantity;
        var ownerHasOrders = _owners.TryGetValue(order.Owner, out var own) && own.Count > 0;
        for (var rank = 0; rank < opposite.Count && opposite.KeyAt(rank) >= limitKey; rank++)
        {
            var level = opposite.LevelAt(rank);
            if (!ownerHasOrders)
            {
                needed -= level.Total;
                if (needed <= 0)
                {
                    return true;
                }

                continue;
            }

            for (var node = level.Head; node is not null; node = node.Next)
            {
                if (node.Owner == order.Owner)
                {
                    if (order.SelfTradePrevention == SelfTradePrevention.CancelOldest)
                    {
                        continue;
                    }

                    return false;
                }

                needed -= node.Remaining;
                if (needed <= 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void MatchQuantity(in PlaceOrder order, BookSide opposite, long limitKey, MatchEventBuffer events)
    {
        var remaining = order.Quantity;
        var selfTrade = false;
        while (remaining > 0 && opposite.Count > 0 && opposite.BestKey >= limitKey)
        {
            var level = opposite.Best;
            var maker = level.Head!;
            if (maker.Owner == order.Owner)
            {
                if (order.SelfTradePrevention != SelfTradePrevention.CancelNewest)
                {
                    CancelMaker(maker, events);
                }

                if (order.SelfTradePrevention != SelfTradePrevention.CancelOldest)
                {
                    selfTrade = true;
                    break;
                }

                continue;
            }

            var quantity = Math.Min(remaining, maker.Remaining);
            remaining -= quantity;
            Fill(order, maker, level, quantity, events);
        }

        if (remaining == 0)
        {
            return;
        }

        if (selfTrade)
        {
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, order.Price, remaining, 0, CancelReason.SelfTrade);
        }
        else if (order.Type == OrderType.Market)
        {
            // Orders left on the other side are beyond the protection price: the band stopped it, not the book.
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, 0, remaining, 0,
                opposite.Count == 0 ? CancelReason.MarketNoLiquidity : CancelReason.PriceBand);
        }
        else if (order.TimeInForce == TimeInForce.GoodTillCancel)
        {
            var node = Rest(order.OrderId, order.Owner, order.Side, order.Price, remaining);
            _orders.Add(order.OrderId, node);
            EmitRested(events, node);
        }
        else
        {
            // Fill-or-kill never gets here with a remainder: it was checked before matching.
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, order.Price, remaining, 0,
                CancelReason.ImmediateOrCancelRemainder);
        }
    }

    private void MatchQuoteBudget(in PlaceOrder order, long limitKey, MatchEventBuffer events)
    {
        var budget = order.QuoteBudget;
        var reason = CancelReason.None;
        while (budget > 0)
        {
            if (_asks.Count == 0)
            {
                reason = CancelReason.MarketNoLiquidity;
                break;
            }

            if (_asks.BestKey < limitKey)
            {
                reason = CancelReason.PriceBand;
                break;
            }

            var level = _asks.Best;
            var maker = level.Head!;
            if (maker.Owner == order.Owner)
            {
                if (order.SelfTradePrevention != SelfTradePrevention.CancelNewest)
                {
                    CancelMaker(maker, events);
                }

                if (order.SelfTradePrevention != SelfTradePrevention.CancelOldest)
                {
                    reason = CancelReason.SelfTrade;
                    break;
                }

                continue;
            }

            var affordable = budget / level.Price;
            if (affordable == 0)
            {
                reason = CancelReason.QuoteBelowOneLot;
                break;
            }

            var quantity = Math.Min(affordable, maker.Remaining);
            budget -= quantity * level.Price;
            Fill(order, maker, level, quantity, events);
        }

        if (budget > 0)
        {
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, 0, 0, budget, reason);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Fill(in PlaceOrder taker, OrderNode maker, LevelNode level, long quantity, MatchEventBuffer events)
    {
        maker.Remaining -= quantity;
        level.Total -= quantity;
        LastTradePrice = level.Price;
        _trades++;
        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Trade,
            OrderId = taker.OrderId,
            Owner = taker.Owner,
            Side = taker.Side,
            Price = level.Price,
            Quantity = quantity,
            MakerOrderId = maker.Id,
            MakerOwner = maker.Owner,
            MakerRemaining = maker.Remaining,
        });

        if (maker.OcoPartner != 0)
        {
            CancelPartnerOf(maker, events);
        }

        if (maker.Remaining == 0)
        {
            _orders.Remove(maker.Id);
            Unlink(maker);
        }
    }

    private void CancelMaker(OrderNode maker, MatchEventBuffer events)
    {
        _orders.Remove(maker.Id);
        EmitCancelled(events, maker.Id, maker.Owner, maker.Side, maker.Price, maker.Remaining, 0, CancelReason.SelfTrade);
        CancelPartnerOf(maker, events);
        Unlink(maker);
    }

    /// <summary>
    /// The book key of the worst price a market order on <paramref name="side"/> may trade at now: the edge of the
    /// band around the reference price (<see cref="PriceBandBps"/>), or <see cref="long.MinValue"/> (no bound) when
    /// there is no reference. Counted in half ticks so a mid between two ticks is exact; the buy edge is rounded
    /// down and the sell edge up to the tick grid, and a sell edge is at least one tick, as <c>PriceBand.Around</c>
    /// rounds the band the API judges limit orders by.
    /// </summary>
    private long ProtectionKey(Side side, BookSide opposite)
    {
        Int128 twiceReference;
        if (LastTradePrice != 0)
        {
            twiceReference = 2 * (Int128)LastTradePrice;
        }
        else if (_bids.Count != 0 && _asks.Count != 0
                 && (Int128)(_asks.Best.Price - _bids.Best.Price) * BasisPoints <= ((Int128)_bids.Best.Price + _asks.Best.Price) * PriceBandBps)
        {
            twiceReference = (Int128)_bids.Best.Price + _asks.Best.Price;
        }
        else
        {
            return long.MinValue;
        }

        const int Half = 2 * BasisPoints;
        var edge = side == Side.Buy
            ? twiceReference * (BasisPoints + PriceBandBps) / Half
            : Int128.Max(1, (twiceReference * (BasisPoints - PriceBandBps) + Half - 1) / Half);
        return opposite.KeyOf((long)Int128.Min(edge, Spec.MaxPriceTicks));
    }

    /// <summary>A stop or take-profit order passed validation and the duplicate check on the armed set.</summary>
    private void PlaceArmed(in PlaceOrder order, MatchEventBuffer events)
    {
        if (_orders.ContainsKey(order.OrderId))
        {
            Reject(events, order, RejectReason.DuplicateOrderId);
            return;
        }

        if (WouldFire(order))
        {
            Reject(events, order, RejectReason.WouldTriggerImmediately);
            return;
        }

        Accept(events, order);
        Arm(order, ocoPartner: 0);
        EmitArmed(events, MatchEventKind.Armed, order);
    }

    /// <summary>Fires armed orders, one at a time, until no trigger is reached (each may trade and move the price).</summary>
    private void FireTriggers(MatchEventBuffer events)
    {
        while (NextToFire() is { } entry)
        {
            Disarm(entry);
            var order = entry.Order;
            if (entry.OcoPartner != 0 && _orders.Remove(entry.OcoPartner, out var leg))
            {
                // The resting leg goes first, so the triggered order can neither meet it nor share its hold.
                leg.OcoPartner = 0;
                EmitCancelled(events, leg.Id, leg.Owner, leg.Side, leg.Price, leg.Remaining, 0, CancelReason.OcoPartner);
                Unlink(leg);
            }

            EmitArmed(events, MatchEventKind.Triggered, order);
            Execute(order, events, triggered: true);
        }
    }

    /// <summary>The armed order to fire next at the last trade price, or null: rising triggers first, nearest trigger first, then id.</summary>
    private ArmedEntry? NextToFire()
    {
        if (LastTradePrice == 0)
        {
            return null;
        }

        if (_rising.Count != 0 && _rising.Min!.Order.TriggerPrice <= LastTradePrice)
        {
            return _rising.Min;
        }

        return _falling.Count != 0 && _falling.Min!.Order.TriggerPrice >= LastTradePrice ? _falling.Min : null;
    }

    private bool WouldFire(in PlaceOrder order) =>
        LastTradePrice != 0 && (Rises(order) ? LastTradePrice >= order.TriggerPrice : LastTradePrice <= order.TriggerPrice);

    /// <summary>
    /// True when the trigger fires as the price rises (a buy stop, a sell take-profit): the last trade price at or
    /// above the trigger price. Otherwise it fires as the price falls: at or below.
    /// </summary>
    private static bool Rises(in PlaceOrder order) => order.Trigger == TriggerType.Stop ? order.Side == Side.Buy : order.Side == Side.Sell;

    private bool Crosses(Side side, long price)
    {
        var opposite = side == Side.Buy ? _asks : _bids;
        return opposite.Count > 0 && opposite.BestKey >= opposite.KeyOf(price);
    }

    private bool IsKnown(long orderId) => _orders.ContainsKey(orderId) || _armed.ContainsKey(orderId);

    private ArmedEntry Arm(in PlaceOrder order, long ocoPartner)
    {
        var entry = new ArmedEntry(order) { OcoPartner = ocoPartner };
        _armed.Add(order.OrderId, entry);
        (Rises(order) ? _rising : _falling).Add(entry);
        return entry;
    }

    private void Disarm(ArmedEntry entry)
    {
        _armed.Remove(entry.Order.OrderId);
        (Rises(entry.Order) ? _rising : _falling).Remove(entry);
    }

    /// <summary>Cancels an armed order and, for an OCO leg, its resting partner.</summary>
    private void CancelArmed(ArmedEntry entry, CancelReason reason, MatchEventBuffer events)
    {
        Disarm(entry);
        var order = entry.Order;
        EmitCancelled(events, order.OrderId, order.Owner, order.Side, order.Price, order.Quantity, order.QuoteBudget, reason);
        if (entry.OcoPartner != 0 && _orders.Remove(entry.OcoPartner, out var leg))
        {
            leg.OcoPartner = 0;
            EmitCancelled(events, leg.Id, leg.Owner, leg.Side, leg.Price, leg.Remaining, 0, CancelReason.OcoPartner);
            Unlink(leg);
        }
    }

    /// <summary>A resting OCO leg traded or left the book: its armed partner is cancelled and the link dropped.</summary>
    private void CancelPartnerOf(OrderNode node, MatchEventBuffer events)
    {
        if (node.OcoPartner != 0 && _armed.TryGetValue(node.OcoPartner, out var partner))
        {
            partner.OcoPartner = 0;
            CancelArmed(partner, CancelReason.OcoPartner, events);
        }

        node.OcoPartner = 0;
    }

    /// <summary>Appends a new order at the back of its level and of its owner's list. The caller indexes it.</summary>
    private OrderNode Rest(long orderId, long owner, Side side, long price, long quantity)
    {
        var node = _freeOrders ?? new OrderNode();
        _freeOrders = node.Next;

        node.Id = orderId;
        node.Owner = owner;
        node.Side = side;
        node.Price = price;
        node.Remaining = quantity;
        node.Sequence = ++_sequence;

        var level = (side == Side.Buy ? _bids : _asks).GetOrAdd(price);
        node.Level = level;
        node.Next = null;
        node.Prev = level.Tail;
        if (level.Tail is null)
        {
            level.Head = node;
        }
        else
        {
            level.Tail.Next = node;
        }

        level.Tail = node;
        level.Count++;
        level.Total += quantity;

        ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_owners, owner, out _);
        list ??= new OwnerOrders();
        node.OwnerList = list;
        node.OwnerNext = null;
        node.OwnerPrev = list.Tail;
        if (list.Tail is null)
        {
            list.Head = node;
        }
        else
        {
            list.Tail.OwnerNext = node;
        }

        list.Tail = node;
        list.Count++;
        return node;
    }

    /// <summary>Takes an order (already removed from the index) off its level and its owner's list, and pools it.</summary>
    private void Unlink(OrderNode node)
    {
        var level = node.Level!;
        if (node.Prev is null)
        {
            level.Head = node.Next;
        }
        else
        {
            node.Prev.Next = node.Next;
        }

        if (node.Next is null)
        {
            level.Tail = node.Prev;
        }
        else
        {
            node.Next.Prev = node.Prev;
        }

        level.Count--;
        level.Total -= node.Remaining;
        if (level.Count == 0)
        {
            (node.Side == Side.Buy ? _bids : _asks).Remove(level);
        }

        // Owner entries stay in the map once created: owners are a bounded set (the users of the
        // market), and keeping them avoids churning the map and the entry objects.
        var list = node.OwnerList!;
        if (node.OwnerPrev is null)
        {
            list.Head = node.OwnerNext;
        }
        else
        {
            node.OwnerPrev.OwnerNext = node.OwnerNext;
        }

        if (node.OwnerNext is null)
        {
            list.Tail = node.OwnerPrev;
        }
        else
        {
            node.OwnerNext.OwnerPrev = node.OwnerPrev;
        }

        list.Count--;
        Recycle(node);
    }

    private void Recycle(OrderNode node)
    {
        node.OcoPartner = 0;
        node.Level = null;
        node.Prev = null;
        node.OwnerList = null;
        node.OwnerPrev = null;
        node.OwnerNext = null;
        node.Next = _freeOrders;
        _freeOrders = node;
    }

    private BookSide SideOf(Side side) => side == Side.Buy ? _bids : _asks;

    private static RestingOrder ToResting(OrderNode node) =>
        new(node.Id, node.Owner, node.Side, node.Price, node.Remaining) { OcoPartner = node.OcoPartner };

    private static void Reject(MatchEventBuffer events, in PlaceOrder order, RejectReason reason) =>
        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Rejected, OrderId = order.OrderId, Owner = order.Owner, Side = order.Side, RejectReason = reason,
        });

    private static void Accept(MatchEventBuffer events, in PlaceOrder order) =>
        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Accepted,
            OrderId = order.OrderId,
            Owner = order.Owner,
            Side = order.Side,
            Price = order.Price,
            Quantity = order.Quantity,
            QuoteAmount = order.QuoteBudget,
        });

    private static void EmitArmed(MatchEventBuffer events, MatchEventKind kind, in PlaceOrder order) =>
        events.Add(new MatchEvent
        {
            Kind = kind, OrderId = order.OrderId, Owner = order.Owner, Side = order.Side, Price = order.TriggerPrice,
            Quantity = order.Quantity, QuoteAmount = order.QuoteBudget,
        });

    private static void EmitRested(MatchEventBuffer events, OrderNode node) =>
        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Rested, OrderId = node.Id, Owner = node.Owner, Side = node.Side, Price = node.Price, Quantity = node.Remaining,
        });

    private static void EmitCancelled(MatchEventBuffer events, long orderId, long owner, Side side, long price, long quantity,
        long quote, CancelReason reason) =>
        events.Add(new MatchEvent
        {
            Kind = MatchEventKind.Cancelled,
            OrderId = orderId,
            Owner = owner,
            Side = side,
            Price = price,
            Quantity = quantity,
            QuoteAmount = quote,
            CancelReason = reason,
        });

    /// <summary>An armed order; <see cref="OcoPartner"/> changes when its pair is formed or broken.</summary>
    private sealed class ArmedEntry(PlaceOrder order)
    {
        public PlaceOrder Order { get; } = order;

        public long OcoPartner { get; set; }
    }

    /// <summary>Rising triggers fire lowest trigger price first (the price reaches it first), then by id.</summary>
    private sealed class RisingTriggers : IComparer<ArmedEntry>
    {
        public static readonly RisingTriggers Instance = new();

        public int Compare(ArmedEntry? x, ArmedEntry? y)
        {
            var byPrice = x!.Order.TriggerPrice.CompareTo(y!.Order.TriggerPrice);
            return byPrice != 0 ? byPrice : x.Order.OrderId.CompareTo(y.Order.OrderId);
        }
    }

    /// <summary>Falling triggers fire highest trigger price first, then by id.</summary>
    private sealed class FallingTriggers : IComparer<ArmedEntry>
    {
        public static readonly FallingTriggers Instance = new();

        public int Compare(ArmedEntry? x, ArmedEntry? y)
        {
            var byPrice = y!.Order.TriggerPrice.CompareTo(x!.Order.TriggerPrice);
            return byPrice != 0 ? byPrice : x.Order.OrderId.CompareTo(y.Order.OrderId);
        }
    }
}
