using System.Net;
using Coinage.ApiService.Tests.Identity;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Reconciliation;

public sealed class ReconciliationApiTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    [Fact]
    public async Task Admins_read_the_latest_run_the_last_success_and_the_history_page_by_page()
    {
        // A database of its own: the runs listed are exactly the ones inserted here.
        var database = await infrastructure.CreateDatabaseAsync("reconapi");
        var adminEmail = IdentityTestClient.NewEmail("recon-admin");
        await using var factory = new ApiFactory(database, infrastructure.RedisConnectionString, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var client = new IdentityTestClient(factory.CreateClient(), database);
        var admin = await client.BootstrapAdminAsync(adminEmail, AdminPassword);

        using (var empty = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation", admin))
        {
            var body = await JsonAsync(empty);
            Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("latest").ValueKind);
            Assert.Empty(body.GetProperty("items").EnumerateArray());
        }

        await InsertRunAsync(database, 1, "{}", "[]", 0, null, minutesAgo: 3);
        await InsertRunAsync(database, 2, """{"postings": 4}""",
            """[{"check":"ledger","kind":"BalanceMismatch","subject":"7:USD:Available","expected":"100","actual":"101"}]""", 1, null, minutesAgo: 2);
        await InsertRunAsync(database, 3, "{}", "[]", 0, "TimeoutException: the snapshot timed out", minutesAgo: 1);

        using var first = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation?limit=2", admin);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var page = await JsonAsync(first);
        Assert.Equal("error", page.GetProperty("latest").GetProperty("status").GetString());
        Assert.Equal("TimeoutException: the snapshot timed out", page.GetProperty("latest").GetProperty("error").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, page.GetProperty("lastSuccessAt").ValueKind);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["error", "failed"], items.Select(i => i.GetProperty("status").GetString()));
        var discrepancy = Assert.Single(items[1].GetProperty("discrepancies").EnumerateArray());
        Assert.Equal(("BalanceMismatch", "7:USD:Available", "100", "101"), (discrepancy.GetProperty("kind").GetString(),
            discrepancy.GetProperty("subject").GetString(), discrepancy.GetProperty("expected").GetString(), discrepancy.GetProperty("actual").GetString()));
        Assert.Equal(4, items[1].GetProperty("counts").GetProperty("postings").GetInt32());
        Assert.Equal(1, items[1].GetProperty("discrepancyCount").GetInt32());

        var cursor = page.GetProperty("nextCursor").GetString();
        using var second = await client.SendAsync(HttpMethod.Get, $"/api/v1/admin/reconciliation?limit=2&cursor={cursor}", admin);
        var rest = await JsonAsync(second);
        Assert.Equal("succeeded", Assert.Single(rest.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);
        Assert.Equal("error", rest.GetProperty("latest").GetProperty("status").GetString());

        using (var bad = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation?cursor=abc", admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("invalid_cursor", (await JsonAsync(bad)).GetProperty("code").GetString());
        }
        using (var tooMany = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation?limit=0", admin))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        }

        var (trader, _) = await client.SignedInUserAsync(IdentityTestClient.NewEmail("recon-trader"));
        using (var forbidden = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation", trader))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        using (var anonymous = await client.SendAsync(HttpMethod.Get, "/api/v1/admin/reconciliation", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
    }

    private static async Task InsertRunAsync(string database, short status, string counts, string discrepancies, int count, string? error, int minutesAgo)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand("""
            INSERT INTO reconciliation_runs (started_at, finished_at, status, instance, discrepancy_count, counts, discrepancies, error)
            VALUES (now() - make_interval(mins => @ago), now() - make_interval(mins => @ago), @status, 'worker-test', @count, @counts::jsonb, @discrepancies::jsonb, @error)
            """, connection);
        command.Parameters.AddWithValue("ago", minutesAgo);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("counts", counts);
        command.Parameters.AddWithValue("discrepancies", discrepancies);
        command.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
