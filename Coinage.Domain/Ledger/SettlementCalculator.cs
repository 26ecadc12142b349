using System.Runtime.InteropServices;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Ledger;

/// <summary>One engine trade, priced, with its fees and the entry that settles it.</summary>
public sealed record SettledTrade(
    long TakerOrderId,
    long TakerOwner,
    long MakerOrderId,
    long MakerOwner,
    Side TakerSide,
    long PriceTicks,
    long QuantityLots,
    decimal Price,
    decimal Quantity,
    decimal QuoteAmount,
    decimal TakerFee,
    decimal MakerFee,
    JournalEntry Entry);

/// <summary>
/// What to persist for a batch of engine events, in one transaction: <see cref="Entries"/> in order
/// (trade settlements, then hold releases), <see cref="Trades"/>, and the new state of every order
/// the events touched. <see cref="IgnoredRejections"/> are rejections that changed nothing (a cancel
/// of an unknown or foreign order, a duplicate id): report them to the user, post nothing.
/// </summary>
public sealed record SettlementResult(
    IReadOnlyList<JournalEntry> Entries,
    IReadOnlyList<SettledTrade> Trades,
    IReadOnlyList<OrderLedgerState> Orders,
    IReadOnlyList<MatchEvent> IgnoredRejections);

/// <summary>
/// Turns the matching engine's events into ledger entries and order states. Pure: it reads the
/// orders it is given and returns new values; the caller persists them (orders, trades, postings,
/// balances) in one transaction.
/// <para>
/// Rules: a trade moves the notional from the buyer's Held quote to the seller's Available quote and
/// the base from the seller's Held base to the buyer's Available base; each side's fee (maker or taker
/// rate) is in quote, goes to the Fees account, and comes out of the buyer's held quote or the seller's
/// proceeds. Fees round up on each order's running total (<see cref="OrderLedgerState.FeeExact"/>).
/// After every change an open order keeps exactly <see cref="OrderLedgerState.RequiredHold"/> (a fill
/// below a buy's limit or at the cheaper maker rate frees the difference) and a done order keeps
/// nothing. A hold that would go below what is required, or below zero, is a bug: it throws.
/// </para>
/// </summary>
public sealed class SettlementCalculator
{
    private readonly SpotMarket _market;

    public SettlementCalculator(SpotMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        _market = market;
    }

    /// <summary>Ids of the orders <see cref="Settle"/> needs for these events: load them before calling it.</summary>
    public static IReadOnlySet<long> ReferencedOrderIds(ReadOnlySpan<MatchEvent> events)
    {
        var ids = new HashSet<long>();
        foreach (ref readonly var e in events)
        {
            if (e.Kind == MatchEventKind.Rejected && IsCancelRejection(e.RejectReason))
            {
                continue;
            }

            ids.Add(e.OrderId);
            if (e.Kind == MatchEventKind.Trade)
            {
                ids.Add(e.MakerOrderId);
            }
        }

        return ids;
    }

    /// <summary>
    /// Settles the events of one command (or of consecutive commands, in order). <paramref name="orders"/>
    /// must hold the current state of every order in <see cref="ReferencedOrderIds"/>: Pending for a new order.
    /// </summary>
    public SettlementResult Settle(ReadOnlySpan<MatchEvent> events, IReadOnlyDictionary<long, OrderLedgerState> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var run = new Run(_market, orders);
        foreach (ref readonly var e in events)
        {
            switch (e.Kind)
            {
                case MatchEventKind.Accepted:
                    run.Accepted(e);
                    break;
                case MatchEventKind.Trade:
                    run.Trade(e);
                    break;
                case MatchEventKind.Rested:
                    run.Rested(e);
                    break;
                case MatchEventKind.Cancelled:
                    run.Cancelled(e);
                    break;
                case MatchEventKind.Rejected:
                    run.Rejected(e);
                    break;
                case MatchEventKind.Armed:
                    run.Armed(e);
                    break;
                case MatchEventKind.Triggered:
                    run.Triggered(e);
                    break;
                case MatchEventKind.Amended:
                    run.Amended(e);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown engine event {e}.");
            }
        }

        return run.Result();
    }

    private static bool IsCancelRejection(RejectReason reason) => reason is RejectReason.UnknownOrder or RejectReason.NotOwner;

    /// <summary>Reasons the engine gives when it refuses an amend of an order that stays as it was.</summary>
    private static bool IsAmendRejection(RejectReason reason) =>
        reason is RejectReason.NotAmendable or RejectReason.AmendWouldCross or RejectReason.InvalidPrice or RejectReason.InvalidQuantity;

    /// <summary>The working state of one <see cref="Settle"/> call.</summary>
    private sealed class Run(SpotMarket market, IReadOnlyDictionary<long, OrderLedgerState> initial)
    {
        private readonly Dictionary<long, OrderLedgerState> _orders = [];
        private readonly List<long> _touched = [];
        private readonly Dictionary<long, decimal> _released = [];
        private readonly List<JournalEntry> _tradeEntries = [];
        private readonly List<SettledTrade> _trades = [];
        private readonly List<MatchEvent> _ignored = [];

        public void Accepted(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.Status == OrderStatus.Pending, e, $"order is {order.Status}, not Pending");
            Expect(order.Owner == e.Owner && order.Side == e.Side && order.LimitPrice == e.Price
                && order.Quantity == e.Quantity && order.QuoteBudget == e.QuoteAmount, e, $"the engine accepted other terms than {order}");
            Set(order with { Status = OrderStatus.Open });
        }

        /// <summary>A stop or take-profit order waits for its trigger; its hold stays as placed.</summary>
        public void Armed(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.Status == OrderStatus.Open && order.FilledQuantity == 0, e, $"order is {order.Status}, not just accepted");
            Set(order with { Status = OrderStatus.Untriggered });
        }

        /// <summary>The trigger was reached: the order is matched from here on like a new one.</summary>
        public void Triggered(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.Status == OrderStatus.Untriggered, e, $"order is {order.Status}, not Untriggered");
            Set(order with { Status = OrderStatus.Open });
        }

        /// <summary>
        /// A resting limit order's new price and remainder. The caller has added the extra hold the API took for the
        /// amend to the order's hold before settling; what the new terms do not need is released here.
        /// </summary>
        public void Amended(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.IsOpen && order.Type == OrderType.Limit && order.Owner == e.Owner && order.Side == e.Side, e, $"cannot amend {order}");
            Expect(order.Quantity - order.FilledQuantity == e.MakerRemaining, e,
                $"{order.Quantity - order.FilledQuantity} lots are left, the engine amended {e.MakerRemaining}");
            Set(Trim(order.Amended(e.Price, order.FilledQuantity + e.Quantity), e));
        }

        public void Trade(in MatchEvent e)
        {
            var taker = Get(e.OrderId, e);
            var maker = Get(e.MakerOrderId, e);
            Expect(taker.IsOpen && maker.IsOpen, e, $"taker is {taker.Status}, maker is {maker.Status}");
            Expect(taker.Owner == e.Owner && maker.Owner == e.MakerOwner && taker.Side == e.Side && maker.Side != e.Side,
                e, "owners or sides differ from the stored orders");
            Expect(e.Quantity > 0 && maker.LimitPrice == e.Price, e, "a trade is at the maker's price");
            Expect(taker.Type == OrderType.Market || (taker.Side == Side.Buy ? e.Price <= taker.LimitPrice : e.Price >= taker.LimitPrice),
                e, "the trade price is beyond the taker's limit");

            var notional = market.QuoteNotional(e.Price, e.Quantity);
            var baseAmount = market.BaseQuantity(e.Quantity);
            var takerFeeExact = SpotMarket.ExactFee(notional, market.TakerFeeBps);
            var makerFeeExact = SpotMarket.ExactFee(notional, market.MakerFeeBps);
            taker = Fill(taker, e, notional, takerFeeExact, out var takerFee);
            maker = Fill(maker, e, notional, makerFeeExact, out var makerFee);

            var (buyer, seller) = taker.Side == Side.Buy ? (taker, maker) : (maker, taker);
            var (buyerFee, sellerFee) = taker.Side == Side.Buy ? (takerFee, makerFee) : (makerFee, takerFee);
            var postings = new Dictionary<AccountId, decimal>();
            Add(postings, AccountId.Held(buyer.Owner, market.Quote), -(notional + buyerFee));
            Add(postings, AccountId.Available(buyer.Owner, market.Base), baseAmount);
            Add(postings, AccountId.Held(seller.Owner, market.Base), -baseAmount);
            Add(postings, AccountId.Available(seller.Owner, market.Quote), notional - sellerFee);
            Add(postings, AccountId.Fees(market.Quote), buyerFee + sellerFee);
            var entry = new JournalEntry(JournalEntryKind.TradeSettlement, e.OrderId,
                postings.Where(p => p.Value != 0).Select(p => new Posting(p.Key, p.Value)));
            _tradeEntries.Add(entry);
            _trades.Add(new SettledTrade(e.OrderId, e.Owner, e.MakerOrderId, e.MakerOwner, e.Side, e.Price, e.Quantity,
                market.Spec.ToPrice(e.Price), baseAmount, notional, takerFee, makerFee, entry));

            var makerLeft = maker.Quantity - maker.FilledQuantity;
            Expect(makerLeft == e.MakerRemaining, e, $"the maker has {makerLeft} lots left, the engine says {e.MakerRemaining}");
            Set(makerLeft == 0 ? Finish(maker, OrderStatus.Filled) : Trim(maker with { Status = OrderStatus.PartiallyFilled }, e));

            var takerComplete = taker.IsQuoteBudget
                ? taker.FilledQuote == market.QuoteAmount(taker.QuoteBudget)
                : taker.FilledQuantity == taker.Quantity;
            Set(takerComplete ? Finish(taker, OrderStatus.Filled) : Trim(taker with { Status = OrderStatus.PartiallyFilled }, e));
        }

        public void Rested(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.IsOpen && order.Type == OrderType.Limit && order.LimitPrice == e.Price, e, $"cannot rest {order}");
            Expect(order.Quantity - order.FilledQuantity == e.Quantity, e,
                $"{order.Quantity - order.FilledQuantity} lots are left, the engine rests {e.Quantity}");
            Set(Trim(order, e));
        }

        public void Cancelled(in MatchEvent e)
        {
            var order = Get(e.OrderId, e);
            Expect(order.IsLive, e, $"order is {order.Status}");
            if (order.IsQuoteBudget)
            {
                var left = market.QuoteAmount(order.QuoteBudget) - order.FilledQuote;
                Expect(left == market.QuoteAmount(e.QuoteAmount), e, $"{left} {market.Quote} of budget is left, the engine cancels {e.QuoteAmount} units");
            }
            else
            {
                Expect(order.Quantity - order.FilledQuantity == e.Quantity, e,
                    $"{order.Quantity - order.FilledQuantity} lots are left, the engine cancels {e.Quantity}");
            }

            // A budget buy that spent all it could (the rest buys less than one lot) did its job: Filled, not Cancelled.
            if (e.CancelReason == CancelReason.QuoteBelowOneLot && order.FilledQuantity > 0)
            {
                Set(Finish(order, OrderStatus.Filled));
                return;
            }

            Expect(e.CancelReason != CancelReason.None, e, "a cancel without a reason");
            if (e.CancelReason == CancelReason.OcoPartner && order.OcoPartner != 0 && TryGet(order.OcoPartner, out var partner) && partner.IsLive)
            {
                // The pair's one hold passes to the leg that goes on (the stop leg that fired, or the limit leg that traded),
                // which keeps what it alone needs from now on: released once, with the pair, never twice.
                Expect(partner.OcoPartner == order.OrderId && partner.HoldAsset == order.HoldAsset, e, $"{partner} is not the OCO partner of {order}");
                Set(order with { Status = OrderStatus.Cancelled, CloseReason = OrderCloseReason.OcoPartner, RemainingHold = 0 });
                Set(Trim(partner with { RemainingHold = partner.RemainingHold + order.RemainingHold }, e));
                return;
            }

            Set(Finish(order with { CloseReason = (OrderCloseReason)e.CancelReason }, OrderStatus.Cancelled));
        }

        public void Rejected(in MatchEvent e)
        {
            if (IsCancelRejection(e.RejectReason))
            {
                _ignored.Add(e);
                return;
            }

            var order = Get(e.OrderId, e);
            if (IsAmendRejection(e.RejectReason) && order.Status != OrderStatus.Pending)
            {
                // A refused amend: the order keeps its terms and hold (the caller releases the amend's extra hold).
                _ignored.Add(e);
                return;
            }

            if (e.RejectReason == RejectReason.DuplicateOrderId && order.Status != OrderStatus.Pending)
            {
                // The id belongs to an order already on the book; the rejected command has no row of its own.
                _ignored.Add(e);
                return;
            }

            Expect(order.Status == OrderStatus.Pending, e, $"order is {order.Status}, not Pending");
            var reason = e.RejectReason switch
            {
                RejectReason.PostOnlyWouldTake => OrderCloseReason.PostOnlyWouldTake,
                RejectReason.WouldTriggerImmediately => OrderCloseReason.WouldTriggerImmediately,
                _ => OrderCloseReason.InvalidOrder,
            };
            Set(Finish(order with { CloseReason = reason }, OrderStatus.Rejected));
        }

        public SettlementResult Result()
        {
            var entries = new List<JournalEntry>(_tradeEntries.Count + _released.Count);
            entries.AddRange(_tradeEntries);
            var states = new List<OrderLedgerState>(_touched.Count);
            foreach (var id in _touched)
            {
                var order = _orders[id];
                states.Add(order);
                if (_released.TryGetValue(id, out var amount) && amount > 0)
                {
                    entries.Add(LedgerOperations.ReleaseHold(order, amount));
                }
            }

            return new SettlementResult(entries, _trades, states, _ignored);
        }

        private OrderLedgerState Fill(OrderLedgerState order, in MatchEvent e, decimal notional, decimal feeExact, out decimal fee)
        {
            var filled = order.FilledQuantity + e.Quantity;
            var filledQuote = order.FilledQuote + notional;
            Expect(order.IsQuoteBudget ? filledQuote <= market.QuoteAmount(order.QuoteBudget) : filled <= order.Quantity,
                e, $"order {order.OrderId} would trade beyond its size");
            var totalFeeExact = order.FeeExact + feeExact;
            var feePaid = market.Quote.RoundUp(totalFeeExact);
            fee = feePaid - order.FeePaid;
            var spent = order.Side == Side.Buy ? notional + fee : market.BaseQuantity(e.Quantity);
            var hold = order.RemainingHold - spent;
            if (hold < 0)
            {
                throw new InvalidOperationException(
                    $"Settlement bug: order {order.OrderId}'s hold would go negative ({order.RemainingHold} - {spent}) at {e}.");
            }

            return order with
            {
                FilledQuantity = filled,
                FilledQuote = filledQuote,
                FeeExact = totalFeeExact,
                FeePaid = feePaid,
                RemainingHold = hold,
            };
        }

        /// <summary>
        /// Releases what an open order holds beyond what it still needs. The limit leg of an OCO pair whose stop leg is
        /// still live keeps the stop leg's need too (the pair's one hold, <see cref="LedgerOperations.PlaceOco"/>), as
        /// much of it as it still has: once the leg has traded, the stop leg's cancel that follows in the same events
        /// trims it to its own need.
        /// </summary>
        private OrderLedgerState Trim(OrderLedgerState order, in MatchEvent e)
        {
            var required = order.RequiredHold(market);
            if (order.OcoPartner != 0 && TryGet(order.OcoPartner, out var partner) && partner.IsLive && partner.OcoPartner == order.OrderId)
            {
                required = Math.Max(required, Math.Min(order.RemainingHold, partner.RequiredHold(market)));
            }
            var excess = order.RemainingHold - required;
            if (excess < 0)
            {
                throw new InvalidOperationException(
                    $"Settlement bug: order {order.OrderId} holds {order.RemainingHold} {order.HoldAsset} but needs {required} at {e}.");
            }

            return excess == 0 ? order : Release(order, excess);
        }

        private OrderLedgerState Finish(OrderLedgerState order, OrderStatus status)
        {
            var done = order with { Status = status };
            return order.RemainingHold == 0 ? done : Release(done, order.RemainingHold);
        }

        private OrderLedgerState Release(OrderLedgerState order, decimal amount)
        {
            ref var released = ref CollectionsMarshal.GetValueRefOrAddDefault(_released, order.OrderId, out _);
            released += amount;
            return order with { RemainingHold = order.RemainingHold - amount };
        }

        private OrderLedgerState Get(long orderId, in MatchEvent e)
        {
            if (_orders.TryGetValue(orderId, out var order))
            {
                return order;
            }

            if (!initial.TryGetValue(orderId, out order))
            {
                throw new InvalidOperationException($"Order {orderId} of engine event {e} was not loaded.");
            }

            Expect(order.OrderId == orderId, e, $"order {orderId} was loaded as {order.OrderId}");
            _orders.Add(orderId, order);
            _touched.Add(orderId);
            return order;
        }

        private void Set(OrderLedgerState order) => _orders[order.OrderId] = order;

        /// <summary>An order these events may not name (an OCO partner), if it was loaded.</summary>
        private bool TryGet(long orderId, out OrderLedgerState order)
        {
            if (_orders.TryGetValue(orderId, out order!))
            {
                return true;
            }

            if (!initial.TryGetValue(orderId, out order!))
            {
                return false;
            }

            _orders.Add(orderId, order);
            _touched.Add(orderId);
            return true;
        }

        private static void Add(Dictionary<AccountId, decimal> postings, AccountId account, decimal amount)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(postings, account, out _);
            sum += amount;
        }

        private static void Expect(bool condition, in MatchEvent e, string message)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"Engine event {e} does not fit the ledger: {message}.");
            }
        }
    }
}
