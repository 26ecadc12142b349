using Coinage.Domain.Ledger;
using Coinage.Domain.Matching;

namespace Coinage.Domain.Exchange;

/// <summary>
/// The names orders carry outside the process, the same everywhere: the orders API, the real-time events,
/// the search documents and the audit log.
/// </summary>
public static class OrderNames
{
    public static string Side(Side side) => side == Matching.Side.Buy ? "buy" : "sell";

    public static string Status(OrderStatus status) => status switch
    {
        OrderStatus.Pending => "pending",
        OrderStatus.Open => "open",
        OrderStatus.PartiallyFilled => "partially_filled",
        OrderStatus.Filled => "filled",
        OrderStatus.Cancelled => "cancelled",
        OrderStatus.Untriggered => "untriggered",
        _ => "rejected",
    };

    /// <summary>
    /// An order's type as the API names it: <c>limit</c>, <c>market</c>, <c>stop_limit</c>, <c>stop_market</c>,
    /// <c>take_profit_limit</c> or <c>take_profit_market</c>.
    /// </summary>
    public static string Type(OrderType type, TriggerType trigger) => (trigger, type) switch
    {
        (TriggerType.Stop, OrderType.Limit) => "stop_limit",
        (TriggerType.Stop, _) => "stop_market",
        (TriggerType.TakeProfit, OrderType.Limit) => "take_profit_limit",
        (TriggerType.TakeProfit, _) => "take_profit_market",
        (_, OrderType.Limit) => "limit",
        _ => "market",
    };

    /// <summary>Every name <see cref="Type"/> gives.</summary>
    public static readonly IReadOnlyList<string> Types = ["limit", "market", "stop_limit", "stop_market", "take_profit_limit", "take_profit_market"];

    /// <summary>Why a cancelled or rejected order ended, or null when it did not (or nothing was recorded).</summary>
    public static string? CloseReason(OrderCloseReason reason) => reason switch
    {
        OrderCloseReason.User => "user",
        OrderCloseReason.ImmediateOrCancel => "immediate_or_cancel",
        OrderCloseReason.FillOrKill => "fill_or_kill",
        OrderCloseReason.SelfTrade => "self_trade_prevention",
        OrderCloseReason.NoLiquidity => "no_liquidity",
        OrderCloseReason.BelowOneLot => "below_one_lot",
        OrderCloseReason.PostOnlyWouldTake => "post_only_would_take",
        OrderCloseReason.InvalidOrder => "invalid_order",
        OrderCloseReason.ProcessingFailed => "processing_failed",
        OrderCloseReason.OcoPartner => "oco_partner",
        OrderCloseReason.WouldTriggerImmediately => "would_trigger_immediately",
        OrderCloseReason.PriceBand => "price_band",
        _ => null,
    };

    /// <summary>Why the matching host refused an order's last amend, as the API names it; null when it did not.</summary>
    public static string? AmendRejection(AmendRejection reason) => reason switch
    {
        Exchange.AmendRejection.WouldCross => "amend_would_cross",
        Exchange.AmendRejection.NotAmendable => "not_amendable",
        Exchange.AmendRejection.InvalidQuantity => "invalid_quantity",
        Exchange.AmendRejection.InsufficientFunds => "insufficient_funds",
        Exchange.AmendRejection.ProcessingFailed => "processing_failed",
        _ => null,
    };

    /// <summary>An id as the API writes it (a string), or null.</summary>
    public static string? Id(long? id) => id?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every name <see cref="Status"/> gives, in status order.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["pending", "open", "partially_filled", "filled", "cancelled", "rejected", "untriggered"];
}
