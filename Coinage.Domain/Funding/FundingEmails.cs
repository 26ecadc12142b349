using System.Globalization;
using Coinage.Domain.Data;
using Coinage.Domain.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Funding;

/// <summary>
/// The emails that tell a user how their withdrawal ended, written to the outbox in the transaction that ends it
/// (<see cref="EmailOutbox"/>).
/// </summary>
public static class FundingEmails
{
    public const string WithdrawalCompleted = "email.withdrawal_completed";
    public const string WithdrawalReleased = "email.withdrawal_released";

    /// <summary>A withdrawal address was saved: when it becomes usable, and how to remove it if that was not the owner.</summary>
    public const string WithdrawalAddressAdded = "email.withdrawal_address_added";

    /// <summary>
    /// Queues the outcome email of <paramref name="withdrawal"/>: completed, rejected or expired. A cancel is the
    /// user's own act and gets none; an erased user (no address any more) gets none.
    /// </summary>
    public static async Task EnqueueOutcomeAsync(CoinageDbContext db, WithdrawalRecord withdrawal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(withdrawal);
        if (withdrawal.Status is not (WithdrawalStatus.Completed or WithdrawalStatus.Rejected or WithdrawalStatus.Expired))
        {
            return;
        }
        var user = await (from t in db.Traders.AsNoTracking()
                          join u in db.Users.AsNoTracking() on t.UserId equals u.Id
                          where t.OwnerId == withdrawal.OwnerId
                          select new { u.Id, u.Email, u.AntiPhishingPhrase }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (user?.Email is null)
        {
            return;
        }
        var type = withdrawal.Status == WithdrawalStatus.Completed ? WithdrawalCompleted : WithdrawalReleased;
        EmailOutbox.Enqueue(db, type, new EmailRecipient(user.Email, user.Id, user.AntiPhishingPhrase), now, new Dictionary<string, string?>
        {
            ["withdrawalId"] = withdrawal.Id.ToString(CultureInfo.InvariantCulture),
            ["asset"] = withdrawal.Asset,
            ["amount"] = FundingOperations.Format(withdrawal.Amount),
            ["address"] = withdrawal.Address,
            ["status"] = withdrawal.Status.ToString().ToLowerInvariant(),
            ["reason"] = withdrawal.Reason,
        });
    }
}
