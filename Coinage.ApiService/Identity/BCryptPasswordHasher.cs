using Coinage.Domain.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Identity;

/// <summary>
/// BCrypt (BCrypt.Net-Next) in place of Identity's PBKDF2. The "enhanced" mode pre-hashes with
/// SHA-384 so passwords longer than BCrypt's 72-byte limit are not silently truncated. A hash made
/// with a lower work factor than configured verifies and asks Identity to re-hash it.
/// </summary>
internal sealed class BCryptPasswordHasher(IOptions<IdentitySecurityOptions> options) : IPasswordHasher<CoinageUser>
{
    private int WorkFactor => options.Value.BcryptWorkFactor;

    public string HashPassword(CoinageUser user, string password) =>
        BCrypt.Net.BCrypt.EnhancedHashPassword(password, BCrypt.Net.HashType.SHA384, WorkFactor);

    public PasswordVerificationResult VerifyHashedPassword(CoinageUser user, string hashedPassword, string providedPassword)
    {
        ArgumentNullException.ThrowIfNull(hashedPassword);
        bool valid;
        try
        {
            valid = BCrypt.Net.BCrypt.EnhancedVerify(providedPassword, hashedPassword, BCrypt.Net.HashType.SHA384);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return PasswordVerificationResult.Failed;
        }
        if (!valid)
        {
            return PasswordVerificationResult.Failed;
        }
        return BCrypt.Net.BCrypt.PasswordNeedsRehash(hashedPassword, WorkFactor)
            ? PasswordVerificationResult.SuccessRehashNeeded
            : PasswordVerificationResult.Success;
    }
}

/// <summary>Configuration section <c>Coinage:Identity</c>.</summary>
public sealed class IdentitySecurityOptions
{
    public const string Section = "Coinage:Identity";

    /// <summary>Production default; tests may lower it (never below <see cref="MinimumWorkFactor"/>) to stay fast.</summary>
    public const int DefaultWorkFactor = 12;
    public const int MinimumWorkFactor = 10;

    public int BcryptWorkFactor { get; set; } = DefaultWorkFactor;

    public int MaxFailedAccessAttempts { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Absolute lifetime of a signed-in session (refresh tokens never extend it).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Lifetime of email verification and password reset links.</summary>
    public TimeSpan EmailTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    public string TermsVersion { get; set; } = "2026-11-01";
    public string PrivacyVersion { get; set; } = "2026-11-01";

    /// <summary>
    /// Where the operator publishes the current terms and privacy policy (an https:// address or a path of the web
    /// front end): the forms that ask for acceptance link them. The platform cannot write its operator's legal
    /// documents, so there is no default; without one the forms name the documents without a link.
    /// </summary>
    public string? TermsUrl { get; set; }

    public string? PrivacyUrl { get; set; }
}
