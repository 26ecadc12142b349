namespace Coinage.Domain.Matching;

/// <summary>
/// One outcome of a command. A single flat value type for every kind, so the engine writes events
/// into a reusable array without allocating. Which fields are set depends on <see cref="Kind"/>:
/// <list type="bullet">
/// <item><b>Accepted</b>: OrderId, Owner, Side, Price (0 for market), Quantity (0 for a quote-budget buy), QuoteAmount (the budget).</item>
/// <item><b>Rested</b>: OrderId, Owner, Side, Price, Quantity = the remainder now on the book.</item>
/// <item><b>Trade</b>: OrderId/Owner/Side = the taker, MakerOrderId/MakerOwner, Price = the maker's price,
/// Quantity = lots traded, MakerRemaining = what is left of the maker (0 = filled and gone).</item>
/// <item><b>Cancelled</b>: OrderId, Owner, Side, Price, Quantity = lots that will never trade,
/// QuoteAmount = unspent budget of a quote-budget buy, CancelReason.</item>
/// <item><b>Rejected</b>: OrderId, Owner, Side (of a place), RejectReason.</item>
/// <item><b>Armed</b> (after Accepted) and <b>Triggered</b> (later, followed by the order's matching events as for a
/// new order, without a second Accepted): OrderId, Owner, Side, Price = the trigger price, Quantity, QuoteAmount.</item>
/// <item><b>Amended</b>: OrderId, Owner, Side, Price = the new price, Quantity = the new remainder,
/// MakerRemaining = the remainder before the amend.</item>
/// </list>
/// Per order, Accepted.Quantity + Σ amended (Quantity − MakerRemaining) = Σ traded + resting or armed remainder
/// + cancelled Quantity; a taker that trades its full size has no closing event.
/// </summary>
public readonly record struct MatchEvent
{
    public MatchEventKind Kind { get; init; }

    public Side Side { get; init; }

    public CancelReason CancelReason { get; init; }

    public RejectReason RejectReason { get; init; }

    public long OrderId { get; init; }

    public long Owner { get; init; }

    public long Price { get; init; }

    public long Quantity { get; init; }

    public long QuoteAmount { get; init; }

    public long MakerOrderId { get; init; }

    public long MakerOwner { get; init; }

    public long MakerRemaining { get; init; }

    public override string ToString() => Kind switch
    {
        MatchEventKind.Accepted => $"Accepted #{OrderId} owner {Owner} {Side} {Quantity}@{Price} quote {QuoteAmount}",
        MatchEventKind.Rested => $"Rested #{OrderId} owner {Owner} {Side} {Quantity}@{Price}",
        MatchEventKind.Trade => $"Trade taker #{OrderId} (owner {Owner}, {Side}) maker #{MakerOrderId} (owner {MakerOwner}) {Quantity}@{Price} maker left {MakerRemaining}",
        MatchEventKind.Cancelled => $"Cancelled #{OrderId} owner {Owner} {Side} {Quantity}@{Price} quote {QuoteAmount} ({CancelReason})",
        MatchEventKind.Rejected => $"Rejected #{OrderId} owner {Owner} {Side} ({RejectReason})",
        MatchEventKind.Armed or MatchEventKind.Triggered => $"{Kind} #{OrderId} owner {Owner} {Side} {Quantity} quote {QuoteAmount} trigger {Price}",
        MatchEventKind.Amended => $"Amended #{OrderId} owner {Owner} {Side} {MakerRemaining} -> {Quantity}@{Price}",
        _ => $"{Kind} #{OrderId}",
    };
}
