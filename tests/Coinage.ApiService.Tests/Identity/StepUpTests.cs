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

    private const string Origin = "https://app.coinage.test";
    private const string RelyingPartyId = "coinage.test";
    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private const string OtherBtcAddress = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh";
    private const string Iban = "DE89370400440532013000";

    private (ApiFactory Factory, IdentityTestClient Client, ShiftedTimeProvider Clock) Start(string? adminEmail = null)
    {
        var clock = new ShiftedTimeProvider();
        var settings = new Dictionary<string, string?>
        {
            ["Coinage:Identity:StepUp:Window"] = "00:01:00",
            ["Coinage:Passkeys:RelyingPartyId"] = RelyingPartyId,
            ["Coinage:Passkeys:Origins:0"] = Origin,
        };
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
            (HttpMethod.Post, "/api/v1/admin/markets/BTC-USD/cancel-only"),
            (HttpMethod.Put, "/api/v1/admin/markets/BTC-USD/risk"),
            (HttpMethod.Post, $"/api/v1/admin/users/{traderId}/trading-suspension"),
            (HttpMethod.Delete, $"/api/v1/admin/users/{traderId}/trading-suspension"),
            (HttpMethod.Post, "/api/v1/admin/markets"),
            (HttpMethod.Post, "/api/v1/admin/assets"),
            (HttpMethod.Put, "/api/v1/admin/assets/BTC/withdrawal-fee"),
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

    [Fact]
    public async Task A_passkey_steps_up_once_per_ceremony_for_a_step_up_only_and_opens_the_gated_endpoint()
    {
        var (factory, client, clock) = Start();
        await using var api = factory;
        var email = NewEmail("passkey-step-up");
        var (access, _) = await client.SignedInUserAsync(email);
        using var laptop = new SoftwareAuthenticator(Origin, RelyingPartyId);
        using (var registered = await RegisterPasskeyAsync(client, access, laptop, "Laptop"))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        // The passkey is the account's only second factor: the methods say so, and a code or the password is refused by name.
        clock.Offset = PastTheWindow;
        using (var refused = await client.PostAsync("/api/v1/account/passkeys/options", null, access))
        {
            Assert.Equal(["passkey", "recovery_code"], Methods(await AssertStepUpRequiredAsync(refused)));
        }
        using (var code = await client.PostAsync("/api/v1/account/step-up", new { code = "123456" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, code.StatusCode);
            Assert.Equal("Your account has no authenticator app: confirm with one of your passkeys or a recovery code.",
                (await JsonAsync(code)).GetProperty("errors").GetProperty("code")[0].GetString());
        }
        using (var password = await client.PostAsync("/api/v1/account/step-up", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, password.StatusCode);
            Assert.True((await JsonAsync(password)).GetProperty("errors").TryGetProperty("password", out _));
        }

        // An answer given to complete a sign-in does not step up, though it is the same user's passkey.
        var challenge = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;
        using (var signInOptions = await client.PostAsync("/api/v1/auth/login/2fa/passkey/options", new { challengeToken = challenge }))
        {
            var signInCeremony = await JsonAsync(signInOptions);
            using var crossed = await client.PostAsync("/api/v1/account/step-up", PasskeyProof(signInCeremony, laptop), access);
            Assert.Equal(HttpStatusCode.BadRequest, crossed.StatusCode);
            Assert.True((await JsonAsync(crossed)).GetProperty("errors").TryGetProperty("passkey.ceremonyId", out _));
        }

        var ceremony = await StepUpOptionsAsync(client, access);
        Assert.Equal([laptop.CredentialIdText], ceremony.GetProperty("options").GetProperty("allowCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var proof = PasskeyProof(ceremony, laptop);
        using (var stepUp = await client.PostAsync("/api/v1/account/step-up", proof, access))
        {
            Assert.Equal(HttpStatusCode.OK, stepUp.StatusCode);
            Assert.Equal("passkey", (await JsonAsync(stepUp)).GetProperty("method").GetString());
        }
        using (var replay = await client.PostAsync("/api/v1/account/step-up", proof, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
            Assert.True((await JsonAsync(replay)).GetProperty("errors").TryGetProperty("passkey.ceremonyId", out _));
        }
        using var phone = new SoftwareAuthenticator(Origin, RelyingPartyId);
        using (var registered = await RegisterPasskeyAsync(client, access, phone, "Phone"))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }

        // Nor does a step-up's answer complete a sign-in.
        var stepUpCeremony = await StepUpOptionsAsync(client, access);
        using (var wrongPurpose = await client.PostAsync("/api/v1/auth/login/2fa", new
        {
            challengeToken = challenge,
            passkey = new { ceremonyId = stepUpCeremony.GetProperty("ceremonyId").GetString(), credential = laptop.Get(stepUpCeremony.GetProperty("options")) },
        }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongPurpose.StatusCode);
            var problem = await JsonAsync(wrongPurpose);
            Assert.Equal(("invalid_token", "Invalid or expired passkey challenge"), (problem.GetProperty("code").GetString(), problem.GetProperty("title").GetString()));
        }

        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.actor_user_id WHERE u.email = @e AND a.action = 'auth.stepped_up' AND a.data::jsonb->>'method' = 'passkey'", ("e", email)));
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.actor_user_id WHERE u.email = @e AND a.action = 'auth.passkey_used' AND a.data::jsonb->>'purpose' = 'step_up'", ("e", email)));
        Assert.Equal(4, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.actor_user_id WHERE u.email = @e AND a.action = 'auth.step_up_failed'", ("e", email)));
    }

    [Fact]
    public async Task Registering_a_passkey_and_adding_a_withdrawal_address_need_a_fresh_proof_and_a_sign_in_is_one()
    {
        var (factory, client, clock) = Start();
        await using var api = factory;
        var email = NewEmail("gated");
        var (access, _) = await client.SignedInUserAsync(email);

        // Signing in just proved the user: the address is saved at once.
        using (var added = await AddAddressAsync(client, access, "BTC", BtcAddress))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }

        clock.Offset = PastTheWindow;
        using (var refused = await AddAddressAsync(client, access, "USD", Iban))
        {
            Assert.Equal(["password"], Methods(await AssertStepUpRequiredAsync(refused)));
        }
        using var laptop = new SoftwareAuthenticator(Origin, RelyingPartyId);
        using (var refused = await client.PostAsync("/api/v1/account/passkeys/options", null, access))
        {
            Assert.Equal(["password"], Methods(await AssertStepUpRequiredAsync(refused)));
        }
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/wallet/withdrawal-addresses", access))
        {
            Assert.Equal(1, (await JsonAsync(list)).GetArrayLength());
        }
        await client.StepUpAsync(access, totpSecret: null);
        string addressId;
        using (var added = await AddAddressAsync(client, access, "USD", Iban))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            addressId = (await JsonAsync(added)).GetProperty("id").GetString()!;
        }
        string passkeyId;
        using (var registered = await RegisterPasskeyAsync(client, access, laptop, "Laptop"))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            passkeyId = (await JsonAsync(registered)).GetProperty("passkey").GetProperty("id").GetString()!;
        }

        // Past the window again: adding asks for the passkey now; removing a passkey asks too; renaming and removing an address do not.
        clock.Offset = PastTheWindow * 2;
        using (var refused = await AddAddressAsync(client, access, "BTC", OtherBtcAddress))
        {
            Assert.Equal(["passkey", "recovery_code"], Methods(await AssertStepUpRequiredAsync(refused)));
        }
        using (var refused = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/passkeys/{passkeyId}", access))
        {
            await AssertStepUpRequiredAsync(refused);
        }
        using (var renamed = await client.SendAsync(HttpMethod.Patch, $"/api/v1/account/passkeys/{passkeyId}", access, new { name = "Old laptop" }))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }
        using (var removed = await client.SendAsync(HttpMethod.Delete, $"/api/v1/wallet/withdrawal-addresses/{addressId}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        // A password sign-in completed with the passkey is a fresh proof, as every sign-in is. (Back to the real
        // time first: the new token's times must be those the token validator sees.)
        clock.Offset = TimeSpan.Zero;
        var challenge = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;
        using var options = await client.PostAsync("/api/v1/auth/login/2fa/passkey/options", new { challengeToken = challenge });
        var ceremony = await JsonAsync(options);
        string signedIn;
        using (var completed = await client.PostAsync("/api/v1/auth/login/2fa", new
        {
            challengeToken = challenge,
            passkey = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential = laptop.Get(ceremony.GetProperty("options")) },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            signedIn = (await JsonAsync(completed)).GetProperty("accessToken").GetString()!;
        }
        using (var added = await AddAddressAsync(client, signedIn, "BTC", OtherBtcAddress))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        using (var removed = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/passkeys/{passkeyId}", signedIn))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
    }

    private static Task<HttpResponseMessage> AddAddressAsync(IdentityTestClient client, string access, string asset, string address) =>
        client.PostAsync("/api/v1/wallet/withdrawal-addresses", new { asset, label = $"{asset} address", address }, access);

    private static async Task<HttpResponseMessage> RegisterPasskeyAsync(IdentityTestClient client, string access, SoftwareAuthenticator authenticator, string name)
    {
        using var options = await client.PostAsync("/api/v1/account/passkeys/options", null, access);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var ceremony = await JsonAsync(options);
        return await client.PostAsync("/api/v1/account/passkeys", new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), name, credential = authenticator.Create(ceremony.GetProperty("options")) }, access);
    }

    private static async Task<JsonElement> StepUpOptionsAsync(IdentityTestClient client, string access)
    {
        using var options = await client.PostAsync("/api/v1/account/step-up/passkey/options", null, access);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        return await JsonAsync(options);
    }

    private static object PasskeyProof(JsonElement ceremony, SoftwareAuthenticator authenticator) =>
        new { passkey = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(ceremony.GetProperty("options")) } };

    private static async Task<string> UserIdAsync(IdentityTestClient client, string admin, string email)
    {
        using var response = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(email)}", admin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString()!;
    }
}

/// <summary>Which proof a sign-in counts as, and which methods a user is offered: pure rules, no infrastructure.</summary>
public sealed class StepUpMethodsTests
{
    [Theory]
    [InlineData("pwd", "password")]
    [InlineData("pwd otp", "totp")]
    [InlineData("pwd rec", "recovery_code")]
    [InlineData("pwd hwk", "passkey")]
    [InlineData("hwk", "passkey")]
    public void A_sign_in_counts_as_its_strongest_factor(string amr, string method) =>
        Assert.Equal(method, Coinage.ApiService.Identity.StepUp.StepUpMethods.FromAmr(amr));

    [Theory]
    [InlineData(false, false, false, "password")]
    [InlineData(false, false, true, "password")]
    [InlineData(true, false, true, "totp recovery_code")]
    [InlineData(false, true, true, "passkey recovery_code")]
    [InlineData(false, true, false, "passkey")]
    [InlineData(true, true, true, "passkey totp recovery_code")]
    public void The_methods_offered_are_the_factors_the_user_has(bool totp, bool passkey, bool recoveryCodes, string methods) =>
        Assert.Equal(methods.Split(' '), new Coinage.ApiService.Identity.StepUp.SecondFactors(totp, passkey, recoveryCodes).Methods());
}
