using Coinage.Domain.Matching;

namespace Coinage.Domain.Ledger;

/// <summary>An order ready to be stored as Pending, and the entry that holds its funds (same transaction).</summary>
public sealed record OrderPlacement(OrderLedgerState Order, JournalEntry Hold);

/// <summary>
/// The journal entries of everything that moves money outside matching. Each validates its amount
/// as an edge value (positive, within the asset's precision, bounded). Whether the user has the
/// funds is the caller's check, under the account row lock, before it posts the entry.
/// </summary>
public static class LedgerOperations
{
    /// <summary>External → Available.</summary>
    public static JournalEntry Deposit(long depositId, long owner, Asset asset, decimal amount) =>
        Move(JournalEntryKind.Deposit, depositId, AccountId.External(asset), AccountId.Available(owner, asset), asset, amount);

    /// <summary>
    /// Available → Held: the amount to send and the withdrawal fee, until the withdrawal is completed or released.
    /// The fee is on top of the amount (the recipient gets <paramref name="amount"/>), as exchanges charge it.
    /// </summary>
    public static JournalEntry RequestWithdrawal(long withdrawalId, long owner, Asset asset, decimal amount, decimal fee = 0m) =>
        Move(JournalEntryKind.WithdrawalRequest, withdrawalId, AccountId.Available(owner, asset), AccountId.Held(owner, asset), asset, WithdrawalHold(asset, amount, fee));

    /// <summary>
    /// Held → External for the amount (it has left the exchange) and Held → Fees for the fee, in one entry, so the
    /// withdrawal and its fee are booked together or not at all. The user's Held posting is the whole hold.
    /// </summary>
    public static JournalEntry CompleteWithdrawal(long withdrawalId, long owner, Asset asset, decimal amount, decimal fee = 0m)
    {
        var hold = WithdrawalHold(asset, amount, fee);
        List<Posting> postings = [new(AccountId.Held(owner, asset), -hold), new(AccountId.External(asset), amount)];
        if (fee > 0)
        {
            postings.Add(new(AccountId.Fees(asset), fee));
        }
        return new JournalEntry(JournalEntryKind.WithdrawalCompletion, withdrawalId, postings);
    }

    /// <summary>Held → Available: the withdrawal was refused, cancelled or expired; the fee is released with the amount.</summary>
    public static JournalEntry RejectWithdrawal(long withdrawalId, long owner, Asset asset, decimal amount, decimal fee = 0m) =>
        Move(JournalEntryKind.WithdrawalRejection, withdrawalId, AccountId.Held(owner, asset), AccountId.Available(owner, asset), asset, WithdrawalHold(asset, amount, fee));

    /// <summary>What a withdrawal holds: its amount (an edge amount) plus its fee (zero or more, on the asset's grid).</summary>
    public static decimal WithdrawalHold(Asset asset, decimal amount, decimal fee)
    {
        ArgumentNullException.ThrowIfNull(asset);
        asset.ValidateAmount(amount);
        if (fee < 0 || !asset.IsOnGrid(fee))
        {
            throw new ArgumentOutOfRangeException(nameof(fee), fee, $"A {asset.Code} withdrawal fee is zero or more, with at most {asset.Precision} decimals.");
        }
        return asset.ValidateAmount(amount + fee);
    }

    /// <summary>Available → Held for a new order (see <see cref="OrderLedgerState.RequiredHold"/> for the amount).</summary>
    public static OrderPlacement PlaceOrder(SpotMarket market, in PlaceOrder order)
    {
        var pending = OrderLedgerState.Pending(market, order);
        var asset = pending.HoldAsset;
        if (pending.OriginalHold > Asset.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(order), pending.OriginalHold,
                $"The order would hold {pending.OriginalHold} {asset}, more than {Asset.MaxAmount}.");
        }

        var hold = JournalEntry.Move(JournalEntryKind.OrderHold, order.OrderId,
            AccountId.Available(order.Owner, asset), AccountId.Held(order.Owner, asset), pending.OriginalHold);
        return new OrderPlacement(pending, hold);
    }

    /// <summary>
    /// Available → Held for a one-cancels-the-other pair: ONE hold, the larger of the two legs' needs, not their sum,
    /// because at most one leg ever trades (the first to trade, fire or be cancelled cancels the other). The limit leg
    /// carries it (its hold covers at least its own need, so its fills settle as usual and the excess is released at
    /// its first trade); the stop leg holds nothing until it fires, when settlement hands it the pair's hold
    /// (<see cref="SettlementCalculator"/>, the limit leg's <see cref="Matching.CancelReason.OcoPartner"/> cancel).
    /// </summary>
    public static (OrderLedgerState Limit, OrderLedgerState Stop, JournalEntry Hold) PlaceOco(SpotMarket market, in PlaceOrder limit, in PlaceOrder stop)
    {
        var limitLeg = OrderLedgerState.Pending(market, limit);
        var stopLeg = OrderLedgerState.Pending(market, stop);
        if (limitLeg.Owner != stopLeg.Owner || limitLeg.Side != stopLeg.Side)
        {
            throw new ArgumentException("Both legs of an OCO pair have the same owner and side.", nameof(stop));
        }

        var pairHold = Math.Max(limitLeg.OriginalHold, stopLeg.OriginalHold);
        if (pairHold > Asset.MaxAmount)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), pairHold, $"The pair would hold {pairHold} {limitLeg.HoldAsset}, more than {Asset.MaxAmount}.");
        }

        var hold = JournalEntry.Move(JournalEntryKind.OrderHold, limit.OrderId,
            AccountId.Available(limit.Owner, limitLeg.HoldAsset), AccountId.Held(limit.Owner, limitLeg.HoldAsset), pairHold);
        return (limitLeg with { OriginalHold = pairHold, RemainingHold = pairHold, OcoPartner = stop.OrderId },
            stopLeg with { OriginalHold = 0, RemainingHold = 0, OcoPartner = limit.OrderId }, hold);
    }

    /// <summary>
    /// Available → Held for the extra an amend needs (a larger size or a higher buy price), taken when the amend is
    /// accepted; null when the amended order needs no more than it holds.
    /// </summary>
    public static JournalEntry? AmendHold(OrderLedgerState order, decimal extra)
    {
        ArgumentNullException.ThrowIfNull(order);
        return extra <= 0 ? null : JournalEntry.Move(JournalEntryKind.OrderHold, order.OrderId,
            AccountId.Available(order.Owner, order.HoldAsset), AccountId.Held(order.Owner, order.HoldAsset), extra);
    }

    /// <summary>Held → Available of the extra hold of an amend the matching host refused (the order may be gone by then).</summary>
    public static JournalEntry ReleaseHold(long orderId, long owner, Asset asset, decimal amount) =>
        JournalEntry.Move(JournalEntryKind.HoldRelease, orderId, AccountId.Held(owner, asset), AccountId.Available(owner, asset), amount);

    /// <summary>Held → Available for an order's funds it no longer needs.</summary>
    public static JournalEntry ReleaseHold(OrderLedgerState order, decimal amount)
    {
        ArgumentNullException.ThrowIfNull(order);
        return JournalEntry.Move(JournalEntryKind.HoldRelease, order.OrderId,
            AccountId.Held(order.Owner, order.HoldAsset), AccountId.Available(order.Owner, order.HoldAsset), amount);
    }

    private static JournalEntry Move(JournalEntryKind kind, long referenceId, AccountId from, AccountId to, Asset asset, decimal amount) =>
        JournalEntry.Move(kind, referenceId, from, to, asset.ValidateAmount(amount));
}
