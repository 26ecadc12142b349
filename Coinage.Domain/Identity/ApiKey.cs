using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Identity;

/// <summary>
/// A key a program signs its requests with (docs/api-keys.md): a public id, a secret known to the
/// program and, encrypted, to us (HMAC verification needs the secret itself), what it may do and from where.
/// </summary>
public sealed class ApiKey
{
    /// <summary><c>ck_</c> and 20 base32 characters (100 random bits): public, sent with every request.</summary>
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }

    /// <summary>Chosen by the user ("market maker", "tax export").</summary>
    public string Name { get; set; } = "";

    /// <summary><c>read</c>, <c>trade</c>, <c>withdraw</c>.</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>CIDR blocks the key answers from (normalized, e.g. <c>203.0.113.7/32</c>); empty: any address.</summary>
    public string[] IpAllowList { get; set; } = [];

    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Coalesced: written at most once a minute per key, not on every request.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The secret, protected with ASP.NET Core Data Protection; erased when the key is revoked.</summary>
    public string? ProtectedSecret { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(32);
        builder.Property(k => k.Name).HasMaxLength(64).IsRequired();
        builder.Property(k => k.Scopes).IsRequired();
        builder.Property(k => k.IpAllowList).IsRequired();
        builder.Property(k => k.ProtectedSecret).HasMaxLength(1024);
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(k => new { k.UserId, k.CreatedAt });
    }
}
