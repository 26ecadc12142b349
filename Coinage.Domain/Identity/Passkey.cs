using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Identity;

/// <summary>
/// A WebAuthn credential (passkey) registered by a user: the public key the authenticator made for
/// Coinage, and what is needed to check its assertions (sign count, the user handle it was made for).
/// </summary>
public sealed class Passkey
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>The authenticator's credential id (at most 1023 bytes by the WebAuthn spec); unique across users.</summary>
    public byte[] CredentialId { get; set; } = [];

    /// <summary>The COSE public key, as the attestation carried it.</summary>
    public byte[] PublicKey { get; set; } = [];

    /// <summary>The WebAuthn user handle the credential was created for (the user's id, 16 bytes).</summary>
    public byte[] UserHandle { get; set; } = [];

    /// <summary>The authenticator's signature counter at the last accepted assertion (0 when it keeps none).</summary>
    public long SignCount { get; set; }

    /// <summary>Transports the browser reported (<c>internal</c>, <c>usb</c>, <c>hybrid</c>, …), space-separated: hints for the next ceremony.</summary>
    public string Transports { get; set; } = "";

    /// <summary>The authenticator model's AAGUID (zero for attestation "none" from many platforms).</summary>
    public Guid Aaguid { get; set; }

    /// <summary>Whether the credential may be synced to other devices (backup eligible) and is (backed up).</summary>
    public bool BackupEligible { get; set; }
    public bool BackedUp { get; set; }

    /// <summary>Chosen by the user ("Laptop", "Phone"); unique per user.</summary>
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}

internal sealed class PasskeyConfiguration : IEntityTypeConfiguration<Passkey>
{
    public void Configure(EntityTypeBuilder<Passkey> builder)
    {
        builder.ToTable("passkeys");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.CredentialId).HasMaxLength(1023).IsRequired();
        builder.Property(p => p.PublicKey).HasMaxLength(2048).IsRequired();
        builder.Property(p => p.UserHandle).HasMaxLength(64).IsRequired();
        builder.Property(p => p.Transports).HasMaxLength(128).IsRequired();
        builder.Property(p => p.Name).HasMaxLength(64).IsRequired();
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        // A credential belongs to one account: the same authenticator registering it twice is refused.
        builder.HasIndex(p => p.CredentialId).IsUnique();
        builder.HasIndex(p => new { p.UserId, p.Name }).IsUnique();
    }
}
