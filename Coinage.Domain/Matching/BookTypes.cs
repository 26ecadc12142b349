namespace Coinage.Domain.Matching;

/// <summary>An order resting on the book, in engine units: enough to rebuild it exactly.</summary>
public readonly record struct RestingOrder(long OrderId, long Owner, Side Side, long Price, long Quantity)
{
    /// <summary>The armed stop leg of this order's one-cancels-the-other pair; 0 when it has none.</summary>
    public long OcoPartner { get; init; }
}

/// <summary>A stop or take-profit order waiting for its trigger, and the resting limit leg of its OCO pair (0 if none).</summary>
public readonly record struct ArmedOrder(PlaceOrder Order, long OcoPartner);

/// <summary>One aggregated price level (L2).</summary>
public readonly record struct PriceLevel(long Price, long Quantity, int OrderCount);

/// <summary>The top of both sides, best price first.</summary>
public sealed record BookSnapshot(IReadOnlyList<PriceLevel> Bids, IReadOnlyList<PriceLevel> Asks);
