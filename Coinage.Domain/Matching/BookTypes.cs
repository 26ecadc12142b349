namespace Coinage.Domain.Matching;

/// <summary>An order resting on the book, in engine units: enough to rebuild it exactly.</summary>
public readonly record struct RestingOrder(long OrderId, long Owner, Side Side, long Price, long Quantity);

/// <summary>One aggregated price level (L2).</summary>
public readonly record struct PriceLevel(long Price, long Quantity, int OrderCount);

/// <summary>The top of both sides, best price first.</summary>
public sealed record BookSnapshot(IReadOnlyList<PriceLevel> Bids, IReadOnlyList<PriceLevel> Asks);
