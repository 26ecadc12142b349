using Coinage.Domain.Exchange;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Funding;

/// <summary>
/// An address of the user's withdrawal address book. A withdrawal names one of these; a new one is usable only
/// from <see cref="UsableFrom"/>, so whoever takes over a session cannot add their own address and empty the
/// account before the owner, told by email, can remove it. A withdrawal copies the address, so removing an entry
/// changes no withdrawal already requested.
/// </summary>
public sealed class WithdrawalAddressRecord
{
    public const int MaxLabelLength = 64;

    public long Id { get; set; }

    public long OwnerId { get; set; }

    public string Asset { get; set; } = "";

    /// <summary>The user's name for it ("Ledger Nano", "My bank").</summary>
    public string Label { get; set; } = "";

    /// <summary>Normalized as a withdrawal would be (lower-case ETH, IBAN without spaces), so a duplicate is found.</summary>
    public string Address { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Added time plus the hold in force then (<c>Coinage:Withdrawals:NewAddressHold</c>).</summary>
    public DateTimeOffset UsableFrom { get; set; }
}

internal sealed class WithdrawalAddressRecordConfiguration : IEntityTypeConfiguration<WithdrawalAddressRecord>
{
    public void Configure(EntityTypeBuilder<WithdrawalAddressRecord> builder)
    {
        builder.ToTable("withdrawal_addresses");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Asset).HasMaxLength(12);
        builder.Property(a => a.Label).HasMaxLength(WithdrawalAddressRecord.MaxLabelLength);
        builder.Property(a => a.Address).HasMaxLength(128);
        // One entry per destination: the same address twice would be two labels for one place.
        builder.HasIndex(a => new { a.OwnerId, a.Asset, a.Address }).IsUnique();
        builder.HasOne<Trader>().WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<AssetRecord>().WithMany().HasForeignKey(a => a.Asset).OnDelete(DeleteBehavior.Restrict);
    }
}
