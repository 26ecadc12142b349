using System.Globalization;
using Coinage.ApiService.Identity.Sessions;
using Coinage.ApiService.Identity.Tokens;
using Coinage.ApiService.Security;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Identity;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity;

/// <summary>The steps shared by the auth and account endpoints: signing in, auditing, cookies.</summary>
public sealed class AuthService(
    CoinageDbContext db,
    UserManager<CoinageUser> users,
    SessionService sessions,
    AccessTokenIssuer tokens,
    IDataProtectionProvider dataProtection,
    IdentityTelemetry telemetry,
    IConnectionMultiplexer redis,
    TimeProvider clock)
{
    public const string RefreshCookie = "__Secure-coinage-rt";
    public const string CookiePath = "/api/v1/auth";

    /// <summary>
    /// Beside the HttpOnly refresh cookie, which scripts cannot see: "a session may be here", so the web front end
    /// tries its silent refresh on a page load only when there is something to restore (a visitor's every page
    /// would otherwise send a refresh bound to fail). Holds no secret; the refresh cookie alone signs in.
    /// </summary>
    public const string SignedInHintCookie = "coinage-signed-in";
    public const string CsrfHeader = "X-Coinage-Csrf";

    /// <summary>An Identity user claim: the password was set by someone else (the bootstrap administrator's) and must be replaced.</summary>
    public const string PasswordChangeRequiredClaim = "coinage:password_change_required";

    private const string CompletedChallengePrefix = "coinage:2fa:challenges:completed:";

    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(5);

    public CoinageDbContext Db => db;
    public UserManager<CoinageUser> Users => users;
    public SessionService Sessions => sessions;
    public DateTimeOffset Now => clock.GetUtcNow();
    public IdentityTelemetry Telemetry => telemetry;

    public Task AuditAsync(string action, Guid? actor, Guid? subject, HttpContext http, object? data = null, CancellationToken cancellationToken = default) =>
        AuditLog.AppendAsync(db, action, clock.GetUtcNow(), actor, subject, http?.ClientIp(), data, cancellationToken);

    /// <summary>Creates a session, writes audit and new-device email, commits, and answers with tokens.</summary>
    public async Task<TokenResponse> SignInAsync(CoinageUser user, string amr, bool useCookie, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(http);
        // Before the session is added: the first sign-in ever is not news. Resolved per request, as below.
        var device = await http.RequestServices.GetRequiredService<Devices.DeviceRecognition>().SightAsync(user.Id, useCookie, http, cancellationToken).ConfigureAwait(false);
        var (session, refreshToken) = sessions.Create(user.Id, amr, http.Request.Headers.UserAgent.ToString(), http.ClientIp());
        await AuditAsync("auth.signed_in", user.Id, user.Id, http, new { sessionId = session.Id, amr, deviceId = device.Id, newDevice = device.IsNew }, cancellationToken).ConfigureAwait(false);
        if (device.IsNew)
        {
            IdentityEmails.Enqueue(db, IdentityEmails.NewSignIn, user, Now, new Dictionary<string, string?>
            {
                ["device"] = device.Label,
                ["ipAddress"] = session.IpAddress,
                ["at"] = Now.ToString("O", CultureInfo.InvariantCulture),
            });
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        telemetry.SignIn(SignInResults.Success, user.Id, user.Email, http.ClientIp());
        // Signing in is a proof like any step-up: nobody is asked again minutes after signing in.
        await http.RequestServices.GetRequiredService<StepUp.StepUpService>().RecordAsync(session.Id, StepUp.StepUpMethods.FromAmr(amr)).ConfigureAwait(false);
        var response = await IssueAsync(user, session, refreshToken, useCookie, http).ConfigureAwait(false);
        if (response.Code is not null)
        {
            return response; // The password first: nothing else answers until it is replaced.
        }
        // New terms are accepted at the next sign-in: the answer says so, with the versions to show.
        // Resolved per request rather than injected, so the privacy feature leaves this constructor alone.
        var pending = await http.RequestServices.GetRequiredService<Privacy.ConsentService>().PendingAsync(user.Id, cancellationToken).ConfigureAwait(false);
        return pending.Count == 0 ? response : response with { Code = ErrorCodes.ConsentRequired, ConsentRequired = pending };
    }

    public async Task<TokenResponse> IssueAsync(CoinageUser user, RefreshSession session, string refreshToken, bool useCookie, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(http);
        // The version first, then what it versions (SessionService.AccessVersionAsync says why).
        var accessVersion = await sessions.AccessVersionAsync(user.Id).ConfigureAwait(false);
        await db.Entry(user).ReloadAsync().ConfigureAwait(false);
        var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
        var passwordChangeRequired = (await users.GetClaimsAsync(user).ConfigureAwait(false)).Any(c => c.Type == PasswordChangeRequiredClaim);
        var hasPasskey = await db.Passkeys.AnyAsync(p => p.UserId == user.Id).ConfigureAwait(false);
        var accessToken = tokens.Issue(user, session, roles, accessVersion, passwordChangeRequired, hasPasskey);
        if (useCookie)
        {
            http.Response.Cookies.Append(RefreshCookie, refreshToken, new CookieOptions
            {
                HttpOnly = true,
                Secure = true,
                SameSite = SameSiteMode.Strict,
                Path = CookiePath,
                Expires = session.ExpiresAt,
                IsEssential = true,
            });
            http.Response.Cookies.Append(SignedInHintCookie, "1", HintCookieOptions(session.ExpiresAt));
        }
        return new TokenResponse(false, passwordChangeRequired ? ErrorCodes.PasswordChangeRequired : null, null, accessToken, "Bearer", (int)tokens.Lifetime.TotalSeconds,
            useCookie ? null : refreshToken, session.Id.ToString());
    }

    public static void ClearCookie(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Delete(RefreshCookie, new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Strict, Path = CookiePath });
        http.Response.Cookies.Delete(SignedInHintCookie, HintCookieOptions(expires: null));
    }

    private static CookieOptions HintCookieOptions(DateTimeOffset? expires) =>
        new() { HttpOnly = false, Secure = true, SameSite = SameSiteMode.Strict, Path = "/", Expires = expires, IsEssential = true };

    private ITimeLimitedDataProtector ChallengeProtector => dataProtection.CreateProtector("Coinage.Identity.TwoFactorChallenge.v1").ToTimeLimitedDataProtector();

    /// <summary>
    /// A short-lived, signed and encrypted proof that the password step passed, with a random id so
    /// it completes one sign-in only (<see cref="CompleteChallengeAsync"/>).
    /// </summary>
    public string CreateChallenge(CoinageUser user, bool useCookie) =>
        ChallengeProtector.Protect($"{user.Id:N}|{user.SecurityStamp}|{(useCookie ? 1 : 0)}|{Guid.NewGuid():N}", clock.GetUtcNow() + ChallengeLifetime);

    public async Task<TwoFactorChallenge?> ReadChallengeAsync(string challenge)
    {
        string payload;
        DateTimeOffset expiration;
        try
        {
            payload = ChallengeProtector.Unprotect(challenge, out expiration);
            if (expiration < clock.GetUtcNow())
            {
                return null;
            }
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
        var parts = payload.Split('|');
        if (parts.Length != 4 || !Guid.TryParseExact(parts[0], "N", out var userId) || !Guid.TryParseExact(parts[3], "N", out var id))
        {
            return null;
        }
        var user = await users.FindByIdAsync(userId.ToString()).ConfigureAwait(false);
        return user is null || user.SecurityStamp != parts[1] ? null : new TwoFactorChallenge(user, parts[2] == "1", id, expiration);
    }

    /// <summary>
    /// Marks the challenge completed, atomically across replicas (SET NX); false when it already was.
    /// Called once the code is right, so a mistyped code does not cost the user a new sign-in; the key
    /// lives as long as the challenge could.
    /// </summary>
    public async Task<bool> CompleteChallengeAsync(TwoFactorChallenge challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var ttl = challenge.ExpiresAt - clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        return await redis.GetDatabase().StringSetAsync(CompletedChallengePrefix + challenge.Id.ToString("N"), "1",
            ttl > TimeSpan.Zero ? ttl : TimeSpan.FromMinutes(1), When.NotExists).ConfigureAwait(false);
    }
}

/// <summary>A valid 2FA challenge: whose, how the tokens are to be delivered, and its one-time id.</summary>
public sealed record TwoFactorChallenge(CoinageUser User, bool UseCookie, Guid Id, DateTimeOffset ExpiresAt);
