using System.Net;
using Coinage.ApiService.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

public sealed class TwoFactorTests(InfrastructureFixture infrastructure)
{
    private async Task<(ApiFactory Factory, IdentityTestClient Client, string Email, string Access, string Secret)> EnrolledAsync()
    {
        var factory = new ApiFactory(infrastructure);
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        var (access, _) = await client.SignedInUserAsync(email);
        using var setup = await client.PostAsync("/api/v1/account/2fa/setup", null, access);
        Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
        var body = await JsonAsync(setup);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.StartsWith("otpauth://totp/Coinage:", body.GetProperty("otpAuthUri").GetString(), StringComparison.Ordinal);
        Assert.Contains("secret=" + secret, body.GetProperty("otpAuthUri").GetString(), StringComparison.Ordinal);
        var png = Convert.FromBase64String(body.GetProperty("qrCodeDataUri").GetString()!["data:image/png;base64,".Length..]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        // The secret is stored encrypted, never in clear.
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM users WHERE totp_secret_protected LIKE '%' || @s || '%'", ("s", secret)));
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM users WHERE email = @e AND totp_secret_protected IS NOT NULL", ("e", email)));
        return (factory, client, email, access, secret);
    }

    [Fact]
    public async Task Enabling_needs_a_valid_code_and_sign_in_then_asks_for_one_that_is_accepted_once()
    {
        var (factory, client, email, access, secret) = await EnrolledAsync();
        await using var owned = factory;
        using (var wrong = await client.PostAsync("/api/v1/account/2fa/enable", new { code = "000000" == Totp(secret) ? "111111" : "000000" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        // Kept, not recomputed: on a slow run the clock may pass into the next time step before the replay below.
        var enableCode = Totp(secret);
        using var enable = await client.PostAsync("/api/v1/account/2fa/enable", new { code = enableCode }, access);
        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        var recovery = (await JsonAsync(enable)).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(10, recovery.Distinct().Count());
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM recovery_codes WHERE code_hash = ANY(@c)", ("c", recovery.ToArray())));

        var login = await client.LoginAsync(email);
        Assert.True(login.GetProperty("twoFactorRequired").GetBoolean());
        Assert.Equal(ErrorCodes.TwoFactorRequired, login.GetProperty("code").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, login.GetProperty("accessToken").ValueKind);
        var challenge = login.GetProperty("challengeToken").GetString()!;

        // The code used to enable (this time step) is spent; the next step's code works once.
        using (var replayOfEnable = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = enableCode }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replayOfEnable.StatusCode);
            Assert.Equal(ErrorCodes.InvalidTwoFactorCode, await CodeAsync(replayOfEnable));
        }
        var next = Totp(secret, 1);
        using (var ok = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = next }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.False(string.IsNullOrEmpty((await JsonAsync(ok)).GetProperty("accessToken").GetString()));
        }
        using (var replay = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge, code = next }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        }

        // A recovery code signs in once.
        var challenge2 = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;
        using (var withRecovery = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge2, recoveryCode = recovery[3] }))
        {
            Assert.Equal(HttpStatusCode.OK, withRecovery.StatusCode);
        }
        using (var recoveryReplay = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge2, recoveryCode = recovery[3] }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, recoveryReplay.StatusCode);
        }
        using (var forged = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = challenge2 + "x", code = Totp(secret, 1) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.recovery_code_used'", ("e", email)));
        await client.LastEmailAsync(email, IdentityEmails.TwoFactorChanged);
    }

    [Fact]
    public async Task Disabling_needs_the_password_and_a_code_and_recovery_codes_can_be_regenerated()
    {
        var (factory, client, email, access, secret) = await EnrolledAsync();
        await using var owned = factory;
        using (var enable = await client.PostAsync("/api/v1/account/2fa/enable", new { code = Totp(secret) }, access))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }
        // Kept, not recomputed: should the clock pass into the next time step, Totp(secret, 1) would be a fresh code.
        var regenerateCode = Totp(secret, 1);
        using (var regenerate = await client.PostAsync("/api/v1/account/2fa/recovery-codes", new { code = regenerateCode }, access))
        {
            Assert.Equal(HttpStatusCode.OK, regenerate.StatusCode);
            Assert.Equal(10, (await JsonAsync(regenerate)).GetProperty("recoveryCodes").GetArrayLength());
        }
        Assert.Equal(10, await client.CountAsync("SELECT count(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = @e", ("e", email)));
        // The code that regenerated the recovery codes is spent: it is refused, with or without the password.
        using (var noPassword = await client.PostAsync("/api/v1/account/2fa/disable", new { password = "wrong password here", code = regenerateCode }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noPassword.StatusCode);
            Assert.True((await JsonAsync(noPassword)).GetProperty("errors").TryGetProperty("password", out _));
        }
        using (var spent = await client.PostAsync("/api/v1/account/2fa/disable", new { password = Password, code = regenerateCode }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, spent.StatusCode);
            Assert.True((await JsonAsync(spent)).GetProperty("errors").TryGetProperty("code", out _));
        }
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM users WHERE email = @e AND two_factor_enabled", ("e", email)));
    }
}

/// <summary>The real clock, moved forward on demand: lets a test reach the next TOTP time steps without waiting.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}

public sealed class TwoFactorDisableTests(InfrastructureFixture infrastructure)
{
    [Fact]
    public async Task Disabling_with_the_password_and_a_fresh_code_turns_2fa_off_and_sign_in_needs_no_code()
    {
        var clock = new ShiftedTimeProvider();
        await using var factory = new ApiFactory(infrastructure);
        await using var shifted = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var client = new IdentityTestClient(shifted.CreateClient(), infrastructure.PostgresConnectionString);
        var email = NewEmail();
        var (access, _) = await client.SignedInUserAsync(email);
        using var setup = await client.PostAsync("/api/v1/account/2fa/setup", null, access);
        var secret = (await JsonAsync(setup)).GetProperty("secret").GetString()!;
        using (var enable = await client.PostAsync("/api/v1/account/2fa/enable", new { code = Totp(secret) }, access))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        }

        clock.Offset = TimeSpan.FromSeconds(90);
        using (var disable = await client.PostAsync("/api/v1/account/2fa/disable", new { password = Password, code = Totp(secret, 3) }, access))
        {
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        }
        var login = await client.LoginAsync(email);
        Assert.False(login.GetProperty("twoFactorRequired").GetBoolean());
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = @e", ("e", email)));
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.two_factor_disabled'", ("e", email)));
    }
}
