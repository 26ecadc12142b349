using Coinage.Domain.Data;
using Coinage.Domain.Funding;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Privacy;

/// <summary>
/// Whether a user's data may be erased now: never while the exchange still owes them something or
/// they still have something in flight, because erasing would leave funds nobody can claim.
/// </summary>
public static class ErasureEligibility
{
    public const string FundsRemaining = "funds_remaining";
    public const string OpenOrders = "open_orders";
    public const string PendingWithdrawals = "pending_withdrawals";

    /// <summary>Null when erasure may proceed, else the stable reason code.</summary>
    public static async Task<string?> CheckAsync(CoinageDbContext db, Guid userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var owner = await db.Traders.Where(t => t.UserId == userId).Select(t => (long?)t.OwnerId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return null; // Never traded nor deposited: no balances, no orders.
        }
        var openOrders = await db.Orders.AnyAsync(o => o.OwnerId == owner
            && (o.Status == OrderStatus.Pending || o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Untriggered), cancellationToken).ConfigureAwait(false);
        if (openOrders)
        {
            return OpenOrders;
        }
        var withdrawing = await db.Withdrawals.AnyAsync(w => w.OwnerId == owner
            && (w.Status == WithdrawalStatus.AwaitingConfirmation || w.Status == WithdrawalStatus.Pending || w.Status == WithdrawalStatus.PendingApproval), cancellationToken).ConfigureAwait(false);
        // Held funds are explained by open orders or withdrawals in flight; anything else held is still funds.
        var held = await db.Balances.AnyAsync(b => b.OwnerId == owner && b.Kind == AccountKind.Held && b.Amount != 0, cancellationToken).ConfigureAwait(false);
        if (withdrawing)
        {
            return PendingWithdrawals;
        }
        if (held)
        {
            return FundsRemaining;
        }
        var available = await db.Balances.AnyAsync(b => b.OwnerId == owner && b.Kind == AccountKind.Available && b.Amount != 0, cancellationToken).ConfigureAwait(false);
        return available ? FundsRemaining : null;
    }

    public static string Describe(string code) => code switch
    {
        FundsRemaining => "Withdraw every balance first: the account still holds funds.",
        OpenOrders => "Cancel your open orders first.",
        PendingWithdrawals => "Wait until your pending withdrawals complete.",
        _ => code,
    };
}
