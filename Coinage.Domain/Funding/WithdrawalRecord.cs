using Coinage.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Funding;

/// <summary>
/// Where a withdrawal is. The first three hold the funds (Available → Held at request time);
/// the last four are final and hold nothing.
/// </summary>
public enum WithdrawalStatus : byte
{
    /// <summary>Requested; waits for the link emailed to the user.</summary>
    AwaitingConfirmation = 0,

    /// <summary>Confirmed, at or below the approval threshold: the Worker sends it through the rail.</summary>
    Pending = 1,

    /// <summary>Confirmed, above the approval threshold: waits for an Admin.</summary>
    PendingApproval = 2,

    Completed = 3,
    Rejected = 4,
    Cancelled = 5,

    /// <summary>Not confirmed in time; released by the Worker.</summary>
    Expired = 6,
}

/// <summary>A withdrawal through the simulated rail. The <c>Idempotency-Key</c> makes a retry return the same row.</summary>
public sealed class WithdrawalRecord
{
    public long Id { get; set; }

    public long OwnerId { get; set; }

    public string IdempotencyKey { get; set; } = "";

    public string Asset { get; set; } = "";

    /// <summary>What the recipient gets.</summary>
    public decimal Amount { get; set; }

    /// <summary>
    /// The asset's withdrawal fee when it was requested, charged on top of <see cref="Amount"/>: held with it, booked to the
    /// Fees account on completion, released with it otherwise. Stored, so an Admin's later change never reprices it.
    /// </summary>
    public decimal Fee { get; set; }

    /// <summary>What the withdrawal holds while in flight, and what leaves the user's balance on completion.</summary>
    public decimal Total => Amount + Fee;

    public string Address { get; set; } = "";

    /// <summary>
    /// The address-book entry it was requested to (no foreign key: the entry may be removed later, and the
    /// withdrawal keeps its own copy of the address). Null for withdrawals from before the address book.
    /// </summary>
    public long? WithdrawalAddressId { get; set; }

    public WithdrawalStatus Status { get; set; }

    /// <summary>SHA-256 (hex) of the emailed confirmation token; cleared once used so it works once.</summary>
    public string? ConfirmationTokenHash { get; set; }

    public DateTimeOffset ConfirmationExpiresAt { get; set; }

    /// <summary>The Available → Held entry.</summary>
    public long? HoldEntryId { get; set; }

    /// <summary>The completion or release entry.</summary>
    public long? FinalEntryId { get; set; }

    /// <summary>Why an Admin approved or rejected it, or why it was released.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>True while the withdrawal holds its funds.</summary>
    public static bool HoldsFunds(WithdrawalStatus status) =>
        status is WithdrawalStatus.AwaitingConfirmation or WithdrawalStatus.Pending or WithdrawalStatus.PendingApproval;
}

internal sealed class WithdrawalRecordConfiguration : IEntityTypeConfiguration<WithdrawalRecord>
{
    public void Configure(EntityTypeBuilder<WithdrawalRecord> builder)
    {
        builder.ToTable("withdrawals");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.IdempotencyKey).HasMaxLength(128);
        builder.Property(w => w.Asset).HasMaxLength(12);
        builder.Property(w => w.Amount).HasPrecision(38, 18);
        builder.Property(w => w.Fee).HasPrecision(38, 18);
        builder.Ignore(w => w.Total);
        builder.ToTable(t => t.HasCheckConstraint("ck_withdrawals_fee_not_negative", "fee >= 0"));
        builder.Property(w => w.Address).HasMaxLength(128);
        builder.Property(w => w.ConfirmationTokenHash).HasMaxLength(64);
        builder.Property(w => w.Reason).HasMaxLength(500);
        builder.HasIndex(w => new { w.OwnerId, w.IdempotencyKey }).IsUnique();
        // The user's list pages newest first.
        builder.HasIndex(w => new { w.OwnerId, w.Id });
        builder.HasIndex(w => w.ConfirmationTokenHash).IsUnique().HasFilter("confirmation_token_hash IS NOT NULL");
        // The Worker and the Admin list scan only the withdrawals still in flight.
        builder.HasIndex(w => new { w.Status, w.Id }).HasFilter("status IN (0, 1, 2)");
        builder.HasOne<Trader>().WithMany().HasForeignKey(w => w.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(w => w.Asset).OnDelete(DeleteBehavior.Restrict);
    }
}
