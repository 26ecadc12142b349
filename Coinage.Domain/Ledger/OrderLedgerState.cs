using Coinage.Domain.Matching;

namespace Coinage.Domain.Ledger;

public enum OrderStatus : byte
{
    /// <summary>Funds held and order stored; the matching engine has not seen it yet.</summary>
    Pending = 0,

    /// <summary>On the book (or matching), nothing filled.</summary>
    Open = 1,

    /// <summary>On the book (or matching), part filled.</summary>
    PartiallyFilled = 2,

    /// <summary>Done: fully filled, or a quote-budget market buy whose leftover budget cannot buy one more lot.</summary>
    Filled = 3,

    /// <summary>Done: cancelled (by its owner, time in force, self-trade prevention or lack of liquidity), maybe after partial fills.</summary>
    Cancelled = 4,

    /// <summary>Done: refused by the engine; nothing traded.</summary>
    Rejected = 5,

    /// <summary>
    /// A stop or take-profit order waiting off the book for its trigger, its funds held as the order it becomes
    /// will need them. Once triggered it goes on as Open, PartiallyFilled, Filled or Cancelled (its triggered_at says so).
    /// </summary>
    Untriggered = 6,
}

/// <summary>
/// Why an order ended without filling completely (Cancelled or Rejected), stored with the order
/// (<c>orders.close_reason</c>) and shown to its owner. The first values are the engine's
/// <see cref="CancelReason"/>, number for number, so settlement stores the engine's reason as it is.
/// </summary>
public enum OrderCloseReason : byte
{
    None = 0,

    /// <summary>Cancelled by its owner (cancel or cancel-all).</summary>
    User = CancelReason.User,

    /// <summary>The unfilled remainder of an immediate-or-cancel order.</summary>
    ImmediateOrCancel = CancelReason.ImmediateOrCancelRemainder,

    /// <summary>A fill-or-kill order the book could not fill completely; nothing traded.</summary>
    FillOrKill = CancelReason.FillOrKillNotFillable,

    /// <summary>Self-trade prevention: it would have traded with an order of the same owner.</summary>
    SelfTrade = CancelReason.SelfTrade,

    /// <summary>A market order ran out of orders on the other side of the book.</summary>
    NoLiquidity = CancelReason.MarketNoLiquidity,

    /// <summary>What is left of a market buy's budget cannot pay for one lot at the best ask.</summary>
    BelowOneLot = CancelReason.QuoteBelowOneLot,

    /// <summary>The other leg of its one-cancels-the-other pair traded, triggered or was cancelled.</summary>
    OcoPartner = CancelReason.OcoPartner,

    /// <summary>The rest of a market order that would have traded beyond the market's price band.</summary>
    PriceBand = CancelReason.PriceBand,

    /// <summary>Rejected: a post-only order that would have taken liquidity.</summary>
    PostOnlyWouldTake = 20,

    /// <summary>Rejected by the engine for its terms (a combination the API should have refused).</summary>
    InvalidOrder = 21,

    /// <summary>Rejected: its place command failed every time it was processed and was taken out of the stream.</summary>
    ProcessingFailed = 22,

    /// <summary>Rejected: a stop or take-profit order whose trigger the last trade price had already reached.</summary>
    WouldTriggerImmediately = 23,
}

/// <summary>
/// What the ledger knows about one order: its terms in engine units, the funds held for it and what
/// it has traded. The database stores one row of this per order; <see cref="SettlementCalculator"/>
/// takes the current rows and returns the new ones.
/// </summary>
public sealed record OrderLedgerState
{
    public required long OrderId { get; init; }

    public required long Owner { get; init; }

    public required Side Side { get; init; }

    public required OrderType Type { get; init; }

    /// <summary>Limit price in ticks; 0 for a market order.</summary>
    public long LimitPrice { get; init; }

    /// <summary>Size in lots; 0 for a market buy sized by <see cref="QuoteBudget"/>.</summary>
    public long Quantity { get; init; }

    /// <summary>Market buy by quote: the budget in notional units (tick × lot).</summary>
    public long QuoteBudget { get; init; }

    /// <summary>Quote for a buy, base for a sell.</summary>
    public required Asset HoldAsset { get; init; }

    public decimal OriginalHold { get; init; }

    /// <summary>What is still held for this order; 0 once it is done.</summary>
    public decimal RemainingHold { get; init; }

    public long FilledQuantity { get; init; }

    /// <summary>Σ notional of its trades, in quote.</summary>
    public decimal FilledQuote { get; init; }

    /// <summary>Σ exact fees of its trades, unrounded: rounding the running total (not each trade) charges at most one unit over the exact fee.</summary>
    public decimal FeeExact { get; init; }

    /// <summary>Fees charged so far, in quote: always <c>Quote.RoundUp(FeeExact)</c>.</summary>
    public decimal FeePaid { get; init; }

    public OrderStatus Status { get; init; }

    /// <summary>Why a Cancelled or Rejected order ended; <see cref="OrderCloseReason.None"/> otherwise.</summary>
    public OrderCloseReason CloseReason { get; init; }

    /// <summary>
    /// The other leg of its one-cancels-the-other pair, 0 for none. The pair has one hold, carried by the limit leg
    /// (<see cref="LedgerOperations.PlaceOco"/>); settlement hands it to the stop leg when that one fires.
    /// </summary>
    public long OcoPartner { get; init; }

    public bool IsQuoteBudget => QuoteBudget > 0;

    public bool IsOpen => Status is OrderStatus.Open or OrderStatus.PartiallyFilled;

    /// <summary>Open, or armed and waiting for its trigger: it holds funds and can be cancelled.</summary>
    public bool IsLive => IsOpen || Status == OrderStatus.Untriggered;

    public bool IsDone => Status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected;

    /// <summary>Base amount filled.</summary>
    public decimal FilledBase(SpotMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return market.BaseQuantity(FilledQuantity);
    }

    /// <summary>Volume-weighted average trade price in quote per base, or null before the first fill.</summary>
    public decimal? AveragePrice(SpotMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        return FilledQuantity == 0 ? null : FilledQuote / market.BaseQuantity(FilledQuantity);
    }

    /// <summary>
    /// The least the order must still hold to pay for everything it may yet trade, fees included:
    /// base lots left for a sell; for a buy, the notional left at the limit price (or the budget left)
    /// plus the fee that would bring the running fee total up, at the hold fee rate.
    /// </summary>
    public decimal RequiredHold(SpotMarket market)
    {
        ArgumentNullException.ThrowIfNull(market);
        if (IsDone)
        {
            return 0;
        }

        if (Side == Side.Sell)
        {
            return market.BaseQuantity(Quantity - FilledQuantity);
        }

        var notionalLeft = IsQuoteBudget
            ? market.QuoteAmount(QuoteBudget) - FilledQuote
            : market.QuoteNotional(LimitPrice, Quantity - FilledQuantity);
        var feeLeft = market.Quote.RoundUp(FeeExact + SpotMarket.ExactFee(notionalLeft, market.HoldFeeBps)) - FeePaid;
        return notionalLeft + feeLeft;
    }

    /// <summary>
    /// This resting limit order with a new price and total size (lots, fills included): what an amend asks for. Its
    /// <see cref="RequiredHold"/> is what the order must hold once amended.
    /// </summary>
    public OrderLedgerState Amended(long price, long quantity) => this with { LimitPrice = price, Quantity = quantity };

    /// <summary>
    /// The pending state of an order about to be placed, with the hold it needs. A market buy sized in
    /// base lots has no price bound, so no hold can cover it: the API offers market buys by quote budget
    /// (or a limit immediate-or-cancel with a protection price) instead.
    /// </summary>
    public static OrderLedgerState Pending(SpotMarket market, in PlaceOrder order)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order.OrderId, nameof(order));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(order.Owner, nameof(order));
        var isMarket = order.Type == OrderType.Market;
        if (order.QuoteBudget > 0)
        {
            if (!isMarket || order.Side != Side.Buy || order.Quantity != 0)
            {
                throw new ArgumentException("Only a market buy is sized by a quote budget.", nameof(order));
            }
        }
        else
        {
            if (order.Quantity < 1 || order.Quantity > market.Spec.MaxQuantityLots)
            {
                throw new ArgumentException($"Order {order.OrderId}: invalid quantity {order.Quantity}.", nameof(order));
            }

            if (isMarket && order.Side == Side.Buy)
            {
                throw new NotSupportedException(
                    "A market buy sized in base lots has no price bound, so no hold can cover it; use a quote budget.");
            }

            if (!isMarket && (order.Price < 1 || order.Price > market.Spec.MaxPriceTicks))
            {
                throw new ArgumentException($"Order {order.OrderId}: invalid price {order.Price}.", nameof(order));
            }
        }

        var pending = new OrderLedgerState
        {
            OrderId = order.OrderId,
            Owner = order.Owner,
            Side = order.Side,
            Type = order.Type,
            LimitPrice = isMarket ? 0 : order.Price,
            Quantity = order.Quantity,
            QuoteBudget = order.QuoteBudget,
            HoldAsset = HoldAssetOf(market, order.Side),
            Status = OrderStatus.Pending,
        };
        var hold = pending.RequiredHold(market);
        return pending with { OriginalHold = hold, RemainingHold = hold };
    }

    /// <summary>What an order on <paramref name="side"/> of <paramref name="market"/> holds: the quote asset to buy, the base asset to sell.</summary>
    public static Asset HoldAssetOf(SpotMarket market, Side side)
    {
        ArgumentNullException.ThrowIfNull(market);
        return side == Side.Buy ? market.Quote : market.Base;
    }
}
