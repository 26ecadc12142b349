using System.Net;
using Coinage.ApiService.Identity;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

/// <summary>Issue 21, items 1 and 2: privileged access follows the user's current standing, and needs a second factor.</summary>
public sealed class PrivilegedAccessTests(InfrastructureFixture infrastructure)
{
    private const string BootstrapPassword = "bootstrap admin passphrase 2026";

    private static Dictionary<string, string?> AdminSettings(string email) => new()
    {
        ["Coinage:Admin:Email"] = email,
        ["Coinage:Admin:Password"] = BootstrapPassword,
    };

    private static async Task<HttpStatusCode> ListUsersAsync(IdentityTestClient client, string access)
    {
        using var response = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", access);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_revoked_role_stops_answering_at_the_next_request_on_every_replica()
    {
        var adminEmail = NewEmail("admin");
        // Two replicas of the API on the same PostgreSQL and Redis, as behind a load balancer.
        await using var replica1 = new ApiFactory(infrastructure, AdminSettings(adminEmail));
        await using var replica2 = new ApiFactory(infrastructure, AdminSettings(adminEmail));
        var client1 = new IdentityTestClient(replica1.CreateClient(), infrastructure.PostgresConnectionString);
        var client2 = new IdentityTestClient(replica2.CreateClient(), infrastructure.PostgresConnectionString);
        var admin = await client1.BootstrapAdminAsync(adminEmail, BootstrapPassword);

        var email = NewEmail("support");
        var (signedIn, signedInRefresh) = await client2.SignedInUserAsync(email);
        string userId;
        using (var profile = await client2.SendAsync(HttpMethod.Get, "/api/v1/account/profile", signedIn))
        {
            userId = (await JsonAsync(profile)).GetProperty("id").GetString()!;
        }
        var (support, supportRefresh, _) = await client2.EnrolSecondFactorAsync(signedIn, signedInRefresh);
        using (var grant = await client1.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{userId}/roles/Support", admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        }
        // The token from before the grant no longer says who the user is: refused, and a refresh brings the role.
        Assert.Equal(HttpStatusCode.Unauthorized, await ListUsersAsync(client2, support));
        var granted = await client2.RefreshAsync(supportRefresh);
        support = granted.GetProperty("accessToken").GetString()!;
        supportRefresh = granted.GetProperty("refreshToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await ListUsersAsync(client2, support));
        Assert.Equal(HttpStatusCode.OK, await ListUsersAsync(client1, support));

        using (var revoke = await client1.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{userId}/roles/Support", admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        // The next request, on the replica that took the role away and on the other one alike.
        Assert.Equal(HttpStatusCode.Unauthorized, await ListUsersAsync(client2, support));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListUsersAsync(client1, support));
        // The session itself lives on: its refreshed token has the roles of now, without Support.
        var revoked = await client2.RefreshAsync(supportRefresh);
        var trader = revoked.GetProperty("accessToken").GetString()!;
        using (var forbidden = await client1.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", trader))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Equal("forbidden", await CodeAsync(forbidden));
        }
        Assert.Equal(HttpStatusCode.OK, await client1.ProfileStatusAsync(trader));

        // A lock ends the sessions at once too, on both replicas.
        using (var lockUser = await client2.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{userId}/lock", admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, lockUser.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await client1.ProfileStatusAsync(trader));
        Assert.Equal(HttpStatusCode.Unauthorized, await client2.ProfileStatusAsync(trader));
    }

    [Fact]
    public async Task The_bootstrap_admin_replaces_the_generated_password_and_enrols_2fa_before_any_privileged_answer()
    {
        var adminEmail = NewEmail("admin");
        await using var factory = new ApiFactory(infrastructure, AdminSettings(adminEmail));
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);

        var first = await client.LoginAsync(adminEmail, BootstrapPassword);
        Assert.Equal(ErrorCodes.PasswordChangeRequired, first.GetProperty("code").GetString());
        var access = first.GetProperty("accessToken").GetString()!;
        var refresh = first.GetProperty("refreshToken").GetString()!;
        // Only the password change (and the profile, sign-out, refresh) answers until then.
        foreach (var path in new[] { "/api/v1/admin/users", "/api/v1/audit", "/api/v1/wallet/balances", "/api/v1/account/sessions" })
        {
            using var gated = await client.SendAsync(HttpMethod.Get, path, access);
            Assert.Equal(HttpStatusCode.Forbidden, gated.StatusCode);
            Assert.Equal(ErrorCodes.PasswordChangeRequired, await CodeAsync(gated));
        }
        Assert.Equal(HttpStatusCode.OK, await client.ProfileStatusAsync(access));
        using (var markets = await client.SendAsync(HttpMethod.Get, "/api/v1/markets", access))
        {
            Assert.Equal(HttpStatusCode.OK, markets.StatusCode); // public: answered as to a visitor
        }
        using (var weak = await client.PostAsync("/api/v1/account/password", new { currentPassword = BootstrapPassword, newPassword = "qwertyuiop[]" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        }
        using (var change = await client.PostAsync("/api/v1/account/password", new { currentPassword = BootstrapPassword, newPassword = AdminOwnPassword }, access))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }
        var changed = await client.RefreshAsync(refresh);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, changed.GetProperty("code").ValueKind);
        access = changed.GetProperty("accessToken").GetString()!;
        refresh = changed.GetProperty("refreshToken").GetString()!;

        // Admin with a password alone: a 403 that tells the front end to lead to 2FA set-up.
        using (var noSecondFactor = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users", access))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noSecondFactor.StatusCode);
            Assert.Equal(ErrorCodes.SecondFactorRequired, await CodeAsync(noSecondFactor));
        }
        Assert.Equal(HttpStatusCode.OK, await client.ProfileStatusAsync(access)); // the account itself works
        var (admin, adminRefresh, secret) = await client.EnrolSecondFactorAsync(access, refresh);
        Assert.Equal(HttpStatusCode.OK, await ListUsersAsync(client, admin));

        // A restart with the same configuration does not bring the bootstrap password back.
        await using (var restarted = new ApiFactory(infrastructure, AdminSettings(adminEmail)))
        {
            var again = new IdentityTestClient(restarted.CreateClient(), infrastructure.PostgresConnectionString);
            using var old = await again.PostAsync("/api/v1/auth/login", new { email = adminEmail, password = BootstrapPassword });
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
            Assert.True((await again.LoginAsync(adminEmail, AdminOwnPassword)).GetProperty("twoFactorRequired").GetBoolean());
        }

        // Turning 2FA off takes the privileged endpoints away at once, not when the token expires.
        using (var disable = await client.PostAsync("/api/v1/account/2fa/disable", new { password = AdminOwnPassword, code = Totp(secret, 1) }, admin))
        {
            Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await ListUsersAsync(client, admin));
        var withoutSecondFactor = (await client.RefreshAsync(adminRefresh)).GetProperty("accessToken").GetString()!;
        using (var refused = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users", withoutSecondFactor))
        {
            Assert.Equal(ErrorCodes.SecondFactorRequired, await CodeAsync(refused));
        }
    }
}
