using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Coinage.Domain.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coinage.ApiService.Identity.Tokens;

/// <summary>
/// Configuration section <c>Coinage:Jwt</c>. <c>SigningKey</c> (≥ 20 random characters) signs new tokens
/// under <c>SigningKeyId</c>; each <c>PreviousKeys:{kid}</c> still validates tokens signed before a
/// rotation, until they expire.
/// </summary>
public sealed class JwtSettings
{
    public const string Section = "Coinage:Jwt";

    public string Issuer { get; set; } = "coinage";
    public string Audience { get; set; } = "coinage-api";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public string? SigningKey { get; set; }
    public string? SigningKeyId { get; set; }
    public Dictionary<string, string> PreviousKeys { get; set; } = [];
}

/// <summary>The resolved keys: one signs, all validate.</summary>
public sealed class SigningKeys
{
    /// <summary>The AppHost's generated secrets are 22 random characters (≈131 bits).</summary>
    public const int MinimumKeyLength = 20;

    public SigningKeys(SymmetricSecurityKey active, IReadOnlyList<SymmetricSecurityKey> all)
    {
        Active = active;
        All = all;
    }

    public SymmetricSecurityKey Active { get; }
    public IReadOnlyList<SymmetricSecurityKey> All { get; }

    public static SigningKeys From(JwtSettings settings, bool development, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(warn);
        SymmetricSecurityKey active;
        if (string.IsNullOrEmpty(settings.SigningKey))
        {
            if (!development)
            {
                throw new InvalidOperationException($"Coinage:Jwt:SigningKey is not configured (at least {MinimumKeyLength} random characters).");
            }
            active = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(64)) { KeyId = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)) };
            warn("No Coinage:Jwt:SigningKey configured: signing with a random key generated for this run (Development only); " +
                "tokens will not survive a restart nor validate on another replica.");
        }
        else
        {
            active = Key(settings.SigningKey, settings.SigningKeyId);
        }
        var all = new List<SymmetricSecurityKey> { active };
        all.AddRange(settings.PreviousKeys.Select(k => Key(k.Value, k.Key)));
        return new SigningKeys(active, all);
    }

    private static SymmetricSecurityKey Key(string secret, string? keyId)
    {
        if (secret.Length < MinimumKeyLength)
        {
            throw new InvalidOperationException($"JWT signing keys must be at least {MinimumKeyLength} characters long.");
        }
        var bytes = DeriveKeyBytes(secret);
        // Without an explicit id, one derived from the key: stable across replicas, reveals nothing useful.
        return new SymmetricSecurityKey(bytes) { KeyId = keyId ?? Convert.ToHexStringLower(SHA256.HashData(bytes))[..12] };
    }

    /// <summary>
    /// HS256 wants exactly 256 bits of key: HKDF-SHA256 turns a configured secret of any length
    /// into that, keeping all of its entropy up to 256 bits.
    /// </summary>
    public static byte[] DeriveKeyBytes(string secret) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, info: Encoding.UTF8.GetBytes("coinage-jwt-hs256"));
}

/// <summary>
/// Issues access tokens: <c>sub</c>, <c>sid</c>, <c>amr</c>, roles, whether the email is verified, the
/// user's access version (<c>av</c>, see <see cref="Sessions.SessionService.AccessVersionAsync"/>) and,
/// while the password must be replaced, <c>pwd_change</c>.
/// </summary>
public sealed class AccessTokenIssuer(JwtSettings settings, SigningKeys keys, TimeProvider clock)
{
    public const string SessionIdClaim = "sid";
    public const string RoleClaim = "role";
    public const string EmailVerifiedClaim = "email_verified";
    public const string AccessVersionClaim = "av";
    public const string PasswordChangeRequiredClaim = "pwd_change";

    /// <summary>The <c>amr</c> values (RFC 8176) of a second factor: a TOTP code, a recovery code, or a passkey (<c>hwk</c>).</summary>
    public static readonly IReadOnlySet<string> SecondFactorMethods = new HashSet<string>(StringComparer.Ordinal) { "otp", "rec", "hwk" };

    public TimeSpan Lifetime => settings.AccessTokenLifetime;

    public string Issue(CoinageUser user, RefreshSession session, IEnumerable<string> roles, long accessVersion = 0, bool passwordChangeRequired = false, bool hasPasskey = false)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(session);
        // A second factor proven at sign-in stops counting once it is no longer enrolled: a code while the
        // authenticator app is on, a passkey while the user has one, a recovery code while either is.
        var amr = session.Amr.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(m => m switch
            {
                "otp" => user.TwoFactorEnabled,
                "hwk" => hasPasskey,
                "rec" => user.TwoFactorEnabled || hasPasskey,
                _ => true,
            })
            .ToArray();
        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.AccessTokenLifetime,
            SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [SessionIdClaim] = session.Id.ToString(),
                [JwtRegisteredClaimNames.Amr] = amr,
                [RoleClaim] = roles.ToArray(),
                [EmailVerifiedClaim] = user.EmailConfirmed,
                [AccessVersionClaim] = accessVersion,
            },
        };
        if (passwordChangeRequired)
        {
            descriptor.Claims[PasswordChangeRequiredClaim] = true;
        }
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        IssuerSigningKeys = keys.All,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = RoleClaim,
    };
}

public static class ClaimsPrincipalExtensions
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub) ?? throw new InvalidOperationException("No sub claim."));

    public static bool HasSecondFactor(this ClaimsPrincipal principal) =>
        principal.FindAll(JwtRegisteredClaimNames.Amr).Any(c => AccessTokenIssuer.SecondFactorMethods.Contains(c.Value));

    public static Guid SessionId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(AccessTokenIssuer.SessionIdClaim) ?? throw new InvalidOperationException("No sid claim."));
}
