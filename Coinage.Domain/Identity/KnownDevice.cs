using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Identity;

/// <summary>
/// A device the user has signed in from, so a sign-in from any other one is news (emailed). Its
/// <see cref="Fingerprint"/> is a SHA-256: of the browser's device cookie and its browser family, or,
/// for a program without cookies, of its User-Agent and IP network. Forgetting a device deletes it:
/// the next sign-in from it is new again.
/// </summary>
public sealed class KnownDevice
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>Hex SHA-256 of what identifies the device (never the cookie's value itself).</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary><c>browser</c> (device cookie) or <c>client</c> (User-Agent and IP network).</summary>
    public string Kind { get; set; } = "";

    /// <summary>What the user reads: "Firefox on Linux", or a program's User-Agent.</summary>
    public string Label { get; set; } = "";
    public DateTimeOffset FirstSeenAt { get; set; }

    /// <summary>The last sign-in from it.</summary>
    public DateTimeOffset LastSeenAt { get; set; }
    public string? LastIpAddress { get; set; }
}

internal sealed class KnownDeviceConfiguration : IEntityTypeConfiguration<KnownDevice>
{
    public void Configure(EntityTypeBuilder<KnownDevice> builder)
    {
        builder.ToTable("known_devices");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Fingerprint).HasMaxLength(64).IsRequired();
        builder.Property(d => d.Kind).HasMaxLength(16).IsRequired();
        builder.Property(d => d.Label).HasMaxLength(256).IsRequired();
        builder.Property(d => d.LastIpAddress).HasMaxLength(64);
        builder.HasOne<CoinageUser>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.UserId, d.Fingerprint }).IsUnique();
    }
}
