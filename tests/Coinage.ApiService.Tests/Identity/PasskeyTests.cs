using System.Net;
using System.Text.Json;
using Coinage.ApiService.Identity;
using Microsoft.IdentityModel.JsonWebTokens;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>
/// Issue 21, item 7: passkeys (WebAuthn) registered, named, listed and removed; used to sign in without a
/// password and as the second factor of a password sign-in. The ceremonies run against
/// <see cref="SoftwareAuthenticator"/>, with the relying party and origin set as a deployment would.
/// </summary>
public sealed class PasskeyTests(InfrastructureFixture infrastructure)
{
    private const string Origin = "https://app.coinage.test";
    private const string RelyingPartyId = "coinage.test";
    private const string SupportRoleId = "0193a000-0000-7000-8000-000000000002";

    private ApiFactory Factory() => new(infrastructure, new Dictionary<string, string?>
    {
        ["Coinage:Passkeys:RelyingPartyId"] = RelyingPartyId,
        ["Coinage:Passkeys:Origins:0"] = Origin,
    });

    private IdentityTestClient Client(ApiFactory factory) => new(factory.CreateClient(), infrastructure.PostgresConnectionString);

    private static SoftwareAuthenticator Authenticator() => new(Origin, RelyingPartyId);

    /// <summary>Runs a registration ceremony; returns the answer (the response is the caller's to check).</summary>
    private static async Task<HttpResponseMessage> RegisterAsync(IdentityTestClient client, string access, SoftwareAuthenticator authenticator, string name)
    {
        using var options = await client.PostAsync("/api/v1/account/passkeys/options", null, access);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        var ceremony = await JsonAsync(options);
        var credential = authenticator.Create(ceremony.GetProperty("options"));
        return await client.PostAsync("/api/v1/account/passkeys", new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), name, credential }, access);
    }

    private static async Task<JsonElement> RegisteredAsync(IdentityTestClient client, string access, SoftwareAuthenticator authenticator, string name)
    {
        using var response = await RegisterAsync(client, access, authenticator, name);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await JsonAsync(response);
    }

    private static async Task<JsonElement> SignInOptionsAsync(IdentityTestClient client)
    {
        using var options = await client.PostAsync("/api/v1/auth/passkey/options", null);
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        return await JsonAsync(options);
    }

    private static IReadOnlyList<string> Amr(string accessToken) =>
        new JsonWebToken(accessToken).Claims.Where(c => c.Type == "amr").Select(c => c.Value).ToList();

    private static async Task<string> UserIdAsync(IdentityTestClient client, string access)
    {
        using var profile = await client.SendAsync(HttpMethod.Get, "/api/v1/account/profile", access);
        return (await JsonAsync(profile)).GetProperty("id").GetString()!;
    }

    private static Task<long> AuditCountAsync(IdentityTestClient client, string email, string action) =>
        client.CountAsync("SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = @a", ("e", email), ("a", action));

    [Fact]
    public async Task Several_passkeys_are_registered_named_listed_renamed_and_removed()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var email = NewEmail("passkeys");
        var (access, _) = await client.SignedInUserAsync(email);
        using var laptop = Authenticator();
        using var phone = Authenticator();

        using (var options = await client.PostAsync("/api/v1/account/passkeys/options", null, access))
        {
            var creation = (await JsonAsync(options)).GetProperty("options");
            Assert.Equal("required", creation.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
            Assert.Equal("required", creation.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
            Assert.Equal("none", creation.GetProperty("attestation").GetString());
            Assert.Equal(email, creation.GetProperty("user").GetProperty("name").GetString());
        }

        // The first passkey is the account's first second factor: it comes with recovery codes; the second does not.
        var first = await RegisteredAsync(client, access, laptop, "Laptop");
        Assert.Equal(10, first.GetProperty("recoveryCodes").GetArrayLength());
        Assert.Equal("Laptop", first.GetProperty("passkey").GetProperty("name").GetString());
        Assert.Equal(["internal", "hybrid"], first.GetProperty("passkey").GetProperty("transports").EnumerateArray().Select(t => t.GetString()));
        using (var sameName = await RegisterAsync(client, access, phone, "Laptop"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, sameName.StatusCode);
            Assert.True((await JsonAsync(sameName)).GetProperty("errors").TryGetProperty("name", out _));
        }
        var second = await RegisteredAsync(client, access, phone, "Phone");
        Assert.Equal(JsonValueKind.Null, second.GetProperty("recoveryCodes").ValueKind);

        // The creation options of the next ceremony exclude both, and registering the same credential again is refused.
        using (var options = await client.PostAsync("/api/v1/account/passkeys/options", null, access))
        {
            var excluded = (await JsonAsync(options)).GetProperty("options").GetProperty("excludeCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToHashSet();
            Assert.Equal(new HashSet<string?> { laptop.CredentialIdText, phone.CredentialIdText }, excluded);
        }
        using (var again = await RegisterAsync(client, access, laptop, "Laptop again"))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/passkeys", access))
        {
            var passkeys = (await JsonAsync(list)).EnumerateArray().ToList();
            Assert.Equal(["Laptop", "Phone"], passkeys.Select(p => p.GetProperty("name").GetString()));
            Assert.All(passkeys, p => Assert.Equal(JsonValueKind.Null, p.GetProperty("lastUsedAt").ValueKind));
            Assert.All(passkeys, p => Assert.True(p.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5)));
        }
        var phoneId = second.GetProperty("passkey").GetProperty("id").GetString();
        using (var rename = await client.SendAsync(HttpMethod.Patch, $"/api/v1/account/passkeys/{phoneId}", access, new { name = "Work phone" }))
        {
            Assert.Equal(HttpStatusCode.OK, rename.StatusCode);
            Assert.Equal("Work phone", (await JsonAsync(rename)).GetProperty("name").GetString());
        }
        using (var badName = await client.SendAsync(HttpMethod.Patch, $"/api/v1/account/passkeys/{phoneId}", access, new { name = "<script>" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
            Assert.True((await JsonAsync(badName)).GetProperty("errors").TryGetProperty("name", out _));
        }

        // Someone else's passkey is not found, whether renamed or removed.
        var (stranger, _) = await client.SignedInUserAsync(NewEmail("stranger"));
        using (var rename = await client.SendAsync(HttpMethod.Patch, $"/api/v1/account/passkeys/{phoneId}", stranger, new { name = "Mine" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, rename.StatusCode);
        }
        using (var remove = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/passkeys/{phoneId}", stranger))
        {
            Assert.Equal(HttpStatusCode.NotFound, remove.StatusCode);
        }

        using (var remove = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/passkeys/{phoneId}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/passkeys", access))
        {
            Assert.Equal(["Laptop"], (await JsonAsync(list)).EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        }
        Assert.Equal(2, await AuditCountAsync(client, email, "auth.passkey_registered"));
        Assert.Equal(1, await AuditCountAsync(client, email, "auth.passkey_renamed"));
        Assert.Equal(1, await AuditCountAsync(client, email, "auth.passkey_removed"));
        // The owner is told of every passkey added and removed (a passkey signs in on its own), by name.
        var changes = await client.CountAsync(
            "SELECT count(*) FROM outbox_messages WHERE type = 'email.passkey_changed' AND payload->>'to' = @e", ("e", email));
        Assert.Equal(3, changes);
        var removed = await client.LastEmailAsync(email, "email.passkey_changed");
        Assert.Equal(("removed", "Work phone"), (removed.GetProperty("data").GetProperty("change").GetString(), removed.GetProperty("data").GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_passkey_signs_in_without_a_password_and_each_challenge_answers_once()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var email = NewEmail("passwordless");
        var (access, _) = await client.SignedInUserAsync(email);
        using var authenticator = Authenticator();
        await RegisteredAsync(client, access, authenticator, "Laptop");

        var ceremony = await SignInOptionsAsync(client);
        var options = ceremony.GetProperty("options");
        Assert.Equal(0, options.TryGetProperty("allowCredentials", out var allowed) ? allowed.GetArrayLength() : 0);
        Assert.Equal("required", options.GetProperty("userVerification").GetString());
        var credential = authenticator.Get(options);
        var login = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential };
        using (var signedIn = await client.PostAsync("/api/v1/auth/passkey/login", login))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            var tokens = await JsonAsync(signedIn);
            var token = tokens.GetProperty("accessToken").GetString()!;
            Assert.Equal(["hwk"], Amr(token));
            Assert.Equal(HttpStatusCode.OK, await client.ProfileStatusAsync(token));
        }
        // The same answer again: the ceremony is spent.
        using (var replay = await client.PostAsync("/api/v1/auth/passkey/login", login))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
            Assert.Equal(ErrorCodes.InvalidToken, await CodeAsync(replay));
        }
        // The same signed answer under a new ceremony: its challenge is not the one signed.
        var fresh = await SignInOptionsAsync(client);
        using (var replayed = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = fresh.GetProperty("ceremonyId").GetString(), credential }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(replayed));
        }
        // Without user verification a passkey is one factor only: refused for a sign-in without a password.
        var noUv = await SignInOptionsAsync(client);
        using (var unverified = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = noUv.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(noUv.GetProperty("options"), userVerified: false) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unverified.StatusCode);
        }
        // Another site's page (phishing) signs its own origin into clientDataJSON: refused.
        authenticator.Origin = "https://coinage-login.example";
        var phished = await SignInOptionsAsync(client);
        using (var wrongOrigin = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = phished.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(phished.GetProperty("options")) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongOrigin.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(wrongOrigin));
        }
        authenticator.Origin = Origin;

        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/passkeys", access))
        {
            Assert.NotEqual(JsonValueKind.Null, (await JsonAsync(list))[0].GetProperty("lastUsedAt").ValueKind);
        }
        Assert.Equal(1, await AuditCountAsync(client, email, "auth.passkey_used"));
        Assert.Equal(1, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.signed_in' AND a.data::jsonb->>'amr' = 'hwk'", ("e", email)));

        // A locked account stays locked, whatever signs in.
        await client.CountAsync("UPDATE users SET lockout_end = now() + interval '10 minutes' WHERE email = @e RETURNING 1", ("e", email));
        var locked = await SignInOptionsAsync(client);
        using (var refused = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = locked.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(locked.GetProperty("options")) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(ErrorCodes.AccountLocked, await CodeAsync(refused));
        }
    }

    [Fact]
    public async Task A_passkey_is_the_second_factor_of_a_password_sign_in_and_opens_the_staff_endpoints()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var email = NewEmail("staff");
        var (access, _) = await client.SignedInUserAsync(email);
        var userId = await UserIdAsync(client, access);
        await client.CountAsync("INSERT INTO user_roles (user_id, role_id) VALUES (@u::uuid, @r::uuid) RETURNING 1", ("u", userId), ("r", SupportRoleId));
        using var authenticator = Authenticator();
        var recoveryCodes = (await RegisteredAsync(client, access, authenticator, "Security key")).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToList();

        // The password alone is not enough any more; the answer says which second factors the user has.
        var login = await client.LoginAsync(email);
        Assert.True(login.GetProperty("twoFactorRequired").GetBoolean());
        Assert.Equal(["passkey", "recovery_code"], login.GetProperty("twoFactorMethods").EnumerateArray().Select(m => m.GetString()));
        var challenge = login.GetProperty("challengeToken").GetString()!;
        using var optionsResponse = await client.PostAsync("/api/v1/auth/login/2fa/passkey/options", new { challengeToken = challenge });
        Assert.Equal(HttpStatusCode.OK, optionsResponse.StatusCode);
        var ceremony = await JsonAsync(optionsResponse);
        Assert.Equal([authenticator.CredentialIdText], ceremony.GetProperty("options").GetProperty("allowCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        string staff;
        string staffRefresh;
        using (var completed = await client.PostAsync("/api/v1/auth/login/2fa", new
        {
            challengeToken = challenge,
            passkey = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(ceremony.GetProperty("options")) },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            var tokens = await JsonAsync(completed);
            staff = tokens.GetProperty("accessToken").GetString()!;
            staffRefresh = tokens.GetProperty("refreshToken").GetString()!;
        }
        Assert.Equal(["pwd", "hwk"], Amr(staff));
        using (var users = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", staff))
        {
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        }

        // Recovery codes still complete the step.
        var second = (await client.LoginAsync(email)).GetProperty("challengeToken").GetString()!;
        using (var recovered = await client.PostAsync("/api/v1/auth/login/2fa", new { challengeToken = second, recoveryCode = recoveryCodes[0] }))
        {
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
            Assert.Equal(["pwd", "rec"], Amr((await JsonAsync(recovered)).GetProperty("accessToken").GetString()!));
        }

        // Removing the last second factor closes the staff endpoints at once: the token is refused, and the
        // refreshed one no longer counts a second factor.
        string? passkeyId;
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/account/passkeys", staff))
        {
            passkeyId = (await JsonAsync(list))[0].GetProperty("id").GetString();
        }
        using (var remove = await client.SendAsync(HttpMethod.Delete, $"/api/v1/account/passkeys/{passkeyId}", staff))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }
        using (var stale = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", staff))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }
        var refreshed = (await client.RefreshAsync(staffRefresh)).GetProperty("accessToken").GetString()!;
        Assert.Equal(["pwd"], Amr(refreshed));
        using (var closed = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", refreshed))
        {
            Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
            Assert.Equal(ErrorCodes.SecondFactorRequired, await CodeAsync(closed));
        }
        // And with it the recovery codes: the password alone signs in again.
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM recovery_codes WHERE user_id = @u::uuid", ("u", userId)));
        Assert.False((await client.LoginAsync(email)).GetProperty("twoFactorRequired").GetBoolean());
    }

    [Fact]
    public async Task A_sign_count_going_back_is_refused_as_a_cloned_authenticator()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var email = NewEmail("clone");
        var (access, _) = await client.SignedInUserAsync(email);
        using var authenticator = Authenticator();
        await RegisteredAsync(client, access, authenticator, "Key");
        authenticator.SignCount = 41;
        var ceremony = await SignInOptionsAsync(client);
        using (var ok = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(ceremony.GetProperty("options")) }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal(42, await client.CountAsync("SELECT sign_count FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = @e", ("e", email)));

        // A copy of the key that signed less often: its counter is behind (or equal to) the stored one.
        foreach (var counter in new uint[] { 41, 10 })
        {
            authenticator.SignCount = counter;
            var next = await SignInOptionsAsync(client);
            using var refused = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = next.GetProperty("ceremonyId").GetString(), credential = authenticator.Get(next.GetProperty("options")) });
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(refused));
        }
        Assert.Equal(42, await client.CountAsync("SELECT sign_count FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = @e", ("e", email)));
        Assert.Equal(2, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.sign_in_failed' AND a.data::jsonb->>'reason' = 'passkey_sign_count_regressed'", ("e", email)));
        // Counted toward the lockout like a wrong password.
        Assert.Equal(2, await client.CountAsync("SELECT access_failed_count FROM users WHERE email = @e", ("e", email)));
    }

    [Fact]
    public async Task Someone_elses_passkey_proves_nothing()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var victimEmail = NewEmail("victim");
        var (victimAccess, _) = await client.SignedInUserAsync(victimEmail);
        var attackerEmail = NewEmail("attacker");
        var (attackerAccess, _) = await client.SignedInUserAsync(attackerEmail);
        using var victimKey = Authenticator();
        using var attackerKey = Authenticator();
        await RegisteredAsync(client, victimAccess, victimKey, "Victim's key");
        await RegisteredAsync(client, attackerAccess, attackerKey, "Attacker's key");

        // The attacker knows the victim's password; their own passkey does not complete the victim's 2FA step.
        var challenge = (await client.LoginAsync(victimEmail)).GetProperty("challengeToken").GetString()!;
        using var optionsResponse = await client.PostAsync("/api/v1/auth/login/2fa/passkey/options", new { challengeToken = challenge });
        var ceremony = await JsonAsync(optionsResponse);
        using (var refused = await client.PostAsync("/api/v1/auth/login/2fa", new
        {
            challengeToken = challenge,
            passkey = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), credential = attackerKey.Get(ceremony.GetProperty("options")) },
        }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(refused));
        }
        // A ceremony started for the victim's 2FA step does not sign anyone in without a password, and the
        // attacker's credential presented under the victim's user handle is refused.
        using var other = await client.PostAsync("/api/v1/auth/login/2fa/passkey/options", new { challengeToken = challenge });
        var otherCeremony = await JsonAsync(other);
        using (var crossed = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = otherCeremony.GetProperty("ceremonyId").GetString(), credential = victimKey.Get(otherCeremony.GetProperty("options")) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, crossed.StatusCode);
            Assert.Equal(ErrorCodes.InvalidToken, await CodeAsync(crossed));
        }
        var signIn = await SignInOptionsAsync(client);
        using (var impersonation = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = signIn.GetProperty("ceremonyId").GetString(), credential = attackerKey.Get(signIn.GetProperty("options"), userHandle: victimKey.UserHandle) }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, impersonation.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(impersonation));
        }
        Assert.Equal(0, await client.CountAsync(
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE u.email = @e AND a.action = 'auth.signed_in' AND a.data::jsonb->>'amr' <> 'pwd'", ("e", victimEmail)));
    }

    [Fact]
    public async Task A_registration_ceremony_answers_once_and_bad_input_is_named()
    {
        await using var factory = Factory();
        var client = Client(factory);
        var (access, _) = await client.SignedInUserAsync(NewEmail("replay"));
        using var authenticator = Authenticator();
        using var options = await client.PostAsync("/api/v1/account/passkeys/options", null, access);
        var ceremony = await JsonAsync(options);
        var credential = authenticator.Create(ceremony.GetProperty("options"));
        var body = new { ceremonyId = ceremony.GetProperty("ceremonyId").GetString(), name = "Key", credential };
        using (var first = await client.PostAsync("/api/v1/account/passkeys", body, access))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        using (var replay = await client.PostAsync("/api/v1/account/passkeys", body with { name = "Key 2" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
            Assert.Equal(ErrorCodes.InvalidToken, await CodeAsync(replay));
        }
        // Another user cannot finish a ceremony they did not start.
        var (other, _) = await client.SignedInUserAsync(NewEmail("other"));
        using var otherOptions = await client.PostAsync("/api/v1/account/passkeys/options", null, access);
        var started = await JsonAsync(otherOptions);
        using var fresh = Authenticator();
        using (var stolen = await client.PostAsync("/api/v1/account/passkeys", new { ceremonyId = started.GetProperty("ceremonyId").GetString(), name = "Key", credential = fresh.Create(started.GetProperty("options")) }, other))
        {
            Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
            Assert.Equal(ErrorCodes.InvalidToken, await CodeAsync(stolen));
        }

        using (var malformed = await client.PostAsync("/api/v1/account/passkeys", new { ceremonyId = "x", name = "", credential = new { rawId = "not base64url!", type = "public-key", response = new { clientDataJSON = "" } } }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            var errors = (await JsonAsync(malformed)).GetProperty("errors");
            Assert.True(errors.TryGetProperty("name", out _));
            Assert.True(errors.TryGetProperty("credential.rawId", out _));
            Assert.True(errors.TryGetProperty("credential.response.clientDataJSON", out _));
            Assert.True(errors.TryGetProperty("credential.response.attestationObject", out _));
        }
        using (var garbage = await client.PostAsync("/api/v1/auth/passkey/login", new { ceremonyId = (await SignInOptionsAsync(client)).GetProperty("ceremonyId").GetString(), credential = new { rawId = "AAAA", type = "public-key", response = new { clientDataJSON = "AAAA", authenticatorData = "AAAA", signature = "AAAA" } } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
            Assert.Equal(ErrorCodes.PasskeyRefused, await CodeAsync(garbage));
        }
    }
}
