using System.Globalization;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Coinage.Domain.Funding;

/// <summary>
/// <c>Coinage:Wallet</c>: when the simulated rail moves money without a person looking at it.
/// An asset missing from a threshold map always waits for an Admin: a newly added asset is never
/// paid out unattended by accident.
/// </summary>
public sealed class FundingOptions
{
    public const string Section = "Coinage:Wallet";

    /// <summary>Pending deposits at or below this amount (per asset) are confirmed by the Worker; larger ones wait for an Admin.</summary>
    public Dictionary<string, decimal> DepositApprovalThresholds { get; set; } = new(StringComparer.Ordinal) { ["USD"] = 100_000m, ["BTC"] = 2m, ["ETH"] = 30m };

    /// <summary>
    /// Confirmed withdrawals whose amount plus fee (what leaves the trader's balance) is at or below this are completed by
    /// the Worker; larger ones become pending_approval. Judged on the total, not the amount, so a withdrawal sized just
    /// under the threshold still goes to review when its fee takes it over.
    /// </summary>
    public Dictionary<string, decimal> WithdrawalApprovalThresholds { get; set; } = new(StringComparer.Ordinal) { ["USD"] = 50_000m, ["BTC"] = 1m, ["ETH"] = 15m };

    /// <summary>How long the emailed confirmation link works; an unconfirmed withdrawal is then expired and its funds released.</summary>
    public TimeSpan WithdrawalConfirmationWindow { get; set; } = TimeSpan.FromMinutes(30);

    public static bool WithinThreshold(IReadOnlyDictionary<string, decimal> thresholds, string asset, decimal amount)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        return thresholds.TryGetValue(asset, out var limit) && amount <= limit;
    }
}

/// <summary>
/// The state changes of deposits and withdrawals after they were requested, shared by the Worker
/// (unattended) and the Admin endpoints. Each runs in the caller's transaction on a row the caller
/// locked (<see cref="LockDepositAsync"/>, <see cref="LockWithdrawalAsync"/>) and checked the status
/// of; it posts the ledger entry, updates the row and appends the audit entry, so the three commit together.
/// </summary>
public static class FundingOperations
{
    public static Task<DepositRecord?> LockDepositAsync(CoinageDbContext db, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Deposits.FromSql($"SELECT * FROM deposits WHERE id = {id} FOR UPDATE").AsTracking().FirstOrDefaultAsync(cancellationToken);
    }

    public static Task<WithdrawalRecord?> LockWithdrawalAsync(CoinageDbContext db, long id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Withdrawals.FromSql($"SELECT * FROM withdrawals WHERE id = {id} FOR UPDATE").AsTracking().FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Pending → confirmed: External → Available.</summary>
    public static async Task ConfirmDepositAsync(CoinageDbContext db, DepositRecord deposit, IReadOnlyDictionary<string, Asset> assets,
        Actor actor, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(deposit);
        ArgumentNullException.ThrowIfNull(assets);
        Require(deposit.Status == DepositStatus.Pending, $"deposit {deposit.Id} is {deposit.Status}");
        var entries = await LedgerStore.PostAsync(db, [LedgerOperations.Deposit(deposit.Id, deposit.OwnerId, assets[deposit.Asset], deposit.Amount)], assets, now, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        deposit.Status = DepositStatus.Confirmed;
        deposit.CompletedAt = now;
        deposit.JournalEntryId = entries[0].Id;
        deposit.Reason = reason;
        await AuditAsync(db, "wallet.deposit_confirmed", deposit.OwnerId, actor, now,
            new { depositId = deposit.Id, asset = deposit.Asset, amount = Format(deposit.Amount), by = actor.Name, reason }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pending → rejected: nothing was credited, so nothing is posted.</summary>
    public static async Task RejectDepositAsync(CoinageDbContext db, DepositRecord deposit, Actor actor, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(deposit);
        Require(deposit.Status == DepositStatus.Pending, $"deposit {deposit.Id} is {deposit.Status}");
        deposit.Status = DepositStatus.Rejected;
        deposit.CompletedAt = now;
        deposit.Reason = reason;
        await AuditAsync(db, "wallet.deposit_rejected", deposit.OwnerId, actor, now,
            new { depositId = deposit.Id, asset = deposit.Asset, amount = Format(deposit.Amount), by = actor.Name, reason }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pending or pending_approval → completed: Held → External (the amount) and Fees (the fee stored at request), one entry.</summary>
    public static async Task CompleteWithdrawalAsync(CoinageDbContext db, WithdrawalRecord withdrawal, IReadOnlyDictionary<string, Asset> assets,
        Actor actor, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(withdrawal);
        ArgumentNullException.ThrowIfNull(assets);
        Require(withdrawal.Status is WithdrawalStatus.Pending or WithdrawalStatus.PendingApproval, $"withdrawal {withdrawal.Id} is {withdrawal.Status}");
        var entries = await LedgerStore.PostAsync(db,
            [LedgerOperations.CompleteWithdrawal(withdrawal.Id, withdrawal.OwnerId, assets[withdrawal.Asset], withdrawal.Amount, withdrawal.Fee)], assets, now, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        withdrawal.Status = WithdrawalStatus.Completed;
        withdrawal.CompletedAt = now;
        withdrawal.FinalEntryId = entries[0].Id;
        withdrawal.Reason = reason ?? withdrawal.Reason;
        await AuditAsync(db, "wallet.withdrawal_completed", withdrawal.OwnerId, actor, now,
            new { withdrawalId = withdrawal.Id, asset = withdrawal.Asset, amount = Format(withdrawal.Amount), fee = Format(withdrawal.Fee), address = withdrawal.Address, by = actor.Name, reason }, cancellationToken).ConfigureAwait(false);
        await FundingEmails.EnqueueOutcomeAsync(db, withdrawal, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any status that holds funds → rejected, cancelled or expired: Held → Available, the whole hold (amount and fee).</summary>
    public static async Task ReleaseWithdrawalAsync(CoinageDbContext db, WithdrawalRecord withdrawal, WithdrawalStatus outcome, IReadOnlyDictionary<string, Asset> assets,
        Actor actor, string? reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(withdrawal);
        ArgumentNullException.ThrowIfNull(assets);
        Require(outcome is WithdrawalStatus.Rejected or WithdrawalStatus.Cancelled or WithdrawalStatus.Expired, $"{outcome} is not a release");
        Require(WithdrawalRecord.HoldsFunds(withdrawal.Status), $"withdrawal {withdrawal.Id} is {withdrawal.Status}");
        var entries = await LedgerStore.PostAsync(db,
            [LedgerOperations.RejectWithdrawal(withdrawal.Id, withdrawal.OwnerId, assets[withdrawal.Asset], withdrawal.Amount, withdrawal.Fee)], assets, now, cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        withdrawal.Status = outcome;
        withdrawal.CompletedAt = now;
        withdrawal.FinalEntryId = entries[0].Id;
        withdrawal.ConfirmationTokenHash = null;
        withdrawal.Reason = reason;
        await AuditAsync(db, "wallet.withdrawal_" + outcome.ToString().ToLowerInvariant(), withdrawal.OwnerId, actor, now,
            new { withdrawalId = withdrawal.Id, asset = withdrawal.Asset, amount = Format(withdrawal.Amount), fee = Format(withdrawal.Fee), by = actor.Name, reason }, cancellationToken).ConfigureAwait(false);
        await FundingEmails.EnqueueOutcomeAsync(db, withdrawal, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The audit entry of a funding change; the subject is the owner's user.</summary>
    public static async Task AuditAsync(CoinageDbContext db, string action, long ownerId, Actor actor, DateTimeOffset now, object data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        var subject = await db.Traders.AsNoTracking().Where(t => t.OwnerId == ownerId).Select(t => (Guid?)t.UserId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        await AuditLog.AppendAsync(db, action, now, actor.UserId, subject, actor.Ip, data, cancellationToken).ConfigureAwait(false);
    }

    public static string Format(decimal value) => value.ToString("0.##################", CultureInfo.InvariantCulture);

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            // Callers check the status under the row lock and answer the user; reaching here is a bug.
            throw new InvalidOperationException($"Funding state error: {what}.");
        }
    }
}

/// <summary>Who made a funding change: a user or an Admin (with the request's IP), or the Worker.</summary>
public sealed record Actor(Guid? UserId, string? Ip, string Name)
{
    public static readonly Actor Worker = new(null, null, "worker");

    public static Actor User(Guid userId, string? ip) => new(userId, ip, "user");

    public static Actor Admin(Guid userId, string? ip) => new(userId, ip, "admin");
}
