using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Coinage.Domain.Matching;

/// <summary>
/// The order book and matching engine of one market: price-time priority, limit and market orders,
/// GTC / IOC / FOK, post-only, self-trade prevention, cancel and cancel-all.
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
/// </summary>
public sealed class MatchingEngine
{
    private readonly BookSide _bids = new(isBid: true);
    private readonly BookSide _asks = new(isBid: false);
    private readonly Dictionary<long, OrderNode> _orders;
    private readonly Dictionary<long, OwnerOrders> _owners = [];
    private OrderNode? _freeOrders;
    private long _sequence;

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
        if (reject != RejectReason.None)
        {
            Reject(events, order, reject);
            return;
        }

        var opposite = order.Side == Side.Buy ? _asks : _bids;
        var limitKey = order.Type == OrderType.Limit ? opposite.KeyOf(order.Price) : long.MinValue;
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

            Accept(events, order);
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

        Accept(events, order);

        if (order.TimeInForce == TimeInForce.FillOrKill && !CanFillCompletely(order, opposite, limitKey))
        {
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, order.Price, order.Quantity, 0,
                CancelReason.FillOrKillNotFillable);
            return;
        }

        if (order.QuoteBudget > 0)
        {
            MatchQuoteBudget(order, events);
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
            events.Add(new MatchEvent
            {
                Kind = MatchEventKind.Rejected, OrderId = orderId, Owner = owner, RejectReason = RejectReason.UnknownOrder,
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
        Unlink(node);
    }

    /// <summary>Cancels every resting order of <paramref name="owner"/>, in the order they came to rest.</summary>
    public void CancelAll(long owner, MatchEventBuffer events)
    {
        ArgumentNullException.ThrowIfNull(events);

        if (!_owners.TryGetValue(owner, out var list))
        {
            return;
        }

        while (list.Head is { } node)
        {
            _orders.Remove(node.Id);
            EmitCancelled(events, node.Id, node.Owner, node.Side, node.Price, node.Remaining, 0, CancelReason.User);
            Unlink(node);
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
            || (order.QuoteBudget != 0 && (!isMarket || order.Side != Side.Buy || order.TimeInForce != TimeInForce.ImmediateOrCancel)))
        {
            return RejectReason.InvalidOrderType;
        }

        if (isMarket ? order.Price != 0 : order.Price < 1 || order.Price > Spec.MaxPriceTicks)
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
            EmitCancelled(events, order.OrderId, order.Owner, order.Side, 0, remaining, 0, CancelReason.MarketNoLiquidity);
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

    private void MatchQuoteBudget(in PlaceOrder order, MatchEventBuffer events)
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
        Unlink(maker);
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
        new(node.Id, node.Owner, node.Side, node.Price, node.Remaining);

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
}
