using Coinage.Domain.Matching;

namespace Coinage.Domain.Tests.Matching;

/// <summary>
/// Drives an engine one command at a time and checks the invariants after every command: the
/// engine's own structure, an uncrossed book, and per-order conservation through <see cref="OrderLedger"/>.
/// </summary>
internal sealed class EngineHarness
{
    private readonly MatchEventBuffer _buffer = new(4);

    public EngineHarness(MarketSpec? spec = null) => Engine = new MatchingEngine(spec ?? Spec);

    public static MarketSpec Spec { get; } = new("BTC-USD", tickSize: 0.01m, lotSize: 0.001m, maxPriceTicks: 1_000_000, maxQuantityLots: 1_000_000);

    public MatchingEngine Engine { get; }

    public OrderLedger Ledger { get; } = new();

    public MatchEvent[] Place(PlaceOrder order) => Run(() => Engine.Place(order, _buffer));

    public MatchEvent[] Limit(long id, long owner, Side side, long price, long quantity,
        TimeInForce tif = TimeInForce.GoodTillCancel, bool postOnly = false,
        SelfTradePrevention stp = SelfTradePrevention.CancelNewest) =>
        Place(PlaceOrder.Limit(id, owner, side, price, quantity, tif, postOnly, stp));

    public MatchEvent[] Cancel(long id, long owner) => Run(() => Engine.Cancel(id, owner, _buffer));

    public MatchEvent[] CancelAll(long owner) => Run(() => Engine.CancelAll(owner, _buffer));

    public MatchEvent[] PlaceOco(PlaceOrder limit, PlaceOrder stop) => Run(() => Engine.PlaceOco(limit, stop, _buffer));

    public MatchEvent[] Amend(long id, long owner, long price, long quantity) => Run(() => Engine.Amend(id, owner, price, quantity, _buffer));

    public void AssertInvariants()
    {
        Engine.VerifyIntegrity();
        if (Engine.BestBid is { } bid && Engine.BestAsk is { } ask)
        {
            Assert.True(bid < ask, $"book crossed: bid {bid} >= ask {ask}");
        }

        Ledger.AssertConserved(Engine);
    }

    public RestingOrder[] Orders(Side side) => [.. Engine.GetRestingOrders(side)];

    private MatchEvent[] Run(Action command)
    {
        _buffer.Clear();
        command();
        var events = _buffer.Events.ToArray();
        Ledger.Apply(events);
        AssertInvariants();
        return events;
    }
}

/// <summary>Expected events, written the way the engine documents them.</summary>
internal static class Ev
{
    public static MatchEvent Accepted(long id, long owner, Side side, long price, long quantity, long quote = 0) =>
        new() { Kind = MatchEventKind.Accepted, OrderId = id, Owner = owner, Side = side, Price = price, Quantity = quantity, QuoteAmount = quote };

    public static MatchEvent Rested(long id, long owner, Side side, long price, long quantity) =>
        new() { Kind = MatchEventKind.Rested, OrderId = id, Owner = owner, Side = side, Price = price, Quantity = quantity };

    public static MatchEvent Trade(long taker, long takerOwner, Side takerSide, long maker, long makerOwner, long price, long quantity, long makerRemaining) =>
        new()
        {
            Kind = MatchEventKind.Trade, OrderId = taker, Owner = takerOwner, Side = takerSide, MakerOrderId = maker,
            MakerOwner = makerOwner, Price = price, Quantity = quantity, MakerRemaining = makerRemaining,
        };

    public static MatchEvent Cancelled(long id, long owner, Side side, long price, long quantity, CancelReason reason, long quote = 0) =>
        new() { Kind = MatchEventKind.Cancelled, OrderId = id, Owner = owner, Side = side, Price = price, Quantity = quantity, QuoteAmount = quote, CancelReason = reason };

    public static MatchEvent Armed(PlaceOrder o) =>
        new() { Kind = MatchEventKind.Armed, OrderId = o.OrderId, Owner = o.Owner, Side = o.Side, Price = o.TriggerPrice, Quantity = o.Quantity, QuoteAmount = o.QuoteBudget };

    public static MatchEvent Triggered(PlaceOrder o) => Armed(o) with { Kind = MatchEventKind.Triggered };

    public static MatchEvent Amended(long id, long owner, Side side, long price, long quantity, long previous) =>
        new() { Kind = MatchEventKind.Amended, OrderId = id, Owner = owner, Side = side, Price = price, Quantity = quantity, MakerRemaining = previous };

    public static MatchEvent Rejected(long id, long owner, Side side, RejectReason reason) =>
        new() { Kind = MatchEventKind.Rejected, OrderId = id, Owner = owner, Side = side, RejectReason = reason };
}
