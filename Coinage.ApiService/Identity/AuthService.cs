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

namespace Coinage.ApiService.Identity;

/// <summary>The steps shared by the auth and account endpoints: signing in, auditing, cookies.</summary>
public sealed class AuthService(
    CoinageDbContext db,
    UserManager<CoinageUser> users,
    SessionService sessions,
    AccessTokenIssuer tokens,
    IDataProtectionProvider dataProtection,
    IdentityTelemetry telemetry,
    TimeProvider clock)
{
    public const string RefreshCookie = "__Secure-coinage-rt";
    public const string CookiePath = "/api/v1/auth";
    public const string CsrfHeader = "X-Coinage-Csrf";

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
        var device = http.Request.Headers.UserAgent.ToString();
        // The first sign-in ever is not news; a later one from an unseen User-Agent is.
        var devices = await db.RefreshSessions.Where(s => s.UserId == user.Id).Select(s => s.Device).Distinct().Take(1000).ToListAsync(cancellationToken).ConfigureAwait(false);
        var knownDevice = devices.Count == 0 || devices.Contains(string.IsNullOrWhiteSpace(device) ? "unknown" : device);
        var (session, refreshToken) = sessions.Create(user.Id, amr, device, http.ClientIp());
        await AuditAsync("auth.signed_in", user.Id, user.Id, http, new { sessionId = session.Id, amr }, cancellationToken).ConfigureAwait(false);
        if (!knownDevice)
        {
            IdentityEmails.Enqueue(db, IdentityEmails.NewSignIn, user, Now, new Dictionary<string, string?>
            {
                ["device"] = session.Device,
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
        var response = await IssueAsync(user, session, refreshToken, useCookie, http).ConfigureAwait(false);
        // New terms are accepted at the next sign-in: the answer says so, with the versions to show.
        // Resolved per request rather than injected, so the privacy feature leaves this constructor alone.
        var pending = await http.RequestServices.GetRequiredService<Privacy.ConsentService>().PendingAsync(user.Id, cancellationToken).ConfigureAwait(false);
        return pending.Count == 0 ? response : response with { Code = ErrorCodes.ConsentRequired, ConsentRequired = pending };
    }

    public async Task<TokenResponse> IssueAsync(CoinageUser user, RefreshSession session, string refreshToken, bool useCookie, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var roles = await users.GetRolesAsync(user).ConfigureAwait(false);
        var accessToken = tokens.Issue(user, session, roles);
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
        }
        return new TokenResponse(false, null, null, accessToken, "Bearer", (int)tokens.Lifetime.TotalSeconds,
            useCookie ? null : refreshToken, session.Id.ToString());
    }

    public static void ClearCookie(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Delete(RefreshCookie, new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Strict, Path = CookiePath });
    }

    private ITimeLimitedDataProtector ChallengeProtector => dataProtection.CreateProtector("Coinage.Identity.TwoFactorChallenge.v1").ToTimeLimitedDataProtector();

    /// <summary>A short-lived, signed and encrypted proof that the password step passed.</summary>
    public string CreateChallenge(CoinageUser user, bool useCookie) =>
        ChallengeProtector.Protect($"{user.Id:N}|{user.SecurityStamp}|{(useCookie ? 1 : 0)}", clock.GetUtcNow() + ChallengeLifetime);

    public async Task<(CoinageUser User, bool UseCookie)?> ReadChallengeAsync(string challenge)
    {
        string payload;
        try
        {
            payload = ChallengeProtector.Unprotect(challenge, out var expiration);
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
        if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var userId))
        {
            return null;
        }
        var user = await users.FindByIdAsync(userId.ToString()).ConfigureAwait(false);
        return user is null || user.SecurityStamp != parts[1] ? null : (user, parts[2] == "1");
    }
}
