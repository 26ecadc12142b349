extern alias worker;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Trading;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Funding;

/// <summary>
/// The withdrawal fee (docs/exchange.md, Funding): held with the amount, booked to the fee account on completion in the
/// completion's entry, released with the amount otherwise, and charged as it was at request time. Part of
/// <see cref="FundingApiTests"/>, so it runs one after the other tests that run the funding job; it uses an asset of
/// its own, whose fee it changes without touching the seeded assets the other tests withdraw.
/// </summary>
public sealed partial class FundingApiTests
{
    private const string OwnAddress = "fee-test-wallet-0001";

    [Fact]
    public async Task A_withdrawal_holds_its_fee_books_it_to_the_fee_account_on_completion_releases_it_otherwise_and_keeps_the_fee_of_its_request()
    {
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var admin = await AdminAsync(api, adminEmail);
        var code = await OwnAssetAsync(admin, fee: "0.5");
        Assert.Equal("0.5", (await AssetAsync(admin, code)).GetProperty("withdrawalFee").GetString());

        var (user, email) = await UserAsync(api, "fee");
        await user.DepositAsync(code, "100");
        await user.SaveWithdrawalAddressAsync(code, OwnAddress);

        // The fee is on top of the amount: 99.6 + 0.5 is more than the 100 available. Refused on the amount, naming the
        // fee and what can be withdrawn; nothing stays.
        using (var tooMuch = await WithdrawAsync(user, code, "99.6", OwnAddress))
        {
            var problem = await JsonAsync(tooMuch);
            Assert.Equal((HttpStatusCode.UnprocessableEntity, "insufficient_funds"), (tooMuch.StatusCode, problem.GetProperty("code").GetString()));
            var reason = problem.GetProperty("errors").GetProperty("amount")[0].GetString()!;
            Assert.Contains("withdrawal fee of 0.5", reason, StringComparison.Ordinal);
            Assert.Contains("at most 99.5 can be withdrawn", reason, StringComparison.Ordinal);
        }
        Assert.Equal(0, await CountWithdrawalsAsync(user));
        Assert.Equal((100m, 0m), (await user.BalancesAsync())[code]);

        // Requested: amount + fee held.
        using var first = await WithdrawAsync(user, code, "10", OwnAddress);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var requested = await JsonAsync(first);
        Assert.Equal(("10", "0.5", "10.5"), (requested.GetProperty("amount").GetString(), requested.GetProperty("fee").GetString(), requested.GetProperty("total").GetString()));
        var firstId = requested.GetProperty("id").GetString()!;
        var firstToken = await ConfirmTokenAsync(api, email);
        Assert.Equal((89.5m, 10.5m), (await user.BalancesAsync())[code]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);

        // The Admin raises the fee (audited, from → to). The withdrawal already requested keeps its 0.5.
        using (var raise = await admin.Http.PutAsJsonAsync($"/api/v1/admin/assets/{code.ToLowerInvariant()}/withdrawal-fee", new { withdrawalFee = "2" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, raise.StatusCode);
            Assert.Equal("2", (await JsonAsync(raise)).GetProperty("withdrawalFee").GetString());
        }
        Assert.Equal("2", (await AssetAsync(user, code)).GetProperty("withdrawalFee").GetString());
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries WHERE action = 'asset.withdrawal_fee_changed' AND data::jsonb->>'asset' = @a AND data::jsonb->>'from' = '0.5' AND data::jsonb->>'to' = '2'",
            ("a", code)));

        // Confirmed and approved (an asset without an approval threshold always waits for an Admin): completed with the stored fee.
        using (var confirm = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token = firstToken }, Ct))
        {
            Assert.Equal("pending_approval", (await JsonAsync(confirm)).GetProperty("status").GetString());
        }
        using (var approve = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/withdrawals/{firstId}/approve", new { }, Ct))
        {
            var completed = await JsonAsync(approve);
            Assert.Equal(("completed", "0.5"), (completed.GetProperty("status").GetString(), completed.GetProperty("fee").GetString()));
        }
        Assert.Equal((89.5m, 0m), (await user.BalancesAsync())[code]);
        // One completion entry: the whole hold out of Held, the amount to External, the fee to the fee account.
        var firstNumber = long.Parse(firstId, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("1:-10.5 2:10 3:0.5", await ExchangeDatabase.ScalarAsync<string>(Db, """
            SELECT string_agg(p.kind || ':' || trim_scale(p.amount)::text, ' ' ORDER BY p.kind)
            FROM journal_entries j JOIN ledger_postings p ON p.journal_entry_id = j.id WHERE j.kind = 3 AND j.reference_id = @id
            """, ("id", firstNumber)));
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM journal_entries WHERE kind = 3 AND reference_id = @id", ("id", firstNumber)));
        Assert.Equal("0.5", await FeeAccountAsync(code));

        // Requested at the new fee, then rejected: the whole hold, fee included, comes back.
        using var second = await WithdrawAsync(user, code, "20", OwnAddress);
        var secondBody = await JsonAsync(second);
        Assert.Equal(("2", "22"), (secondBody.GetProperty("fee").GetString(), secondBody.GetProperty("total").GetString()));
        Assert.Equal((67.5m, 22m), (await user.BalancesAsync())[code]);
        using (var reject = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/withdrawals/{secondBody.GetProperty("id").GetString()}/reject", new { reason = "destination unknown" }, Ct))
        {
            Assert.Equal("rejected", (await JsonAsync(reject)).GetProperty("status").GetString());
        }
        Assert.Equal((89.5m, 0m), (await user.BalancesAsync())[code]);

        // Everything available, fee included (87.5 + 2 = 89.5), then cancelled by its owner: released whole.
        using var third = await WithdrawAsync(user, code, "87.5", OwnAddress);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        Assert.Equal((0m, 89.5m), (await user.BalancesAsync())[code]);
        using (var cancel = await user.Http.DeleteAsync(new Uri($"/api/v1/wallet/withdrawals/{(await JsonAsync(third)).GetProperty("id").GetString()}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        Assert.Equal((89.5m, 0m), (await user.BalancesAsync())[code]);
        Assert.Equal("0.5", await FeeAccountAsync(code));
        Assert.Equal("-90", await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT trim_scale(amount)::text FROM balances WHERE owner_id = 0 AND asset = @a AND kind = 2", ("a", code)));

        // The ledger names the withdrawal and its fee on the completion's line, for the words of the wallet page and the CSV.
        var ledger = (await user.GetAsync($"/api/v1/wallet/ledger?asset={code}&limit=200")).GetProperty("items").EnumerateArray().ToList();
        var sent = ledger.Single(l => l.GetProperty("kind").GetString() == "withdrawal");
        Assert.Equal(("-10.5", firstId, "10", "0.5"), (sent.GetProperty("amount").GetString(), sent.GetProperty("withdrawal").GetProperty("id").GetString(),
            sent.GetProperty("withdrawal").GetProperty("amount").GetString(), sent.GetProperty("withdrawal").GetProperty("fee").GetString()));
        Assert.All(ledger.Where(l => l.GetProperty("kind").GetString() == "deposit"), l => Assert.Equal(JsonValueKind.Null, l.GetProperty("withdrawal").ValueKind));
        using (var csv = await user.Http.GetAsync(new Uri($"/api/v1/wallet/ledger/export.csv?asset={code}", UriKind.Relative), Ct))
        {
            var rows = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(rows, r => r.Contains($",withdrawal,{firstId},{code},held,-10.5,", StringComparison.Ordinal) && r.EndsWith($",0.5,{code}", StringComparison.Ordinal));
        }

        // The invariants and the reconciliation's ledger and fee checks count the fees too.
        await ExchangeDatabase.AssertInvariantsAsync(Db);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, Ct);
            var report = await worker::Coinage.Worker.Reconciliation.ReconciliationChecks.RunAsync(db, Ct);
            Assert.DoesNotContain(report.Discrepancies, d => d.Check == "ledger" || (d.Check == "fees" && d.Subject == $"fees {code}"));
        }
    }

    [Fact]
    public async Task A_withdrawal_fee_is_set_by_an_admin_only_to_zero_or_more_on_the_asset_s_grid()
    {
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        var admin = await AdminAsync(api, adminEmail);
        var code = await OwnAssetAsync(admin, fee: null);
        Assert.Equal("0", (await AssetAsync(admin, code)).GetProperty("withdrawalFee").GetString());

        foreach (var bad in new[] { "-1", "0.00001", "abc", "", "1000000000000001" })
        {
            using var refused = await admin.Http.PutAsJsonAsync($"/api/v1/admin/assets/{code}/withdrawal-fee", new { withdrawalFee = bad }, Ct);
            await AssertRefusedAsync(refused, HttpStatusCode.BadRequest, "invalid_withdrawal_fee", "withdrawalFee");
        }
        using (var offGrid = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code = code + "X", precision = 2, withdrawalFee = "0.001" }, Ct))
        {
            await AssertRefusedAsync(offGrid, HttpStatusCode.BadRequest, "invalid_withdrawal_fee", "withdrawalFee");
        }
        using (var unknown = await admin.Http.PutAsJsonAsync("/api/v1/admin/assets/NOSUCH/withdrawal-fee", new { withdrawalFee = "1" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
        var (user, _) = await UserAsync(api, "notadmin");
        using (var notAdmin = await user.Http.PutAsJsonAsync($"/api/v1/admin/assets/{code}/withdrawal-fee", new { withdrawalFee = "1" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }
        using (var zero = await admin.Http.PutAsJsonAsync($"/api/v1/admin/assets/{code}/withdrawal-fee", new { withdrawalFee = "0" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, zero.StatusCode);
        }
        Assert.Equal("0", (await AssetAsync(user, code)).GetProperty("withdrawalFee").GetString());
        // Refusals change nothing and are not audited; the accepted change is.
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM audit_entries WHERE action = 'asset.withdrawal_fee_changed' AND data::jsonb->>'asset' = @a", ("a", code)));
    }

    /// <summary>A new asset of 4 decimals, with its system accounts, so the test owns its fee.</summary>
    private static async Task<string> OwnAssetAsync(Trader admin, string? fee)
    {
        var code = "F" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6)).ToUpperInvariant();
        using var created = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code, precision = 4, withdrawalFee = fee }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return code;
    }

    private static async Task<JsonElement> AssetAsync(Trader anyone, string code) =>
        (await anyone.GetAsync("/api/v1/assets")).EnumerateArray().Single(a => a.GetProperty("code").GetString() == code);

    private async Task<string> ConfirmTokenAsync(ApiFactory api, string email) =>
        (await new IdentityTestClient(api.CreateClient(), Db).LastEmailAsync(email, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;

    private Task<string> FeeAccountAsync(string code) =>
        ExchangeDatabase.ScalarAsync<string>(Db, "SELECT trim_scale(amount)::text FROM balances WHERE owner_id = 0 AND asset = @a AND kind = 3", ("a", code));
}
