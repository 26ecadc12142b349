extern alias worker;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Funding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using worker::Coinage.Worker.Email;
using worker::Coinage.Worker.Funding;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Funding;

/// <summary>
/// Withdrawals, deposit approval and the Admin funding and market endpoints, against real PostgreSQL,
/// Redis and maildev. One class, so its tests run one after another: each runs the Worker's funding
/// job, which processes every eligible row of the shared database.
/// </summary>
public sealed partial class FundingApiTests(InfrastructureFixture infrastructure)
{
    private readonly MailDevInbox _inbox = new(infrastructure);
    private const string Iban = "DE89370400440532013000";
    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private const string AdminPassword = "bootstrap admin passphrase 2026";

    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task The_approval_threshold_is_judged_on_amount_plus_fee_so_a_withdrawal_just_below_it_goes_to_review_when_its_fee_takes_it_over()
    {
        // BTC's threshold of 1 and its seeded withdrawal fee of 0.0002, stated here so the boundary is this test's own.
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Wallet:WithdrawalApprovalThresholds:BTC"] = "1" });
        var (user, email) = await UserAsync(api, "threshold");
        await user.DepositAsync("BTC", "2");
        await user.DepositAsync("BTC", "2");
        await user.SaveWithdrawalAddressAsync("BTC", BtcAddress);

        // 0.9998 + 0.0002 = 1: at the threshold, sent without an Admin.
        var atThreshold = await ConfirmedWithdrawalAsync(api, user, email, "0.9998");
        Assert.Equal(("pending", "1"), (atThreshold.GetProperty("status").GetString(), atThreshold.GetProperty("total").GetString()));
        // 0.9999 is below the threshold, but 0.9999 + 0.0002 = 1.0001 leaves the balance: reviewed.
        var overByItsFee = await ConfirmedWithdrawalAsync(api, user, email, "0.9999");
        Assert.Equal(("pending_approval", "1.0001"), (overByItsFee.GetProperty("status").GetString(), overByItsFee.GetProperty("total").GetString()));
        Assert.Equal((4m - 2.0001m, 2.0001m), (await user.BalancesAsync())["BTC"]);

        // Cancelled by their owner (before the funding job of another test sends the first): the whole holds come back.
        foreach (var withdrawal in new[] { atThreshold, overByItsFee })
        {
            using var cancel = await user.Http.DeleteAsync(new Uri($"/api/v1/wallet/withdrawals/{withdrawal.GetProperty("id").GetString()}", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        Assert.Equal((4m, 0m), (await user.BalancesAsync())["BTC"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_withdrawal_confirmed_through_the_emailed_link_is_completed_by_the_worker()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, email) = await UserAsync(api, "withdraw");
        await user.DepositAsync("USD", "1000");
        var saved = await user.SaveWithdrawalAddressAsync("USD", Iban, "my bank");

        // The address as typed, spaces and all, names the saved IBAN.
        using var request = await WithdrawAsync(user, "USD", "250.5", "de89 3704 0044 0532 0130 00");
        var created = await JsonAsync(request);
        Assert.Equal(HttpStatusCode.Created, request.StatusCode);
        Assert.Equal(("awaiting_confirmation", Iban, saved), (created.GetProperty("status").GetString(), created.GetProperty("address").GetString(), created.GetProperty("addressId").GetString()));
        // Held: the amount and USD's seeded withdrawal fee of 5 on top.
        Assert.Equal((744.5m, 255.5m), (await user.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
        // The reconciliation job's ledger check counts the withdrawal as a claim on the held funds too.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, Ct);
            var report = await worker::Coinage.Worker.Reconciliation.ReconciliationChecks.RunAsync(db, Ct);
            Assert.DoesNotContain(report.Discrepancies, d => d.Check == "ledger");
        }
        // The token is stored hashed, never in clear.
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(64, (await ExchangeDatabase.ScalarAsync<string>(Db, "SELECT confirmation_token_hash FROM withdrawals WHERE id = @id", ("id", long.Parse(id, System.Globalization.CultureInfo.InvariantCulture)))).Length);

        await _inbox.DeliverOutboxAsync(api.Services, email);
        var mail = (await _inbox.MailsToAsync(email, "Confirm your withdrawal")).Last(m => m.GetProperty("subject").GetString() == "Confirm your withdrawal");
        var text = mail.GetProperty("text").GetString()!;
        Assert.Contains("250.5 USD", text, StringComparison.Ordinal);
        var link = new Uri(ConfirmLink().Match(text).Value);
        Assert.Equal("/wallet/withdrawals/confirm", link.AbsolutePath);
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["token"]!;
        // The sent email keeps no readable token in the outbox.
        Assert.Equal(0, await ExchangeDatabase.ScalarAsync<long>(Db, "SELECT count(*) FROM outbox_messages WHERE payload::text LIKE '%' || @t || '%'", ("t", token)));

        var (other, _) = await UserAsync(api, "other");
        using (var foreign = await other.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_token"), (foreign.StatusCode, await CodeAsync(foreign)));
        }
        using (var confirm = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Equal("pending", (await JsonAsync(confirm)).GetProperty("status").GetString());
        }
        using (var again = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal((HttpStatusCode.BadRequest, "invalid_token"), (again.StatusCode, await CodeAsync(again)));
        }

        // The crash test's Worker process may run the same job on this database: the end state is what counts.
        await RunFundingJobAsync(api);
        Assert.Equal((744.5m, 0m), (await user.BalancesAsync())["USD"]);
        var listed = (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items");
        Assert.Equal(("completed", id), (listed[0].GetProperty("status").GetString(), listed[0].GetProperty("id").GetString()));
        await _inbox.DeliverOutboxAsync(api.Services, email);
        var sent = (await _inbox.MailsToAsync(email, "Your withdrawal was sent")).Single(m => m.GetProperty("subject").GetString() == "Your withdrawal was sent");
        Assert.Contains($"250.5 USD to {Iban}", sent.GetProperty("text").GetString()!, StringComparison.Ordinal);
        var kinds = (await user.GetAsync("/api/v1/wallet/ledger")).GetProperty("items").EnumerateArray().Select(l => l.GetProperty("kind").GetString()).ToList();
        Assert.Contains("withdrawal_request", kinds);
        Assert.Contains("withdrawal", kinds);
        Assert.Equal(3, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries WHERE action IN ('wallet.withdrawal_requested', 'wallet.withdrawal_confirmed', 'wallet.withdrawal_completed') AND data::jsonb->>'withdrawalId' = @id", ("id", id)));
        using (var cancelDone = await user.Http.DeleteAsync(new Uri($"/api/v1/wallet/withdrawals/{id}", UriKind.Relative), Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "withdrawal_not_cancellable"), (cancelDone.StatusCode, await CodeAsync(cancelDone)));
        }
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task With_two_factor_on_a_withdrawal_needs_a_code_that_is_accepted_once_or_a_recovery_code()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, email) = await UserAsync(api, "twofactor");
        await user.DepositAsync("BTC", "3");
        await user.SaveWithdrawalAddressAsync("BTC", BtcAddress);
        using (var setup = await user.Http.PostAsync(new Uri("/api/v1/account/2fa/setup", UriKind.Relative), null, Ct))
        {
            var secret = (await JsonAsync(setup)).GetProperty("secret").GetString()!;
            using var enable = await user.Http.PostAsJsonAsync("/api/v1/account/2fa/enable", new { code = IdentityTestClient.Totp(secret) }, Ct);
            Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
            var recovery = (await JsonAsync(enable)).GetProperty("recoveryCodes")[0].GetString()!;

            using (var missing = await WithdrawAsync(user, "BTC", "0.1", BtcAddress))
            {
                var body = await JsonAsync(missing);
                Assert.Equal((HttpStatusCode.Forbidden, "two_factor_required"), (missing.StatusCode, body.GetProperty("code").GetString()));
                Assert.True(body.GetProperty("errors").TryGetProperty("twoFactorCode", out _));
            }
            using (var wrong = await WithdrawAsync(user, "BTC", "0.1", BtcAddress, code: "000000" == IdentityTestClient.Totp(secret, 1) ? "111111" : "000000"))
            {
                Assert.Equal((HttpStatusCode.BadRequest, "invalid_two_factor_code"), (wrong.StatusCode, await CodeAsync(wrong)));
            }
            // A wrong code counts towards the sign-in lockout (and is audited); a right one resets the count.
            Assert.Equal(1, await ExchangeDatabase.ScalarAsync<int>(Db, "SELECT access_failed_count FROM users WHERE email = @e", ("e", email)));
            // The code that enabled 2FA is spent; the next step's code works once.
            var next = IdentityTestClient.Totp(secret, 1);
            using (var ok = await WithdrawAsync(user, "BTC", "0.1", BtcAddress, code: next))
            {
                Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
            }
            Assert.Equal(0, await ExchangeDatabase.ScalarAsync<int>(Db, "SELECT access_failed_count FROM users WHERE email = @e", ("e", email)));
            using (var replay = await WithdrawAsync(user, "BTC", "0.1", BtcAddress, code: next))
            {
                Assert.Equal((HttpStatusCode.BadRequest, "invalid_two_factor_code"), (replay.StatusCode, await CodeAsync(replay)));
            }
            using (var withRecovery = await WithdrawAsync(user, "BTC", "0.2", BtcAddress, code: recovery))
            {
                Assert.Equal(HttpStatusCode.Created, withRecovery.StatusCode);
            }
            using (var recoveryAgain = await WithdrawAsync(user, "BTC", "0.2", BtcAddress, code: recovery))
            {
                Assert.Equal((HttpStatusCode.BadRequest, "invalid_two_factor_code"), (recoveryAgain.StatusCode, await CodeAsync(recoveryAgain)));
            }
        }
        // 0.1 and 0.2 held, each with BTC's seeded withdrawal fee of 0.0002.
        Assert.Equal((2.6996m, 0.3004m), (await user.BalancesAsync())["BTC"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_their_field_and_code_and_leave_nothing_behind()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, _) = await UserAsync(api, "refused");
        await user.DepositAsync("ETH", "2");
        const string eth = "0x52908400098527886E0F7030069857D2E4169EE7";
        await user.SaveWithdrawalAddressAsync("ETH", eth);

        await AssertRefusedAsync(await WithdrawAsync(user, "ETH", "2.5", eth), HttpStatusCode.UnprocessableEntity, "insufficient_funds", "amount");
        await AssertRefusedAsync(await WithdrawAsync(user, "ETH", "1", "0x1234"), HttpStatusCode.BadRequest, "invalid_address", "address");
        await AssertRefusedAsync(await WithdrawAsync(user, "BTC", "1", "1BoatSLRHtKNngkdXEeobR76b53LETtpy0"), HttpStatusCode.BadRequest, "invalid_address", "address");
        await AssertRefusedAsync(await WithdrawAsync(user, "USD", "1", "DE89370400440532013001"), HttpStatusCode.BadRequest, "invalid_address", "address");
        await AssertRefusedAsync(await WithdrawAsync(user, "ETH", "0.000000001", eth), HttpStatusCode.BadRequest, "invalid_amount", "amount");
        await AssertRefusedAsync(await WithdrawAsync(user, "DOGE", "1", eth), HttpStatusCode.BadRequest, "unknown_asset", "asset");
        using (var noKey = await WithdrawAsync(user, "ETH", "1", eth, key: null))
        {
            Assert.Equal((HttpStatusCode.BadRequest, "idempotency_key_required"), (noKey.StatusCode, await CodeAsync(noKey)));
        }
        Assert.Equal(0, await CountWithdrawalsAsync(user));
        Assert.Equal((2m, 0m), (await user.BalancesAsync())["ETH"]);

        // Unverified users cannot withdraw.
        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var (unverified, _) = await identity.SignedInUserAsync(IdentityTestClient.NewEmail("unverified"), verified: false);
        using var unverifiedHttp = api.CreateClient();
        unverifiedHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", unverified);
        using (var refused = await WithdrawAsync(new Trader(unverifiedHttp), "ETH", "1", eth))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_returns_the_same_withdrawal_and_another_body_is_a_conflict()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, _) = await UserAsync(api, "retry");
        await user.DepositAsync("USD", "500");
        await user.SaveWithdrawalAddressAsync("USD", Iban);
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => WithdrawAsync(user, "USD", "100", Iban, key: key)));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            using (response)
            {
                Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, response.StatusCode.ToString());
                ids.Add((await JsonAsync(response)).GetProperty("id").GetString()!);
            }
        }
        Assert.Single(ids);
        // Held once: 100 and USD's seeded withdrawal fee of 5.
        Assert.Equal((395m, 105m), (await user.BalancesAsync())["USD"]);
        using (var other = await WithdrawAsync(user, "USD", "101", Iban, key: key))
        {
            Assert.Equal((HttpStatusCode.Conflict, "idempotency_key_reused"), (other.StatusCode, await CodeAsync(other)));
        }
        Assert.Equal(1, await CountWithdrawalsAsync(user));

        // Cancel: funds back, once; someone else cannot see it.
        var (stranger, _) = await UserAsync(api, "stranger");
        var path = new Uri($"/api/v1/wallet/withdrawals/{ids.Single()}", UriKind.Relative);
        using (var foreign = await stranger.Http.DeleteAsync(path, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        using (var cancel = await user.Http.DeleteAsync(path, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            Assert.Equal("cancelled", (await JsonAsync(cancel)).GetProperty("status").GetString());
        }
        using (var twice = await user.Http.DeleteAsync(path, Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "withdrawal_not_cancellable"), (twice.StatusCode, await CodeAsync(twice)));
        }
        Assert.Equal((500m, 0m), (await user.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task An_unconfirmed_withdrawal_expires_and_the_worker_releases_its_funds()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, email) = await UserAsync(api, "expiry");
        await user.DepositAsync("USD", "300");
        await user.SaveWithdrawalAddressAsync("USD", Iban);
        using var request = await WithdrawAsync(user, "USD", "120", Iban);
        var id = long.Parse((await JsonAsync(request)).GetProperty("id").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var token = (await new IdentityTestClient(api.CreateClient(), Db).LastEmailAsync(email, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;
        await ExchangeDatabase.ScalarAsync<object>(Db, "UPDATE withdrawals SET confirmation_expires_at = now() - interval '1 minute' WHERE id = @id RETURNING id", ("id", id));

        using (var late = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal((HttpStatusCode.Gone, "confirmation_expired"), (late.StatusCode, await CodeAsync(late)));
        }
        await RunFundingJobAsync(api);
        var listed = (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items")[0];
        Assert.Equal("expired", listed.GetProperty("status").GetString());
        Assert.Equal((300m, 0m), (await user.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task Large_withdrawals_and_deposits_wait_for_an_admin_who_approves_or_rejects_them_with_a_reason()
    {
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
            ["Coinage:Wallet:AutoConfirmDeposits"] = "false",
        });
        var admin = await AdminAsync(api, adminEmail);
        var (user, email) = await UserAsync(api, "large");
        await user.SaveWithdrawalAddressAsync("BTC", BtcAddress);

        // Deposits: the small one is confirmed by the Worker, the large one waits.
        var small = await DepositAsync(user, "BTC", "1.5");
        var large = await DepositAsync(user, "BTC", "5");
        Assert.Equal(("pending", "pending"), (small.GetProperty("status").GetString(), large.GetProperty("status").GetString()));
        await RunFundingJobAsync(api);
        Assert.Equal((1.5m, 0m), (await user.BalancesAsync())["BTC"]);
        var pending = (await admin.GetAsync("/api/v1/admin/funding/deposits?limit=200")).GetProperty("items").EnumerateArray()
            .Single(d => d.GetProperty("id").GetString() == large.GetProperty("id").GetString());
        Assert.True(pending.GetProperty("requiresApproval").GetBoolean());
        Assert.Equal(email, pending.GetProperty("email").GetString());
        using (var notAdmin = await user.Http.GetAsync(new Uri("/api/v1/admin/funding/deposits", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }
        using (var approve = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/deposits/{large.GetProperty("id").GetString()}/approve", new { reason = "source of funds checked" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
            Assert.Equal("confirmed", (await JsonAsync(approve)).GetProperty("status").GetString());
        }
        using (var twice = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/deposits/{large.GetProperty("id").GetString()}/reject", new { reason = "too late" }, Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "deposit_not_pending"), (twice.StatusCode, await CodeAsync(twice)));
        }
        var rejectedDeposit = await DepositAsync(user, "USD", "250000");
        using (var noReason = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/deposits/{rejectedDeposit.GetProperty("id").GetString()}/reject", new { reason = " " }, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        }
        using (var reject = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/deposits/{rejectedDeposit.GetProperty("id").GetString()}/reject", new { reason = "sender unknown" }, Ct))
        {
            Assert.Equal("rejected", (await JsonAsync(reject)).GetProperty("status").GetString());
        }
        Assert.Equal((6.5m, 0m), (await user.BalancesAsync())["BTC"]);
        Assert.False((await user.BalancesAsync()).TryGetValue("USD", out var usd) && usd.Available != 0);

        // Withdrawals above the threshold (BTC 1) become pending_approval on confirmation; the Worker leaves them alone.
        var approved = await ConfirmedWithdrawalAsync(api, user, email, "2");
        var rejected = await ConfirmedWithdrawalAsync(api, user, email, "3");
        Assert.Equal("pending_approval", approved.GetProperty("status").GetString());
        await RunFundingJobAsync(api);
        var open = (await admin.GetAsync("/api/v1/admin/funding/withdrawals?limit=200")).GetProperty("items").EnumerateArray()
            .Where(w => w.GetProperty("email").GetString() == email).Select(w => (w.GetProperty("id").GetString(), w.GetProperty("status").GetString())).ToList();
        Assert.Contains((approved.GetProperty("id").GetString(), "pending_approval"), open);
        Assert.Contains((rejected.GetProperty("id").GetString(), "pending_approval"), open);
        // Each holds its amount and BTC's seeded withdrawal fee of 0.0002.
        Assert.Equal((1.4996m, 5.0004m), (await user.BalancesAsync())["BTC"]);

        using (var approve = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/withdrawals/{approved.GetProperty("id").GetString()}/approve", new { }, Ct))
        {
            Assert.Equal("completed", (await JsonAsync(approve)).GetProperty("status").GetString());
        }
        using (var reject = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/withdrawals/{rejected.GetProperty("id").GetString()}/reject", new { reason = "address on a sanctions list" }, Ct))
        {
            var body = await JsonAsync(reject);
            Assert.Equal(("rejected", "address on a sanctions list"), (body.GetProperty("status").GetString(), body.GetProperty("reason").GetString()));
        }
        using (var again = await admin.Http.PostAsJsonAsync($"/api/v1/admin/funding/withdrawals/{approved.GetProperty("id").GetString()}/approve", new { }, Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "withdrawal_not_pending"), (again.StatusCode, await CodeAsync(again)));
        }
        // 2 and its fee left; the rejected 3 and its fee came back.
        Assert.Equal((4.4998m, 0m), (await user.BalancesAsync())["BTC"]);
        await _inbox.DeliverOutboxAsync(api.Services, email);
        var rejectedMail = (await _inbox.MailsToAsync(email, "Your withdrawal was rejected")).Single(m => m.GetProperty("subject").GetString() == "Your withdrawal was rejected");
        Assert.Contains("rejected: address on a sanctions list.", rejectedMail.GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries WHERE action = 'wallet.withdrawal_rejected' AND data::jsonb->>'reason' = 'address on a sanctions list' AND data::jsonb->>'by' = 'admin'"));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task An_admin_adds_an_asset_and_a_valid_market_that_the_matching_host_trades_without_a_restart()
    {
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?>
        {
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
        });
        await using var worker = new MatchingWorkerFactory(Db, infrastructure.RedisConnectionString);
        _ = worker.Services;
        var admin = await AdminAsync(api, adminEmail);
        var code = "T" + string.Concat(Guid.NewGuid().ToString("N").Where(char.IsAsciiLetter).Take(6)).ToUpperInvariant();

        using (var bad = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code = "1x", precision = 6 }, Ct))
        {
            await AssertRefusedAsync(bad, HttpStatusCode.BadRequest, "invalid_asset", "code");
        }
        using (var created = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code, precision = 6 }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        using (var duplicate = await admin.Http.PostAsJsonAsync("/api/v1/admin/assets", new { code, precision = 6 }, Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "asset_exists"), (duplicate.StatusCode, await CodeAsync(duplicate)));
        }

        object Market(string quote = "USD", string tick = "0.01", string lot = "1", string minQuantity = "1") =>
            new { baseAsset = code, quoteAsset = quote, tickSize = tick, lotSize = lot, minQuantity, minNotional = "1", makerFeeBps = "10", takerFeeBps = "20" };
        using (var unknown = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(quote: "XYZ"), Ct))
        {
            await AssertRefusedAsync(unknown, HttpStatusCode.BadRequest, "unknown_asset", "quoteAsset");
        }
        // tick × lot = 0.0001 USD is finer than a cent.
        using (var fine = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(tick: "0.01", lot: "0.01", minQuantity: "0.01"), Ct))
        {
            await AssertRefusedAsync(fine, HttpStatusCode.BadRequest, "invalid_market_spec", "lotSize");
        }
        using (var offLot = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(minQuantity: "1.5"), Ct))
        {
            await AssertRefusedAsync(offLot, HttpStatusCode.BadRequest, "invalid_market_spec", "minQuantity");
        }
        using (var notAdmin = await (await UserAsync(api, "nonadmin")).User.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(), Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        }
        using (var created = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(), Ct))
        {
            var body = await JsonAsync(created);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(($"{code}-USD", "open"), (body.GetProperty("symbol").GetString(), body.GetProperty("status").GetString()));
        }
        using (var duplicate = await admin.Http.PostAsJsonAsync("/api/v1/admin/markets", Market(), Ct))
        {
            Assert.Equal((HttpStatusCode.Conflict, "market_exists"), (duplicate.StatusCode, await CodeAsync(duplicate)));
        }

        var (seller, _) = await UserAsync(api, "newmarket-seller");
        var (buyer, _) = await UserAsync(api, "newmarket-buyer");
        await seller.DepositAsync(code, "100");
        await buyer.DepositAsync("USD", "1000");
        var symbol = $"{code}-USD";
        await seller.PlaceAsync(new { market = symbol, side = "sell", type = "limit", price = "2.5", quantity = "10" });
        await buyer.PlaceAsync(new { market = symbol, side = "buy", type = "limit", price = "2.5", quantity = "4" });
        await ExchangeDatabase.WaitProcessedAsync(Db, TimeSpan.FromSeconds(60));
        Assert.Equal((4m, 0m), (await buyer.BalancesAsync())[code]);
        // 4 × 2.5 = 10 USD, taker fee 20 bps = 0.02.
        Assert.Equal((1000m - 10m - 0.02m, 0m), (await buyer.BalancesAsync())["USD"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    private async Task<JsonElement> ConfirmedWithdrawalAsync(ApiFactory api, Trader user, string email, string amount)
    {
        using var request = await WithdrawAsync(user, "BTC", amount, BtcAddress);
        Assert.Equal(HttpStatusCode.Created, request.StatusCode);
        var token = (await new IdentityTestClient(api.CreateClient(), Db).LastEmailAsync(email, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;
        using var confirm = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        return await JsonAsync(confirm);
    }

    private static async Task<JsonElement> DepositAsync(Trader user, string asset, string amount)
    {
        using var response = await user.DepositRawAsync(asset, amount, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await JsonAsync(response);
    }

    private static async Task<HttpResponseMessage> WithdrawAsync(Trader user, string asset, string amount, string address, string? code = null, string? key = "new")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/wallet/withdrawals")
        {
            Content = JsonContent.Create(new { asset, amount, address, twoFactorCode = code }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key == "new" ? Guid.NewGuid().ToString() : key);
        }
        return await user.Http.SendAsync(request, Ct);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string field)
    {
        using (response)
        {
            var body = await JsonAsync(response);
            Assert.True(response.StatusCode == status, $"{response.StatusCode}: {body}");
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
        }
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).TryGetProperty("code", out var code) ? code.GetString() : null;

    private async Task<long> CountWithdrawalsAsync(Trader user)
    {
        var items = (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items");
        return items.GetArrayLength();
    }

    private async Task<(Trader User, string Email)> UserAsync(ApiFactory api, string prefix)
    {
        var email = IdentityTestClient.NewEmail(prefix);
        var (access, _) = await new IdentityTestClient(api.CreateClient(), Db).SignedInUserAsync(email);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (new Trader(http), email);
    }

    private async Task<Trader> AdminAsync(ApiFactory api, string email)
    {
        var access = await new IdentityTestClient(api.CreateClient(), Db).BootstrapAdminAsync(email, AdminPassword);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new Trader(http);
    }

    /// <summary>One run of the Worker's funding job, in-process on the API's database.</summary>
    private static async Task RunFundingJobAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CoinageDbContext>();
        var events = scope.ServiceProvider.GetRequiredService<FundingEvents>();
        await new FundingJob(db, events, Options.Create(new FundingOptions()), TimeProvider.System).RunAsync(Ct);
    }

    [GeneratedRegex(@"https?://\S+/wallet/withdrawals/confirm\?\S+")]
    private static partial Regex ConfirmLink();
}
