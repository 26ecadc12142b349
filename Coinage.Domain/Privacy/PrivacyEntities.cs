using Coinage.Domain.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Privacy;

/// <summary>What a <see cref="ConsentRecord"/> is about.</summary>
public static class ConsentPurposes
{
    public const string Terms = "terms";
    public const string Privacy = "privacy";
    public const string Marketing = "marketing";
    public const string Analytics = "analytics";

    public static readonly IReadOnlyList<string> All = [Terms, Privacy, Marketing, Analytics];

    /// <summary>Accepting these is a condition of having an account: they cannot be withdrawn, only the account erased.</summary>
    public static bool IsRequired(string purpose) => purpose is Terms or Privacy;
}

/// <summary>Where a consent was given: the history says not only what and when, but in which flow.</summary>
public static class ConsentSources
{
    public const string Registration = "registration";
    public const string Settings = "settings";
    public const string SignIn = "sign_in";
}

public enum PrivacyExportStatus : byte
{
    /// <summary>Requested; the Worker's export job has not built it yet.</summary>
    Requested = 0,

    /// <summary>Built and emailed; downloadable once until it expires.</summary>
    Ready = 1,

    /// <summary>Downloaded (the link worked once); the archive is deleted.</summary>
    Downloaded = 2,

    /// <summary>Not downloaded in time; the archive is deleted.</summary>
    Expired = 3,
}

/// <summary>
/// A right-of-access request and its archive (a zip, encrypted with Data Protection, in the database so
/// every replica can serve it). The download link carries a signed token; only its nonce's SHA-256 is kept.
/// </summary>
public sealed class PrivacyExport
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public PrivacyExportStatus Status { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? DownloadedAt { get; set; }

    /// <summary>The protected zip; null before it is built and after download or expiry.</summary>
    public byte[]? Archive { get; set; }

    /// <summary>Size of the zip before protection, shown to the user.</summary>
    public long? ArchiveBytes { get; set; }

    /// <summary>SHA-256 (hex) of the link's nonce: the single-use check.</summary>
    public string? NonceHash { get; set; }
}

public enum ErasureStatus : byte
{
    /// <summary>Waiting for the end of the grace period; the user can still cancel.</summary>
    Scheduled = 0,
    Cancelled = 1,
    Completed = 2,

    /// <summary>Due, but funds or orders had appeared meanwhile: nothing was erased.</summary>
    Refused = 3,
}

/// <summary>A right-to-erasure request: effective at <see cref="EffectiveAt"/> unless cancelled.</summary>
public sealed class ErasureRequest
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public ErasureStatus Status { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset EffectiveAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Why a due request was refused: <c>funds_remaining</c>, <c>open_orders</c>, <c>pending_withdrawals</c>.</summary>
    public string? RefusedReason { get; set; }

    /// <summary>The name the person's financial records are kept under once erased.</summary>
    public string? Pseudonym { get; set; }
}

/// <summary>One purge of a retention job: what, up to when, how many rows.</summary>
public sealed class RetentionRun
{
    public long Id { get; set; }
    public DateTimeOffset RanAt { get; set; }

    /// <summary>e.g. <c>refresh_sessions</c>, <c>privacy_exports</c>, <c>heartbeats</c>.</summary>
    public string Category { get; set; } = "";

    /// <summary>Rows older than this were purged.</summary>
    public DateTimeOffset Cutoff { get; set; }
    public long Purged { get; set; }
}

internal sealed class PrivacyExportConfiguration : IEntityTypeConfiguration<PrivacyExport>
{
    public void Configure(EntityTypeBuilder<PrivacyExport> builder)
    {
        builder.ToTable("privacy_exports");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.NonceHash).HasMaxLength(64);
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.UserId, e.RequestedAt });
        // The export job and the retention job scan these.
        builder.HasIndex(e => e.Status).HasFilter("status IN (0, 1)");
    }
}

internal sealed class ErasureRequestConfiguration : IEntityTypeConfiguration<ErasureRequest>
{
    public void Configure(EntityTypeBuilder<ErasureRequest> builder)
    {
        builder.ToTable("erasure_requests");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.RefusedReason).HasMaxLength(32);
        builder.Property(e => e.Pseudonym).HasMaxLength(64);
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        // At most one scheduled request per user, even under concurrent requests.
        builder.HasIndex(e => e.UserId).IsUnique().HasFilter("status = 0");
        builder.HasIndex(e => e.EffectiveAt).HasFilter("status = 0");
    }
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<RetentionRun>
{
    public void Configure(EntityTypeBuilder<RetentionRun> builder)
    {
        builder.ToTable("retention_runs");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).UseIdentityAlwaysColumn();
        builder.Property(r => r.Category).HasMaxLength(64).IsRequired();
        builder.HasIndex(r => r.RanAt);
    }
}
