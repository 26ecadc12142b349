using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Identity;

/// <summary>
/// One signed-in device: the <c>sid</c> of its access tokens. Its refresh tokens rotate on every
/// use (<see cref="RefreshToken"/>); presenting a consumed one revokes the whole session.
/// </summary>
public sealed class RefreshSession
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Absolute end: rotation never extends a session past it.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    public string Device { get; set; } = "";
    public string? IpAddress { get; set; }

    /// <summary>Authentication methods of the sign-in (<c>pwd</c>, <c>otp</c>, <c>rec</c>), for the <c>amr</c> claim.</summary>
    public string Amr { get; set; } = "pwd";
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>A refresh token, stored as its SHA-256 only.</summary>
public sealed class RefreshToken
{
    public string TokenHash { get; set; } = "";
    public Guid SessionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}

/// <summary>A one-time 2FA recovery code, stored as its SHA-256 only (the codes carry 60+ bits of randomness).</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string CodeHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>
/// What a user accepted or withdrew, which version, when, from where and in which flow: append-only,
/// the latest row per purpose is the user's current choice (see Coinage.Domain.Privacy.ConsentPurposes).
/// </summary>
public sealed class ConsentRecord
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary><c>terms</c>, <c>privacy</c>, <c>marketing</c> or <c>analytics</c>.</summary>
    public string Kind { get; set; } = "";
    public string Version { get; set; } = "";
    public bool Granted { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public string? IpAddress { get; set; }

    /// <summary><c>registration</c>, <c>settings</c> or <c>sign_in</c> (re-acceptance of new terms).</summary>
    public string Source { get; set; } = "registration";
}

internal sealed class RefreshSessionConfiguration : IEntityTypeConfiguration<RefreshSession>
{
    public void Configure(EntityTypeBuilder<RefreshSession> builder)
    {
        builder.ToTable("refresh_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Device).HasMaxLength(256).IsRequired();
        builder.Property(s => s.IpAddress).HasMaxLength(64);
        builder.Property(s => s.Amr).HasMaxLength(32).IsRequired();
        builder.Property(s => s.RevokedReason).HasMaxLength(64);
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => new { s.UserId, s.LastSeenAt });
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.ToTable("refresh_tokens");
        builder.HasKey(t => t.TokenHash);
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.HasOne<RefreshSession>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => t.SessionId);
    }
}

internal sealed class RecoveryCodeConfiguration : IEntityTypeConfiguration<RecoveryCode>
{
    public void Configure(EntityTypeBuilder<RecoveryCode> builder)
    {
        builder.ToTable("recovery_codes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.CodeHash).HasMaxLength(64).IsRequired();
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
    }
}

internal sealed class ConsentRecordConfiguration : IEntityTypeConfiguration<ConsentRecord>
{
    public void Configure(EntityTypeBuilder<ConsentRecord> builder)
    {
        builder.ToTable("consent_records");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Kind).HasMaxLength(32).IsRequired();
        builder.Property(c => c.Version).HasMaxLength(32).IsRequired();
        builder.Property(c => c.IpAddress).HasMaxLength(64);
        builder.Property(c => c.Source).HasMaxLength(32).IsRequired();
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.UserId);
    }
}
