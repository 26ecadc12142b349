namespace Coinage.Domain.Matching;

/// <summary>
/// A place command in engine units. <see cref="OrderId"/> is assigned by the caller (the command
/// sequence), so ids grow with time; client order ids stay outside the engine.
/// Use the factory methods: they set the fields each order type needs.
/// </summary>
public readonly record struct PlaceOrder
{
    public long OrderId { get; init; }

    public long Owner { get; init; }

    public Side Side { get; init; }

    public OrderType Type { get; init; }

    public TimeInForce TimeInForce { get; init; }

    /// <summary>Limit price in ticks; 0 for market orders.</summary>
    public long Price { get; init; }

    /// <summary>Size in lots; 0 for a market buy sized by <see cref="QuoteBudget"/>.</summary>
    public long Quantity { get; init; }

    /// <summary>Market buy only: spend up to this many notional units (tick × lot) of quote.</summary>
    public long QuoteBudget { get; init; }

    public bool PostOnly { get; init; }

    public SelfTradePrevention SelfTradePrevention { get; init; }

    /// <summary>None for a plain order; Stop or TakeProfit arms the order until <see cref="TriggerPrice"/> trades.</summary>
    public TriggerType Trigger { get; init; }

    /// <summary>Trigger price in ticks; 0 for a plain order.</summary>
    public long TriggerPrice { get; init; }

    /// <summary>This order armed with a stop at <paramref name="triggerPrice"/>: stop-limit or stop-market.</summary>
    public PlaceOrder WithStop(long triggerPrice) => this with { Trigger = TriggerType.Stop, TriggerPrice = triggerPrice };

    /// <summary>This order armed with a take-profit trigger at <paramref name="triggerPrice"/>.</summary>
    public PlaceOrder WithTakeProfit(long triggerPrice) => this with { Trigger = TriggerType.TakeProfit, TriggerPrice = triggerPrice };

    public static PlaceOrder Limit(long orderId, long owner, Side side, long price, long quantity,
        TimeInForce timeInForce = TimeInForce.GoodTillCancel, bool postOnly = false,
        SelfTradePrevention selfTradePrevention = SelfTradePrevention.CancelNewest) => new()
        {
            OrderId = orderId,
            Owner = owner,
            Side = side,
            Type = OrderType.Limit,
            TimeInForce = timeInForce,
            Price = price,
            Quantity = quantity,
            PostOnly = postOnly,
            SelfTradePrevention = selfTradePrevention,
        };

    /// <summary>A market order sized in base lots (immediate-or-cancel, or fill-or-kill).</summary>
    public static PlaceOrder Market(long orderId, long owner, Side side, long quantity,
        TimeInForce timeInForce = TimeInForce.ImmediateOrCancel,
        SelfTradePrevention selfTradePrevention = SelfTradePrevention.CancelNewest) => new()
        {
            OrderId = orderId,
            Owner = owner,
            Side = side,
            Type = OrderType.Market,
            TimeInForce = timeInForce,
            Quantity = quantity,
            SelfTradePrevention = selfTradePrevention,
        };

    /// <summary>
    /// A market buy that spends up to <paramref name="quoteBudget"/> notional units, buying whole lots
    /// only: at each price it takes as many lots as the rest of the budget pays for, rounded down.
    /// </summary>
    public static PlaceOrder MarketBuyWithQuote(long orderId, long owner, long quoteBudget,
        SelfTradePrevention selfTradePrevention = SelfTradePrevention.CancelNewest) => new()
        {
            OrderId = orderId,
            Owner = owner,
            Side = Side.Buy,
            Type = OrderType.Market,
            TimeInForce = TimeInForce.ImmediateOrCancel,
            QuoteBudget = quoteBudget,
            SelfTradePrevention = selfTradePrevention,
        };
}
