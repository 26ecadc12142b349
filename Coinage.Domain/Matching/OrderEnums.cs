namespace Coinage.Domain.Matching;

public enum Side : byte
{
    Buy = 0,
    Sell = 1,
}

public enum OrderType : byte
{
    Limit = 0,

    /// <summary>Takes whatever the book offers; never rests. Sized in base lots, or (buy only) by a quote budget.</summary>
    Market = 1,
}

/// <summary>
/// What arms an order until the last trade price reaches its trigger price. The order behind the trigger is a
/// plain limit or market order: stop-limit is a limit order with <see cref="Stop"/>, take-profit-market a
/// market order with <see cref="TakeProfit"/>, and so on.
/// </summary>
public enum TriggerType : byte
{
    /// <summary>A plain order: matched when placed.</summary>
    None = 0,

    /// <summary>Fires when the price moves against the position: a buy at or above, a sell at or below the trigger.</summary>
    Stop = 1,

    /// <summary>The mirror of <see cref="Stop"/>: a buy fires at or below, a sell at or above the trigger.</summary>
    TakeProfit = 2,
}

public enum TimeInForce : byte
{
    /// <summary>Good till cancelled: the unfilled remainder rests on the book.</summary>
    GoodTillCancel = 0,

    /// <summary>Immediate or cancel: fills what it can now, the remainder is cancelled.</summary>
    ImmediateOrCancel = 1,

    /// <summary>Fill or kill: fills completely at once or does nothing at all.</summary>
    FillOrKill = 2,
}

/// <summary>
/// What happens when an incoming order would trade with a resting order of the same owner.
/// The incoming (taker) order's mode decides, as on Binance and Coinbase.
/// </summary>
public enum SelfTradePrevention : byte
{
    /// <summary>The incoming order's remainder is cancelled; the resting order stays.</summary>
    CancelNewest = 0,

    /// <summary>The resting order is cancelled and matching continues with the next one.</summary>
    CancelOldest = 1,

    /// <summary>Both the resting order and the incoming order's remainder are cancelled.</summary>
    CancelBoth = 2,
}

public enum MatchEventKind : byte
{
    /// <summary>A place command passed validation; matching starts.</summary>
    Accepted = 1,

    /// <summary>The order's remainder now rests on the book.</summary>
    Rested = 2,

    /// <summary>A trade between an incoming (taker) and a resting (maker) order.</summary>
    Trade = 3,

    /// <summary>An order (or an order's remainder) left the market without trading.</summary>
    Cancelled = 4,

    /// <summary>A command was refused; nothing changed.</summary>
    Rejected = 5,

    /// <summary>A stop or take-profit order now waits for its trigger (off the book, its size unchanged).</summary>
    Armed = 6,

    /// <summary>An armed order's trigger was reached: the order is matched now, as if just placed.</summary>
    Triggered = 7,

    /// <summary>A resting order's price or size changed.</summary>
    Amended = 8,
}

public enum CancelReason : byte
{
    None = 0,

    /// <summary>Cancelled by its owner (cancel or cancel-all).</summary>
    User = 1,

    /// <summary>Remainder of an immediate-or-cancel limit order.</summary>
    ImmediateOrCancelRemainder = 2,

    /// <summary>A fill-or-kill order the book could not fill completely; nothing traded.</summary>
    FillOrKillNotFillable = 3,

    /// <summary>Self-trade prevention (see <see cref="SelfTradePrevention"/>).</summary>
    SelfTrade = 4,

    /// <summary>A market order ran out of liquidity on the opposite side.</summary>
    MarketNoLiquidity = 5,

    /// <summary>What is left of a quote-budget market buy cannot pay for one lot at the best ask.</summary>
    QuoteBelowOneLot = 6,

    /// <summary>The other leg of its one-cancels-the-other pair traded, triggered or was cancelled.</summary>
    OcoPartner = 7,

    /// <summary>
    /// A market order (or a triggered stop-market) reached the edge of the price band: what is left would trade
    /// further from the reference price than the market allows (<see cref="MatchingEngine.PriceBandBps"/>).
    /// </summary>
    PriceBand = 8,
}

public enum RejectReason : byte
{
    None = 0,
    InvalidOrderId = 1,
    InvalidPrice = 2,
    InvalidQuantity = 3,

    /// <summary>
    /// A combination the engine does not support: market good-till-cancel, post-only that is not a
    /// good-till-cancel limit, a quote budget on a sell or on a fill-or-kill order.
    /// </summary>
    InvalidOrderType = 4,

    /// <summary>An order with this id is resting on the book.</summary>
    DuplicateOrderId = 5,

    /// <summary>Cancel of an order that is not on the book (never placed, already filled or cancelled).</summary>
    UnknownOrder = 6,

    /// <summary>Cancel of an order that belongs to someone else.</summary>
    NotOwner = 7,

    /// <summary>
    /// A post-only order that would take liquidity (its price reaches the opposite best price).
    /// Rejected rather than cancelled, like most exchanges: it never was on the book.
    /// </summary>
    PostOnlyWouldTake = 8,

    /// <summary>
    /// A stop or take-profit order whose trigger the last trade price has already reached: it would fire at
    /// once, which is a market (or limit) order in disguise, so it is refused as on Binance.
    /// </summary>
    WouldTriggerImmediately = 9,

    /// <summary>Amend of an order that is not a resting limit order (an armed stop, an order not on the book).</summary>
    NotAmendable = 10,

    /// <summary>An amend whose new price reaches the opposite best price: an amend never takes liquidity.</summary>
    AmendWouldCross = 11,
}
