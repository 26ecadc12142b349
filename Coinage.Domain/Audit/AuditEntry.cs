using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Audit;

/// <summary>
/// One row of the append-only, hash-chained audit log: <see cref="Hash"/> is the SHA-256 of the
/// row's canonical content including <see cref="PreviousHash"/>, so editing, deleting or
/// inserting a row breaks every later link.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>1, 2, 3…: assigned under the chain's lock, so the order of the chain is the order of the rows.</summary>
    public long Sequence { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>e.g. <c>user.registered</c>, <c>auth.sign_in_failed</c>.</summary>
    public string Action { get; set; } = "";
    public Guid? ActorUserId { get; set; }
    public Guid? SubjectUserId { get; set; }
    /// <summary>
    /// The client's address: personal data, so it is not in the hash itself. The hash covers
    /// <see cref="IpDigest"/>, a salted commitment to it; erasure clears this and <see cref="IpSalt"/>
    /// (the one UPDATE the table's trigger allows) and the chain still verifies, while the digest
    /// alone cannot be matched against guessed addresses without the erased salt.
    /// </summary>
    public string? IpAddress { get; set; }

    /// <summary>SHA-256 (hex) of <see cref="IpSalt"/> and <see cref="IpAddress"/>; null when there was no address.</summary>
    public string? IpDigest { get; set; }

    /// <summary>128 random bits (hex), erased with the address.</summary>
    public string? IpSalt { get; set; }

    /// <summary>Details as JSON text (text, not jsonb: jsonb would re-format it and break the hash).</summary>
    public string Data { get; set; } = "{}";
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";

    /// <summary>The hash of the first row's predecessor.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string DigestIp(string salt, string ip) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(salt + "|" + ip)));

    /// <summary>False when an address is present but does not match its committed digest.</summary>
    public bool IpMatchesDigest() =>
        IpDigest is null || IpAddress is null || (IpSalt is not null && DigestIp(IpSalt, IpAddress) == IpDigest);

    public string ComputeHash()
    {
        var canonical = string.Join('\n',
            Sequence.ToString(CultureInfo.InvariantCulture),
            OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Action,
            ActorUserId?.ToString("D") ?? "",
            SubjectUserId?.ToString("D") ?? "",
            // Rows written before the digest existed hashed the address itself.
            IpDigest is null ? IpAddress ?? "" : "ip:" + IpDigest,
            Data,
            PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Action).HasMaxLength(64).IsRequired();
        builder.Property(e => e.IpAddress).HasMaxLength(64);
        builder.Property(e => e.IpDigest).HasMaxLength(64);
        builder.Property(e => e.IpSalt).HasMaxLength(32);
        builder.HasIndex(e => new { e.ActorUserId, e.Sequence });
        builder.Property(e => e.Data).IsRequired();
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Hash).HasMaxLength(64).IsRequired();
        builder.HasIndex(e => new { e.SubjectUserId, e.Sequence });
        builder.HasIndex(e => new { e.Action, e.Sequence });
        builder.HasIndex(e => e.OccurredAt);
    }
}
