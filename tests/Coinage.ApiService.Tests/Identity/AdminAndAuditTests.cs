using System.Net;
using Npgsql;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.Identity;

public sealed class AdminAndAuditTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    [Fact]
    public async Task The_configured_admin_manages_users_and_roles_and_compliance_reads_the_audit_log()
    {
        var adminEmail = NewEmail("admin");
        await using var factory = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var adminAccess = await client.BootstrapAdminAsync(adminEmail, AdminPassword);
        var userEmail = NewEmail("trader");
        var (userAccess, _) = await client.SignedInUserAsync(userEmail);

        // A trader is not an admin, nor compliance.
        using (var forbidden = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users", userAccess))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using (var forbiddenAudit = await client.SendAsync(HttpMethod.Get, "/api/v1/audit", userAccess))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbiddenAudit.StatusCode);
        }

        string userId;
        using (var search = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(userEmail.ToUpperInvariant())}", adminAccess))
        {
            Assert.Equal(HttpStatusCode.OK, search.StatusCode);
            var item = Assert.Single((await JsonAsync(search)).GetProperty("items").EnumerateArray());
            Assert.Equal(userEmail, item.GetProperty("email").GetString());
            userId = item.GetProperty("id").GetString()!;
        }
        using (var page = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/users?limit=1", adminAccess))
        {
            var body = await JsonAsync(page);
            Assert.Single(body.GetProperty("items").EnumerateArray());
            var cursor = body.GetProperty("nextCursor").GetString()!;
            using var next = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?limit=1&cursor={cursor}", adminAccess);
            Assert.NotEqual(body.GetProperty("items")[0].GetProperty("id").GetString(), (await JsonAsync(next)).GetProperty("items")[0].GetProperty("id").GetString());
        }

        using (var grant = await client.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{userId}/roles/Compliance", adminAccess))
        {
            Assert.Equal(HttpStatusCode.NoContent, grant.StatusCode);
        }
        // Compliance answers only to a session that proved a second factor: a password alone gets a 403 that says so.
        var passwordOnly = await client.LoginAsync(userEmail);
        using (var noSecondFactor = await client.SendAsync(HttpMethod.Get, "/api/v1/audit", passwordOnly.GetProperty("accessToken").GetString()))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noSecondFactor.StatusCode);
            Assert.Equal("second_factor_required", await CodeAsync(noSecondFactor));
        }
        var (complianceAccess, _, _) = await client.EnrolSecondFactorAsync(passwordOnly.GetProperty("accessToken").GetString()!, passwordOnly.GetProperty("refreshToken").GetString()!);
        using (var audit = await client.SendAsync(HttpMethod.Get, $"/api/v1/audit?userId={userId}&action=admin.role_granted", complianceAccess))
        {
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
            var entry = Assert.Single((await JsonAsync(audit)).GetProperty("items").EnumerateArray());
            Assert.Contains("Compliance", entry.GetProperty("data").GetString(), StringComparison.Ordinal);
        }
        using (var unknownRole = await client.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{userId}/roles/Emperor", adminAccess))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknownRole.StatusCode);
        }
        // Compliance may read the audit log, not administer users.
        using (var notAdmin = await client.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{userId}/lock", complianceAccess))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }

        using (var lockUser = await client.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{userId}/lock", adminAccess))
        {
            Assert.Equal(HttpStatusCode.NoContent, lockUser.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await client.ProfileStatusAsync(userAccess));
        using (var lockedLogin = await client.PostAsync("/api/v1/auth/login", new { email = userEmail, password = Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, lockedLogin.StatusCode);
            Assert.Equal("account_locked", await CodeAsync(lockedLogin));
        }
        using (var unlock = await client.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{userId}/unlock", adminAccess))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlock.StatusCode);
        }
        await client.LoginAsync(userEmail);
        using (var missing = await client.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{Guid.NewGuid()}/lock", adminAccess))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
    }

    [Fact]
    public async Task An_admin_cannot_lock_themselves_out_or_drop_their_own_admin_role()
    {
        var adminEmail = NewEmail("admin");
        await using var factory = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var client = new IdentityTestClient(factory.CreateClient(), infrastructure.PostgresConnectionString);
        var adminAccess = await client.BootstrapAdminAsync(adminEmail, AdminPassword);
        string adminId;
        using (var search = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(adminEmail)}", adminAccess))
        {
            adminId = Assert.Single((await JsonAsync(search)).GetProperty("items").EnumerateArray()).GetProperty("id").GetString()!;
        }

        using (var lockSelf = await client.SendAsync(HttpMethod.Post, $"/api/v1/admin/users/{adminId}/lock", adminAccess))
        {
            Assert.Equal(HttpStatusCode.Conflict, lockSelf.StatusCode);
            Assert.Equal("cannot_modify_own_access", await CodeAsync(lockSelf));
        }
        using (var demoteSelf = await client.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{adminId}/roles/Admin", adminAccess))
        {
            Assert.Equal(HttpStatusCode.Conflict, demoteSelf.StatusCode);
            Assert.Equal("cannot_modify_own_access", await CodeAsync(demoteSelf));
        }

        // Nothing changed: still an unlocked admin, and nothing was audited as done.
        using (var stillAdmin = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/users?search={Uri.EscapeDataString(adminEmail)}", adminAccess))
        {
            Assert.Equal(HttpStatusCode.OK, stillAdmin.StatusCode);
            var me = Assert.Single((await JsonAsync(stillAdmin)).GetProperty("items").EnumerateArray());
            Assert.False(me.GetProperty("lockedOut").GetBoolean());
            Assert.Contains("Admin", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        }
        Assert.Equal(0L, await client.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action IN ('admin.user_locked', 'admin.role_revoked') AND subject_user_id = @id", ("id", Guid.Parse(adminId))));
    }

    [Fact]
    public async Task The_audit_chain_verifies_and_reports_a_row_edited_directly_in_the_database()
    {
        // A database of its own: this test breaks the chain on purpose.
        var database = await infrastructure.CreateDatabaseAsync("auditchain");
        var adminEmail = NewEmail("admin");
        await using var factory = new ApiFactory(database, infrastructure.RedisConnectionString, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var client = new IdentityTestClient(factory.CreateClient(), database);
        var adminAccess = await client.BootstrapAdminAsync(adminEmail, AdminPassword);
        var email = NewEmail();
        await client.SignedInUserAsync(email);
        using (var wrong = await client.PostAsync("/api/v1/auth/login", new { email, password = "wrong password 1234" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        var actions = new List<string>();
        using (var list = await client.SendAsync(HttpMethod.Get, "/api/v1/audit?limit=500", adminAccess))
        {
            actions = (await JsonAsync(list)).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToList();
        }
        foreach (var action in new[] { "user.registered", "user.email_verified", "auth.signed_in", "auth.sign_in_failed" })
        {
            Assert.Contains(action, actions);
        }

        var report = await VerifyAsync(client, adminAccess);
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.Equal(actions.Count, report.GetProperty("checkedEntries").GetInt64());

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        // Append-only: the database itself refuses an UPDATE…
        await using (var update = new NpgsqlCommand("UPDATE audit_entries SET data = '{}' WHERE sequence = 3", connection))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync(Ct));
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }
        // …so the attacker is a superuser who turns triggers off; the chain still tells.
        await using (var tamper = new NpgsqlCommand("SET session_replication_role = replica; UPDATE audit_entries SET ip_address = '10.6.6.6' WHERE sequence = 3; SET session_replication_role = origin;", connection))
        {
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync(Ct));
        }
        var broken = await VerifyAsync(client, adminAccess);
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(3, broken.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal("content_hash_mismatch", broken.GetProperty("reason").GetString());
        Assert.Equal(2, broken.GetProperty("checkedEntries").GetInt64());
    }

    [Fact]
    public async Task Concurrent_actions_on_two_replicas_append_to_one_unbroken_chain()
    {
        var database = await infrastructure.CreateDatabaseAsync("auditrace");
        var adminEmail = NewEmail("admin");
        var settings = new Dictionary<string, string?> { ["Coinage:Admin:Email"] = adminEmail, ["Coinage:Admin:Password"] = AdminPassword };
        await using var replica1 = new ApiFactory(database, infrastructure.RedisConnectionString, settings);
        await using var replica2 = new ApiFactory(database, infrastructure.RedisConnectionString, settings);
        var client1 = new IdentityTestClient(replica1.CreateClient(), database);
        var client2 = new IdentityTestClient(replica2.CreateClient(), database);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? client1 : client2).RegisterAsync(NewEmail())));

        var adminAccess = await client1.BootstrapAdminAsync(adminEmail, AdminPassword);
        var report = await VerifyAsync(client2, adminAccess);
        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
        // 12 registrations + the admin's first sign-in, own password and 2FA.
        Assert.Equal(15, report.GetProperty("checkedEntries").GetInt64());
    }

    private static async Task<System.Text.Json.JsonElement> VerifyAsync(IdentityTestClient client, string access)
    {
        using var response = await client.SendAsync(HttpMethod.Get, "/api/v1/audit/verify", access);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }
}
