extern alias worker;

using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Observability;
using Coinage.ApiService.Tests.Trading;
using Coinage.Domain.Audit;
using Coinage.Domain.Data;
using Coinage.Domain.Exchange;
using Coinage.Domain.Ledger;
using Coinage.Domain.Privacy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;
using ErasureJob = worker::Coinage.Worker.Privacy.ErasureJob;
using Trader = Coinage.ApiService.Tests.Trading.Trader;
using ExportJob = worker::Coinage.Worker.Privacy.ExportJob;

namespace Coinage.ApiService.Tests.Privacy;

/// <summary>Export and erasure share one class: their Worker jobs take every due request of the shared database.</summary>
[Collection(SharedBtcUsdBook.Name)]
public sealed class ExportAndErasureTests(InfrastructureFixture infrastructure)
{
    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task An_export_holds_every_table_about_the_user_and_downloads_once_with_the_emailed_link()
    {
        await using var api = new ApiFactory(infrastructure);
        await using var factory = Behind(api);
        var email = NewEmail("export");
        var client = new IdentityTestClient(From(factory, "198.51.100.52"), Db);
        var (access, _) = await client.SignedInUserAsync(email);
        var trader = Authorized(factory, access, "198.51.100.52");
        await trader.DepositAsync("USD", "1000");

        using (var requested = await client.PostAsync("/api/v1/privacy/exports", null, access))
        {
            Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
        }
        using (var twice = await client.PostAsync("/api/v1/privacy/exports", null, access))
        {
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
            Assert.Equal("export_in_progress", await CodeAsync(twice));
        }
        await RunExportsAsync(api);

        var mail = await client.LastEmailAsync(email, ExportJob.ReadyEmail);
        var exportId = mail.GetProperty("data").GetProperty("exportId").GetString()!;
        var token = mail.GetProperty("data").GetProperty("token").GetString()!;
        var listed = Assert.Single((await ConsentTests.GetAsync(client, "/api/v1/privacy/exports", access)).EnumerateArray());
        Assert.Equal("ready", listed.GetProperty("status").GetString());

        using (var forged = await client.PostAsync($"/api/v1/privacy/exports/{exportId}/download", new { token = token[..^4] + "AAAA" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Equal("invalid_token", await CodeAsync(forged));
        }
        // Another signed-in user with the same link gets nothing.
        var (otherAccess, _) = await client.SignedInUserAsync(NewEmail("other"));
        using (var stranger = await client.PostAsync($"/api/v1/privacy/exports/{exportId}/download", new { token }, otherAccess))
        {
            Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        }

        byte[] archive;
        using (var download = await client.PostAsync($"/api/v1/privacy/exports/{exportId}/download", new { token }, access))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
            archive = await download.Content.ReadAsByteArrayAsync(Ct);
        }
        using (var again = await client.PostAsync($"/api/v1/privacy/exports/{exportId}/download", new { token }, access))
        {
            Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
            Assert.Equal("export_unavailable", await CodeAsync(again));
        }
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM privacy_exports WHERE id = @id AND archive IS NOT NULL", ("id", Guid.Parse(exportId))));

        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        foreach (var table in PersonalDataMap.Tables)
        {
            Assert.Contains($"data/{table.Table}.json", names);
        }
        Assert.Contains("csv/orders.csv", names);
        Assert.Contains("csv/trades.csv", names);
        Assert.Contains("csv/ledger.csv", names);
        var user = Assert.Single(Read(zip, "data/users.json").EnumerateArray());
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.False(user.TryGetProperty("password_hash", out _));
        Assert.False(user.TryGetProperty("security_stamp", out _));
        var consents = Read(zip, "data/consent_records.json").EnumerateArray().ToList();
        Assert.Equal(3, consents.Count);
        Assert.All(consents, c => Assert.Equal("198.51.100.52", c.GetProperty("ip_address").GetString()));
        Assert.Contains(Read(zip, "data/audit_entries.json").EnumerateArray(), a => a.GetProperty("action").GetString() == "privacy.export_requested");
        Assert.Single(Read(zip, "data/deposits.json").EnumerateArray());
        Assert.Contains(Read(zip, "data/balances.json").EnumerateArray(), b => b.GetProperty("asset").GetString() == "USD" && b.GetProperty("amount").GetDecimal() == 1000m);
        // Unsent tokens of emails are secrets, not data about the person.
        Assert.All(Read(zip, "data/outbox_messages.json").EnumerateArray(), m => Assert.False(m.GetProperty("payload").GetProperty("data").TryGetProperty("token", out _)));
        using (var reader = new StreamReader(zip.GetEntry("csv/ledger.csv")!.Open()))
        {
            var lines = (await reader.ReadToEndAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("amount", lines[0].Split(','));
            Assert.Equal(2, lines.Length); // header + the deposit's posting to the user's account
        }
        var manifest = Read(zip, "manifest.json");
        Assert.Equal(PersonalDataMap.Tables.Count, manifest.GetProperty("tables").GetArrayLength());
        foreach (var action in new[] { "privacy.export_requested", "privacy.export_ready", "privacy.export_downloaded" })
        {
            Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM audit_entries WHERE action = @a AND data::jsonb->>'exportId' = @id", ("a", action), ("id", exportId)));
        }
    }

    [Fact]
    public async Task Erasure_waits_for_the_grace_period_then_leaves_no_personal_field_and_keeps_the_financial_records()
    {
        const string ip = "198.51.100.63";
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Privacy:ErasureGracePeriod"] = "00:00:00" });
        await using var factory = Behind(api);
        await using var matching = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = matching.Services;
        var email = NewEmail("erase");
        var client = new IdentityTestClient(From(factory, ip), Db);
        var (access, _) = await client.SignedInUserAsync(email);
        var alice = Authorized(factory, access, ip);
        var bob = await Trader.CreateAsync(api, Db, "bob");
        await alice.DepositAsync("USD", "1000");
        await bob.DepositAsync("BTC", "1");
        await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "500", quantity = "0.5" });
        await ExchangeDatabase.WaitProcessedAsync(Db);
        var open = await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "100", quantity = "0.5" });
        await ExchangeDatabase.WaitProcessedAsync(Db);

        // Refused with a reason while something remains.
        using (var refused = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("open_orders", await CodeAsync(refused));
        }
        using (var cancel = await alice.Http.DeleteAsync(new Uri($"/api/v1/orders/{open.GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.True(cancel.IsSuccessStatusCode, cancel.StatusCode.ToString());
        }
        await ExchangeDatabase.WaitProcessedAsync(Db);
        await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "500", quantity = "0.5" });
        await ExchangeDatabase.WaitProcessedAsync(Db);
        using (var funds = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.Conflict, funds.StatusCode);
            Assert.Equal("funds_remaining", await CodeAsync(funds));
        }
        // A withdrawal in flight holds funds that are on their way out: refused for that reason, until it is cancelled.
        string withdrawalId;
        await alice.SaveWithdrawalAddressAsync("USD", "DE89370400440532013000", "alice's bank");
        using (var withdraw = new HttpRequestMessage(HttpMethod.Post, "/api/v1/wallet/withdrawals")
        {
            Content = JsonContent.Create(new { asset = "USD", amount = "10", address = "de89 3704 0044 0532 0130 00" }),
        })
        {
            withdraw.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var requested = await alice.Http.SendAsync(withdraw, Ct);
            Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
            withdrawalId = (await JsonAsync(requested)).GetProperty("id").GetString()!;
        }
        using (var withdrawing = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.Conflict, withdrawing.StatusCode);
            Assert.Equal("pending_withdrawals", await CodeAsync(withdrawing));
        }
        using (var cancelWithdrawal = await alice.Http.DeleteAsync(new Uri($"/api/v1/wallet/withdrawals/{withdrawalId}", UriKind.Relative), Ct))
        {
            Assert.True(cancelWithdrawal.IsSuccessStatusCode, cancelWithdrawal.StatusCode.ToString());
        }
        var userId = Guid.Parse((await ConsentTests.GetAsync(client, "/api/v1/account/profile", access)).GetProperty("id").GetString()!);
        await WithdrawEverythingAsync(userId);
        var ordersBefore = await client.CountAsync("SELECT count(*) FROM orders o JOIN traders t ON t.owner_id = o.owner_id WHERE t.user_id = @u", ("u", userId));
        var tradesBefore = await client.CountAsync("SELECT count(*) FROM trades x JOIN traders t ON t.owner_id = x.taker_owner_id WHERE t.user_id = @u", ("u", userId));
        var postingsBefore = await client.CountAsync("SELECT count(*) FROM ledger_postings p JOIN traders t ON t.owner_id = p.owner_id WHERE t.user_id = @u", ("u", userId));
        Assert.Equal(2, ordersBefore);
        Assert.Equal(1, tradesBefore);

        using (var wrong = await client.PostAsync("/api/v1/privacy/erasure", new { password = "not my password at all" }, access))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        }
        using (var scheduled = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.Accepted, scheduled.StatusCode);
        }
        using (var cancelled = await client.SendAsync(HttpMethod.Delete, "/api/v1/privacy/erasure", access))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            Assert.Equal("cancelled", (await JsonAsync(cancelled)).GetProperty("status").GetString());
        }
        await EraseNextAsync(api); // a cancelled request is never carried out
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM erasure_requests WHERE user_id = @u AND status = 1", ("u", userId)));
        Assert.Equal(HttpStatusCode.OK, await client.ProfileStatusAsync(access));
        using (var scheduled = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal(HttpStatusCode.Accepted, scheduled.StatusCode);
        }
        using (var duplicate = await client.PostAsync("/api/v1/privacy/erasure", new { password = Password }, access))
        {
            Assert.Equal("erasure_already_scheduled", await CodeAsync(duplicate));
        }

        await EraseNextAsync(api); // (or a worker of another test class did it first)
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM erasure_requests WHERE user_id = @u AND status = 2", ("u", userId)));

        // The person is gone: not findable by email or address in any column of any table.
        var found = await FindAnywhereAsync(email, ip);
        Assert.True(found.Count == 0, "Still found in: " + string.Join(", ", found));
        // Their tokens stop at once and they cannot sign in.
        Assert.Equal(HttpStatusCode.Unauthorized, await client.ProfileStatusAsync(access));
        using (var login = await client.PostAsync("/api/v1/auth/login", new { email, password = Password }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }
        // Financial records stay, under the pseudonym; the ledger and the audit chain still hold.
        Assert.Equal(ordersBefore, await client.CountAsync("SELECT count(*) FROM orders o JOIN traders t ON t.owner_id = o.owner_id WHERE t.user_id = @u", ("u", userId)));
        Assert.Equal(tradesBefore, await client.CountAsync("SELECT count(*) FROM trades x JOIN traders t ON t.owner_id = x.taker_owner_id WHERE t.user_id = @u", ("u", userId)));
        Assert.Equal(postingsBefore, await client.CountAsync("SELECT count(*) FROM ledger_postings p JOIN traders t ON t.owner_id = p.owner_id WHERE t.user_id = @u", ("u", userId)));
        // The address book was the person's own choice and goes; the withdrawal keeps its address as a financial record.
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM withdrawal_addresses a JOIN traders t ON t.owner_id = a.owner_id WHERE t.user_id = @u", ("u", userId)));
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM withdrawals w JOIN traders t ON t.owner_id = w.owner_id WHERE t.user_id = @u", ("u", userId)));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var report = await AuditLog.VerifyAsync(scope.ServiceProvider.GetRequiredService<CoinageDbContext>(), Ct);
            Assert.True(report.Intact, $"{report.Reason} at {report.FirstBrokenSequence}");
        }
        var pseudonym = await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT pseudonym FROM erasure_requests WHERE user_id = @u AND status = 2", ("u", userId));
        Assert.StartsWith("erased-", pseudonym, StringComparison.Ordinal);
        Assert.Equal($"{pseudonym}@erased.invalid", await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT email FROM users WHERE id = @u", ("u", userId)));
        Assert.Equal(1, await client.CountAsync("SELECT count(*) FROM outbox_messages WHERE type = 'privacy.user_erased' AND payload->>'userId' = @u AND payload->>'pseudonym' = @p",
            ("u", userId.ToString()), ("p", pseudonym)));
        Assert.Equal(0, await client.CountAsync("SELECT count(*) FROM refresh_sessions WHERE user_id = @u", ("u", userId)));
        Assert.True(await client.CountAsync("SELECT count(*) FROM audit_entries WHERE (actor_user_id = @u OR subject_user_id = @u) AND ip_digest IS NOT NULL", ("u", userId)) > 0);
    }

    private static WebApplicationFactory<Program> Behind(ApiFactory api) =>
        api.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, LoopbackProxyStartupFilter>()));

    /// <summary>A client whose requests come from <paramref name="ip"/>, as through the web front end's proxy.</summary>
    private static HttpClient From(WebApplicationFactory<Program> factory, string ip)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ip);
        return client;
    }

    private static Trader Authorized(WebApplicationFactory<Program> factory, string access, string ip)
    {
        var http = From(factory, ip);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", access);
        return new Trader(http);
    }

    private static async Task RunExportsAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var job = new ExportJob(scope.ServiceProvider.GetRequiredService<CoinageDbContext>(), api.Services.GetRequiredService<IDataProtectionProvider>(),
            Options.Create(new PrivacyOptions()), TimeProvider.System);
        // A worker of another test class may have built it already; either way it is built now.
        await job.RunAsync(Ct);
    }

    private static async Task<bool> EraseNextAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var job = new ErasureJob(scope.ServiceProvider.GetRequiredService<CoinageDbContext>(), api.Services.GetRequiredService<IConnectionMultiplexer>(),
            TimeProvider.System, NullLogger<ErasureJob>.Instance);
        return await job.EraseNextAsync(Ct);
    }

    /// <summary>What a withdrawal does to the ledger (the withdrawal flow posts the same two entries).</summary>
    private async Task WithdrawEverythingAsync(Guid userId)
    {
        await using var db = ExchangeDatabase.Open(Db, out var dataSource);
        await using (dataSource)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var now = DateTimeOffset.UtcNow;
            var owner = await db.Traders.Where(t => t.UserId == userId).Select(t => t.OwnerId).SingleAsync(Ct);
            var assets = await LedgerStore.LoadAssetsAsync(db, Ct);
            var balances = await db.Balances.Where(b => b.OwnerId == owner && b.Kind == AccountKind.Available && b.Amount != 0).ToListAsync(Ct);
            var entries = balances.SelectMany((b, i) => new[]
            {
                LedgerOperations.RequestWithdrawal(-1000 - i, owner, assets[b.Asset], b.Amount),
                LedgerOperations.CompleteWithdrawal(-1000 - i, owner, assets[b.Asset], b.Amount),
            }).ToList();
            await LedgerStore.PostAsync(db, entries, assets, now, Ct);
            await db.SaveChangesAsync(Ct);
            await transaction.CommitAsync(Ct);
        }
    }

    /// <summary>Every text, varchar and json column of every table, searched for each value.</summary>
    private async Task<List<string>> FindAnywhereAsync(params string[] values)
    {
        await using var connection = new NpgsqlConnection(Db);
        await connection.OpenAsync(Ct);
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var list = new NpgsqlCommand("""
            SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema') AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'character')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        Assert.Contains(columns, c => c.Table == "users" && c.Column == "email");
        var found = new List<string>();
        foreach (var (schema, table, column) in columns)
        {
            foreach (var value in values)
            {
                await using var search = new NpgsqlCommand($"SELECT count(*) FROM \"{schema}\".\"{table}\" WHERE \"{column}\"::text ILIKE '%' || @v || '%'", connection);
                search.Parameters.AddWithValue("v", value);
                if ((long)(await search.ExecuteScalarAsync(Ct))! > 0)
                {
                    found.Add($"{schema}.{table}.{column} ({value})");
                }
            }
        }
        return found;
    }

    private static JsonElement Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }
}
