using System.Globalization;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Coinage.ApiService.Identity.StepUp;

/// <summary><c>Coinage:Identity:StepUp</c>.</summary>
public sealed class StepUpOptions
{
    public const string Section = "Coinage:Identity:StepUp";

    /// <summary>How long a proof stays fresh for the session that gave it.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>How a user proved themselves again; the names the step-up problem lists and the request's fields answer.</summary>
public static class StepUpMethods
{
    /// <summary>A TOTP code (<c>code</c>).</summary>
    public const string Totp = "totp";

    /// <summary>A passkey's assertion (<c>passkey</c>, after <c>POST /api/v1/account/step-up/passkey/options</c>): the one a phishing page cannot relay.</summary>
    public const string Passkey = "passkey";

    /// <summary>A one-time recovery code (<c>recoveryCode</c>).</summary>
    public const string RecoveryCode = "recovery_code";

    /// <summary>The password (<c>password</c>): only for a user with no second factor, so a trader can turn 2FA on.</summary>
    public const string Password = "password";

    public static bool IsSecondFactor(string method) => method is not Password;

    /// <summary>
    /// The strongest method of a sign-in's <c>amr</c> (<c>pwd</c>, <c>pwd otp</c>, <c>pwd rec</c>, <c>pwd hwk</c>,
    /// and <c>hwk</c> alone for a passkey sign-in without a password).
    /// </summary>
    public static string FromAmr(string amr)
    {
        var methods = (amr ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return methods.Contains("hwk") ? Passkey : methods.Contains("otp") ? Totp : methods.Contains("rec") ? RecoveryCode : Password;
    }
}

/// <summary>The second factors a user has enrolled; recovery codes count only while one is left unused.</summary>
public readonly record struct SecondFactors(bool Totp, bool Passkey, bool RecoveryCodes)
{
    /// <summary>Recovery codes stand in for the others and go with the last of them, so they alone are none.</summary>
    public bool Any => Totp || Passkey;

    /// <summary>The methods this user can step up with, strongest first: only the password without a second factor.</summary>
    public IReadOnlyList<string> Methods()
    {
        if (!Any)
        {
            return [StepUpMethods.Password];
        }
        var methods = new List<string>(3);
        if (Passkey)
        {
            methods.Add(StepUpMethods.Passkey);
        }
        if (Totp)
        {
            methods.Add(StepUpMethods.Totp);
        }
        if (RecoveryCodes)
        {
            methods.Add(StepUpMethods.RecoveryCode);
        }
        return methods;
    }
}

/// <summary>
/// Step-up: "this session proved its user again at time T, by method M", kept in Redis per session
/// (<c>coinage:step-up:{sid}</c>, expiring with the window) so every replica sees it at once. A sign-in
/// is such a proof too (its strongest factor), so nobody is asked twice within minutes of signing in.
/// A proof counts while it is younger than the window and, for a user who has a second factor, only
/// when it was one: a password proof given before 2FA was turned on does not carry over.
/// </summary>
public sealed class StepUpService(IConnectionMultiplexer redis, CoinageDbContext db, IOptions<StepUpOptions> options, TimeProvider clock)
{
    private const string KeyPrefix = "coinage:step-up:";

    public TimeSpan Window => options.Value.Window;

    /// <summary>
    /// Records a proof for the session: the one call for every way of proving (a step-up, a sign-in,
    /// turning a second factor on). Returns when it stops counting.
    /// </summary>
    public async Task<DateTimeOffset> RecordAsync(Guid sessionId, string method)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        var now = clock.GetUtcNow();
        await redis.GetDatabase().StringSetAsync(Key(sessionId),
            $"{method}|{now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}", Window).ConfigureAwait(false);
        return now + Window;
    }

    /// <summary>The session's last proof, if there is one in Redis: its method and time.</summary>
    public async Task<(string Method, DateTimeOffset At)?> LastProofAsync(Guid sessionId)
    {
        var value = (string?)await redis.GetDatabase().StringGetAsync(Key(sessionId)).ConfigureAwait(false);
        var parts = value?.Split('|');
        return parts is [var method, var at] && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? (method, DateTimeOffset.FromUnixTimeMilliseconds(ms))
            : null;
    }

    /// <summary>Whether the session holds a proof that still counts for this user (see the class).</summary>
    public async Task<bool> IsFreshAsync(Guid sessionId, bool userHasSecondFactor)
    {
        if (await LastProofAsync(sessionId).ConfigureAwait(false) is not var (method, at))
        {
            return false;
        }
        // The stored time, not only Redis' expiry: the application's clock decides, as for every other lifetime.
        var age = clock.GetUtcNow() - at;
        return age >= TimeSpan.Zero - TimeSpan.FromSeconds(5) && age <= Window
            && (!userHasSecondFactor || StepUpMethods.IsSecondFactor(method));
    }

    /// <summary>The user's second factors, in one query (then only a second factor proves them again).</summary>
    public Task<SecondFactors> SecondFactorsAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId)
            .Select(u => new SecondFactors(
                u.TwoFactorEnabled,
                db.Passkeys.Any(p => p.UserId == u.Id),
                db.RecoveryCodes.Any(c => c.UserId == u.Id && c.UsedAt == null)))
            .FirstOrDefaultAsync(cancellationToken);

    private static RedisKey Key(Guid sessionId) => KeyPrefix + sessionId.ToString("N");
}
