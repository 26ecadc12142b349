using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>
/// Issue 21, item 8: sensitive actions need a proof of the user from the last few minutes (step-up).
/// The window is one minute here and the API's clock is moved past it, so a sign-in's own proof goes stale
/// without waiting; the moves stay within the tokens' lifetime and clock skew.
/// </summary>
public sealed class StepUpTests(InfrastructureFixture infrastructure)
{
    private const string BootstrapPassword = "bootstrap admin passphrase 2026";

    private static readonly TimeSpan PastTheWindow = TimeSpan.FromMinutes(2);

    private (ApiFactory Factory, IdentityTestClient Client, ShiftedTimeProvider Clock) Start(string? adminEmail = null)
    {
        var clock = new ShiftedTimeProvider();
        var settings = new Dictionary<string, string?> { ["Coinage:Identity:StepUp:Window"] = "00:01:00" };
        if (adminEmail is not null)
        {
            settings["Coinage:Admin:Email"] = adminEmail;
            settings["Coinage:Admin:Password"] = BootstrapPassword;
        }
        var factory = new ApiFactory(infrastructure, settings, b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        return (factory, new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString), clock);
    }

    private static async Task<JsonElement> AssertStepUpRequiredAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal("step_up_required", problem.GetProperty("code").GetString());
        Assert.Equal("https://coinage.dev/problems/step_up_required", problem.GetProperty("type").GetString());
        Assert.Equal(60, problem.GetProperty("maxAgeSeconds").GetInt32());
        return problem;
    }

    private static string[] Methods(JsonElement problem) =>
        problem.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray();

    [Fact]
    public async Task A_privileged_action_answers_a_fresh_second_factor_only_and_a_step_up_code_works_once()
    {
        var adminEmail = NewEmail("admin");
        var (factory, client, clock) = Start(adminEmail);
        await using var api = factory;
        var (admin, _, secret) = await client.BootstrapAdminSessionAsync(adminEmail, BootstrapPassword);
        var trader = NewEmail("trader");
        await client.RegisterAsync(trader);
        var traderId = await UserIdAsync(client, admin, trader);

        // Turning 2FA on just proved a second factor: the lock answers at once.
        using (var locked = await client.PostAsync($"/api/v1/admin/users/{traderId}/lock", null, admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, locked.StatusCode);
        }

        clock.Offset = PastTheWindow;
        // Reading stays open; every privileged change asks for a fresh proof, with the methods this user has.
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", admin))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        }
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Post, $"/api/v1/admin/users/{traderId}/unlock"),
            (HttpMethod.Post, $"/api/v1/admin/users/{traderId}/lock"),
            (HttpMethod.Put, $"/api/v1/admin/users/{traderId}/roles/Support"),
            (HttpMethod.Delete, $"/api/v1/admin/users/{traderId}/roles/Support"),
            (HttpMethod.Post, "/api/v1/admin/funding/deposits/1/approve"),
            (HttpMethod.Post, "/api/v1/admin/funding/deposits/1/reject"),
            (HttpMethod.Post, "/api/v1/admin/funding/withdrawals/1/approve"),
            (HttpMethod.Post, "/api/v1/admin/funding/withdrawals/1/reject"),
            (HttpMethod.Post, "/api/v1/admin/markets/BTC-USD/halt"),
            (HttpMethod.Post, "/api/v1/admin/markets/BTC-USD/resume"),
            (HttpMethod.Post, "/api/v1/admin/markets"),
            (HttpMethod.Post, "/api/v1/admin/assets"),
        })
        {
            using var refused = await client.SendAsync(method, path, admin, new { });
            Assert.Equal(["totp", "recovery_code"], Methods(await AssertStepUpRequiredAsync(refused)));
        }

        // A second factor is the only proof of a user who has one.
        using (var password = await client.PostAsync("/api/v1/account/step-up", new { password = AdminOwnPassword }, admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
            Assert.True((await JsonAsync(password)).GetProperty("errors").TryGetProperty("password", out _));
        }
        using (var wrong = await client.PostAsync("/api/v1/account/step-up", new { code = "000000" }, admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.True((await JsonAsync(wrong)).GetProperty("errors").TryGetProperty("code", out _));
        }
        using (var both = await client.PostAsync("/api/v1/account/step-up", new { code = "123456", password = "x" }, admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        }
        // The API's clock is four time steps ahead of the test's: the code of that step.
        var code = Totp(secret, 4);
        using (var stepUp = await client.PostAsync("/api/v1/account/step-up", new { code }, admin))
        {
            Assert.Equal(HttpStatusCode.OK, stepUp.StatusCode);
            var body = await JsonAsync(stepUp);
            Assert.Equal("totp", body.GetProperty("method").GetString());
            Assert.True(body.GetProperty("freshUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow + PastTheWindow);
        }
        using (var unlock = await client.PostAsync($"/api/v1/admin/users/{traderId}/unlock", null, admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlock.StatusCode);
        }
        using (var again = await client.PostAsync("/api/v1/account/step-up", new { code }, admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        }
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.actor_user_id WHERE u.email = @e AND a.action = 'auth.stepped_up'", ("e", adminEmail)));
        Assert.Equal(3, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.actor_user_id WHERE u.email = @e AND a.action = 'auth.step_up_failed'", ("e", adminEmail)));

        // The proof belongs to the session that gave it, and goes stale in its turn.
        clock.Offset = PastTheWindow * 2;
        using (var stale = await client.PostAsync($"/api/v1/admin/users/{traderId}/lock", null, admin))
        {
            await AssertStepUpRequiredAsync(stale);
        }
    }

    [Fact]
    public async Task A_trader_without_2fa_proves_with_the_password_to_turn_it_on_and_with_a_second_factor_afterwards()
    {
        var (factory, client, clock) = Start();
        await using var api = factory;
        var email = NewEmail();
        var (access, _) = await client.SignedInUserAsync(email);

        clock.Offset = PastTheWindow;
        using (var setup = await client.PostAsync("/api/v1/account/2fa/setup", null, access))
        {
            Assert.Equal(["password"], Methods(await AssertStepUpRequiredAsync(setup)));
        }
        // Without 2FA the current password in its body is the password change's own proof: not asked twice.
        using (var change = await client.PostAsync("/api/v1/account/password", new { currentPassword = Password, newPassword = Password }, access))
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, change.StatusCode);
        }
        using (var code = await client.PostAsync("/api/v1/account/step-up", new { code = "123456" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, code.StatusCode);
        }
        using (var wrong = await client.PostAsync("/api/v1/account/step-up", new { password = Password + "!" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using (var proof = await client.PostAsync("/api/v1/account/step-up", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.OK, proof.StatusCode);
            Assert.Equal("password", (await JsonAsync(proof)).GetProperty("method").GetString());
        }
        string secret;
        using (var setup = await client.PostAsync("/api/v1/account/2fa/setup", null, access))
        {
            Assert.Equal(HttpStatusCode.OK, setup.StatusCode);
            secret = (await JsonAsync(setup)).GetProperty("secret").GetString()!;
        }
        string[] recoveryCodes;
        using (var enable = await client.PostAsync("/api/v1/account/2fa/enable", new { code = Totp(secret, 4) }, access))
        {
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
            recoveryCodes = (await JsonAsync(enable)).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        }

        // 2FA on: the password change needs a second factor of the last minute, and the password no longer proves anything.
        clock.Offset = PastTheWindow * 2;
        const string newPassword = "a different passphrase of mine 2026";
        using (var change = await client.PostAsync("/api/v1/account/password", new { currentPassword = Password, newPassword }, access))
        {
            Assert.Equal(["totp", "recovery_code"], Methods(await AssertStepUpRequiredAsync(change)));
        }
        using (var password = await client.PostAsync("/api/v1/account/step-up", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
        }
        using (var recovery = await client.PostAsync("/api/v1/account/step-up", new { recoveryCode = recoveryCodes[0] }, access))
        {
            Assert.Equal(HttpStatusCode.OK, recovery.StatusCode);
            Assert.Equal("recovery_code", (await JsonAsync(recovery)).GetProperty("method").GetString());
        }
        using (var change = await client.PostAsync("/api/v1/account/password", new { currentPassword = Password, newPassword }, access))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }
        using (var spent = await client.PostAsync("/api/v1/account/step-up", new { recoveryCode = recoveryCodes[0] }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, spent.StatusCode);
        }
    }

    private static async Task<string> UserIdAsync(IdentityTestClient client, string admin, string email)
    {
        using var response = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(email)}", admin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString()!;
    }
}
