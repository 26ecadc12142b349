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
    public string? IpAddress { get; set; }

    /// <summary>Details as JSON text (text, not jsonb: jsonb would re-format it and break the hash).</summary>
    public string Data { get; set; } = "{}";
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";

    /// <summary>The hash of the first row's predecessor.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public string ComputeHash()
    {
        var canonical = string.Join('\n',
            Sequence.ToString(CultureInfo.InvariantCulture),
            OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            Action,
            ActorUserId?.ToString("D") ?? "",
            SubjectUserId?.ToString("D") ?? "",
            IpAddress ?? "",
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
        builder.Property(e => e.Data).IsRequired();
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsRequired();
        builder.Property(e => e.Hash).HasMaxLength(64).IsRequired();
        builder.HasIndex(e => new { e.SubjectUserId, e.Sequence });
        builder.HasIndex(e => new { e.Action, e.Sequence });
        builder.HasIndex(e => e.OccurredAt);
    }
}
