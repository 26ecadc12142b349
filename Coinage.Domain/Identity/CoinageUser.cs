using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Coinage.Domain.Identity;

/// <summary>A person with an account. Identity's columns plus what the exchange's security needs.</summary>
public sealed class CoinageUser : IdentityUser<Guid>
{
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Shown in every email so a phishing copy can be told apart; chosen by the user.</summary>
    public string? AntiPhishingPhrase { get; set; }

    /// <summary>The TOTP secret (Base32), protected with Data Protection; set during enrolment, before 2FA is enabled.</summary>
    public string? TotpSecretProtected { get; set; }

    /// <summary>The last RFC 6238 time step accepted, so one code is never accepted twice.</summary>
    public long? TotpLastTimeStep { get; set; }

    public bool MarketingConsent { get; set; }
}

/// <summary>Trader (default), Support, Compliance, Admin.</summary>
public sealed class CoinageRole : IdentityRole<Guid>
{
    public CoinageRole()
    {
    }

    public CoinageRole(string name) : base(name)
    {
        Id = Guid.CreateVersion7();
    }
}

public static class Roles
{
    public const string Trader = "Trader";
    public const string Support = "Support";
    public const string Compliance = "Compliance";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Trader, Support, Compliance, Admin];
}

internal sealed class CoinageUserConfiguration : IEntityTypeConfiguration<CoinageUser>
{
    public void Configure(EntityTypeBuilder<CoinageUser> builder)
    {
        builder.Property(u => u.AntiPhishingPhrase).HasMaxLength(64);
        builder.Property(u => u.TotpSecretProtected).HasMaxLength(1024);
        builder.HasIndex(u => u.CreatedAt);
    }
}

internal sealed class CoinageRoleConfiguration : IEntityTypeConfiguration<CoinageRole>
{
    /// <summary>Seeded by the migration with fixed ids, so replicas never race to create them.</summary>
    public void Configure(EntityTypeBuilder<CoinageRole> builder) => builder.HasData(
        Seed("0193a000-0000-7000-8000-000000000001", Roles.Trader),
        Seed("0193a000-0000-7000-8000-000000000002", Roles.Support),
        Seed("0193a000-0000-7000-8000-000000000003", Roles.Compliance),
        Seed("0193a000-0000-7000-8000-000000000004", Roles.Admin));

    private static CoinageRole Seed(string id, string name) => new()
    {
        Id = Guid.Parse(id),
        Name = name,
        NormalizedName = name.ToUpperInvariant(),
        ConcurrencyStamp = id,
    };
}
