extern alias worker;

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Trading;
using Coinage.ApiService.Wallet;
using Coinage.Domain.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using worker::Coinage.Worker.Email;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Funding;

/// <summary>
/// Issue 21, item 9: the withdrawal address book. A withdrawal goes only to a saved address, a new address only
/// after its hold (<c>Coinage:Withdrawals:NewAddressHold</c>), and its owner is emailed when one is added.
/// Against real PostgreSQL, Redis and maildev.
/// </summary>
public sealed class WithdrawalAddressBookTests(InfrastructureFixture infrastructure)
{
    private readonly MailDevInbox _inbox = new(infrastructure);

    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";
    private const string EthAddress = "0x52908400098527886E0F7030069857D2E4169EE7";
    private const string Iban = "DE89370400440532013000";

    private string Db => infrastructure.PostgresConnectionString;

    [Fact]
    public async Task Addresses_are_added_listed_and_removed_with_field_errors_no_duplicates_a_cap_and_an_audit_trail()
    {
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Withdrawals:MaxAddresses"] = "3" });
        var (user, email) = await UserAsync(api, "book");

        var btc = await AddAsync(user, "BTC", "cold wallet", BtcAddress);
        Assert.Equal(HttpStatusCode.Created, btc.Status);
        Assert.Equal(("BTC", "cold wallet", BtcAddress, true), (btc.Body.GetProperty("asset").GetString(), btc.Body.GetProperty("label").GetString(),
            btc.Body.GetProperty("address").GetString(), btc.Body.GetProperty("usable").GetBoolean()));
        // Stored as a withdrawal would be: lower-case hex, so the same address in another case is a duplicate.
        var eth = await AddAsync(user, "eth", "  exchange  ", EthAddress);
        Assert.Equal((HttpStatusCode.Created, EthAddress.ToLowerInvariant(), "exchange"),
            (eth.Status, eth.Body.GetProperty("address").GetString(), eth.Body.GetProperty("label").GetString()));
        AssertRefused(await AddAsync(user, "ETH", "again", EthAddress.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)), HttpStatusCode.Conflict, "address_exists", "address");

        AssertRefused(await AddAsync(user, "DOGE", "x", BtcAddress), HttpStatusCode.BadRequest, "unknown_asset", "asset");
        AssertRefused(await AddAsync(user, "BTC", " ", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"), HttpStatusCode.BadRequest, "validation_failed", "label");
        AssertRefused(await AddAsync(user, "BTC", new string('x', 65), "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"), HttpStatusCode.BadRequest, "validation_failed", "label");
        AssertRefused(await AddAsync(user, "BTC", "line\nbreak", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"), HttpStatusCode.BadRequest, "validation_failed", "label");
        AssertRefused(await AddAsync(user, "BTC", "typo", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdQ"), HttpStatusCode.BadRequest, "invalid_address", "address");
        AssertRefused(await AddAsync(user, "USD", "bank", "DE89370400440532013001"), HttpStatusCode.BadRequest, "invalid_address", "address");

        // The same address for another asset is another entry; then the book is full (3 here).
        Assert.Equal(HttpStatusCode.Created, (await AddAsync(user, "USD", "my bank", "de89 3704 0044 0532 0130 00")).Status);
        var full = await AddAsync(user, "BTC", "one too many", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "address_book_full"), (full.Status, full.Body.GetProperty("code").GetString()));

        var listed = (await user.GetAsync("/api/v1/wallet/withdrawal-addresses")).EnumerateArray().Select(a => (a.GetProperty("asset").GetString(), a.GetProperty("address").GetString())).ToList();
        Assert.Equal([("BTC", BtcAddress), ("ETH", EthAddress.ToLowerInvariant()), ("USD", Iban)], listed);
        Assert.Equal(Iban, Assert.Single((await user.GetAsync("/api/v1/wallet/withdrawal-addresses?asset=usd")).EnumerateArray()).GetProperty("address").GetString());

        // Another user sees none of it and cannot touch it.
        var (stranger, _) = await UserAsync(api, "stranger");
        Assert.Equal(0, (await stranger.GetAsync("/api/v1/wallet/withdrawal-addresses")).GetArrayLength());
        var btcPath = new Uri($"/api/v1/wallet/withdrawal-addresses/{btc.Id}", UriKind.Relative);
        using (var foreign = await stranger.Http.GetAsync(btcPath, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        using (var foreign = await stranger.Http.DeleteAsync(btcPath, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }
        using (var remove = await user.Http.DeleteAsync(btcPath, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }
        using (var again = await user.Http.DeleteAsync(btcPath, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        // Room again after a removal.
        Assert.Equal(HttpStatusCode.Created, (await AddAsync(user, "BTC", "new wallet", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh")).Status);

        Assert.Equal(4, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE a.action = 'wallet.address_added' AND u.email = @e", ("e", email)));
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries a JOIN users u ON u.id = a.subject_user_id WHERE a.action = 'wallet.address_removed' AND u.email = @e AND a.data::jsonb->>'addressId' = @id",
            ("e", email), ("id", btc.Id)));

        // An unverified user cannot add one.
        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var (unverified, _) = await identity.SignedInUserAsync(IdentityTestClient.NewEmail("unverified"), verified: false);
        using var unverifiedHttp = api.CreateClient();
        unverifiedHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", unverified);
        using (var refused = await unverifiedHttp.PostAsJsonAsync("/api/v1/wallet/withdrawal-addresses", new { asset = "BTC", label = "x", address = BtcAddress }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
    }

    [Fact]
    public async Task A_withdrawal_goes_only_to_a_saved_address_and_removing_the_address_leaves_requested_withdrawals_as_they_are()
    {
        await using var api = new ApiFactory(infrastructure);
        var (user, email) = await UserAsync(api, "saved-only");
        await user.DepositAsync("BTC", "2");
        var (stranger, _) = await UserAsync(api, "stranger");
        var foreign = await stranger.SaveWithdrawalAddressAsync("BTC", BtcAddress);
        var usd = await user.SaveWithdrawalAddressAsync("USD", Iban);

        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", address = BtcAddress }), HttpStatusCode.BadRequest, "unknown_address", "address");
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1" }), HttpStatusCode.BadRequest, "address_required", "addressId");
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = "abc" }), HttpStatusCode.BadRequest, "unknown_address", "addressId");
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = foreign }), HttpStatusCode.BadRequest, "unknown_address", "addressId");
        // A saved address of another asset is not a BTC destination.
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = usd }), HttpStatusCode.BadRequest, "unknown_address", "addressId");
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", address = "not a btc address" }), HttpStatusCode.BadRequest, "invalid_address", "address");

        var saved = await user.SaveWithdrawalAddressAsync("BTC", BtcAddress, "cold wallet");
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = saved, address = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh" }),
            HttpStatusCode.BadRequest, "address_mismatch", "address");
        Assert.Equal(0, (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items").GetArrayLength());
        Assert.Equal((2m, 0m), (await user.BalancesAsync())["BTC"]);

        var key = Guid.NewGuid().ToString();
        var request = new { asset = "BTC", amount = "0.4", addressId = saved };
        var created = await WithdrawAsync(user, request, key);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal((BtcAddress, saved), (created.Body.GetProperty("address").GetString(), created.Body.GetProperty("addressId").GetString()));
        var id = created.Body.GetProperty("id").GetString()!;
        // Both fields, agreeing, are one request too (a program that knows both).
        Assert.Equal(HttpStatusCode.Created, (await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = saved, address = BtcAddress })).Status);

        using (var remove = await user.Http.DeleteAsync(new Uri($"/api/v1/wallet/withdrawal-addresses/{saved}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, remove.StatusCode);
        }
        // The requested withdrawal keeps its address, its retry still answers with it, and its link still confirms it.
        var retried = await WithdrawAsync(user, request, key);
        Assert.Equal((HttpStatusCode.OK, id), (retried.Status, retried.Body.GetProperty("id").GetString()));
        var listed = (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items").EnumerateArray().Single(w => w.GetProperty("id").GetString() == id);
        Assert.Equal(("awaiting_confirmation", BtcAddress), (listed.GetProperty("status").GetString(), listed.GetProperty("address").GetString()));
        var token = (await new IdentityTestClient(api.CreateClient(), Db).LastEmailAsync(email, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;
        // LastEmailAsync is the newest confirm email: the 0.1 one. Confirming it shows the link survives the removal too.
        using (var confirm = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }
        AssertRefused(await WithdrawAsync(user, new { asset = "BTC", amount = "0.1", addressId = saved }), HttpStatusCode.BadRequest, "unknown_address", "addressId");
        // 0.4 and 0.1 held, each with BTC's seeded 0.0002 withdrawal fee.
        Assert.Equal((1.4996m, 0.5004m), (await user.BalancesAsync())["BTC"]);
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    [Fact]
    public async Task A_new_address_is_refused_during_its_hold_and_usable_after_and_its_owner_is_emailed_with_the_anti_phishing_phrase()
    {
        // The production default; the test factories set zero for the tests not about the hold.
        Assert.Equal(TimeSpan.FromHours(24), new WithdrawalAddressOptions().NewAddressHold);
        var clock = new ShiftedTimeProvider();
        await using var api = new ApiFactory(infrastructure, new Dictionary<string, string?> { ["Coinage:Withdrawals:NewAddressHold"] = "1.00:00:00" },
            b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock)));
        var (user, email) = await UserAsync(api, "hold");
        using (var phrase = await user.Http.PutAsJsonAsync("/api/v1/account/anti-phishing-phrase", new { phrase = "purple otter 42!" }, Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, phrase.StatusCode);
        }
        await user.DepositAsync("USD", "500");

        var added = await AddAsync(user, "USD", "my bank", Iban);
        Assert.Equal(HttpStatusCode.Created, added.Status);
        var createdAt = added.Body.GetProperty("createdAt").GetDateTimeOffset();
        var usableFrom = added.Body.GetProperty("usableFrom").GetDateTimeOffset();
        Assert.Equal((TimeSpan.FromHours(24), false), (usableFrom - createdAt, added.Body.GetProperty("usable").GetBoolean()));

        // Refused, by id or by the address itself, saying until when; nothing is held and no withdrawal is left behind.
        var byId = await WithdrawAsync(user, new { asset = "USD", amount = "100", addressId = added.Id });
        AssertRefused(byId, HttpStatusCode.UnprocessableEntity, "address_on_hold", "addressId");
        Assert.Equal(usableFrom, byId.Body.GetProperty("usableFrom").GetDateTimeOffset());
        AssertRefused(await WithdrawAsync(user, new { asset = "USD", amount = "100", address = Iban }), HttpStatusCode.UnprocessableEntity, "address_on_hold", "address");
        clock.Offset = TimeSpan.FromHours(24) - TimeSpan.FromMinutes(1);
        AssertRefused(await WithdrawAsync(user, new { asset = "USD", amount = "100", addressId = added.Id }), HttpStatusCode.UnprocessableEntity, "address_on_hold", "addressId");
        Assert.Equal((500m, 0m), (await user.BalancesAsync())["USD"]);
        Assert.Equal(0, (await user.GetAsync("/api/v1/wallet/withdrawals")).GetProperty("items").GetArrayLength());

        clock.Offset = TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1);
        Assert.True(Assert.Single((await user.GetAsync("/api/v1/wallet/withdrawal-addresses")).EnumerateArray()).GetProperty("usable").GetBoolean());
        var sent = await WithdrawAsync(user, new { asset = "USD", amount = "100", addressId = added.Id });
        Assert.Equal(HttpStatusCode.Created, sent.Status);
        Assert.Equal((395m, 105m), (await user.BalancesAsync())["USD"]); // 100 and USD's seeded 5 fee held

        // The email, sent by the Worker's job from the outbox: the phrase first, the address, when it becomes usable, how to remove it.
        await _inbox.DeliverOutboxAsync(api.Services, email);
        var (text, _) = await _inbox.MailAsync(email, "A withdrawal address was added to your account");
        Assert.StartsWith("Your anti-phishing phrase: purple otter 42!", text, StringComparison.Ordinal);
        Assert.Contains($"\"my bank\" ({Iban})", text, StringComparison.Ordinal);
        Assert.Contains($"before {usableFrom.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}", text, StringComparison.Ordinal);
        Assert.Contains("If this was not you, remove the address", text, StringComparison.Ordinal);
        Assert.Contains("/wallet#withdrawal-addresses", text, StringComparison.Ordinal);
        Assert.Equal(1, await ExchangeDatabase.ScalarAsync<long>(Db,
            "SELECT count(*) FROM audit_entries WHERE action = 'wallet.address_added' AND data::jsonb->>'addressId' = @id AND data::jsonb->>'address' = @a",
            ("id", added.Id), ("a", Iban)));
        await ExchangeDatabase.AssertInvariantsAsync(Db);
    }

    private sealed record Answer(HttpStatusCode Status, JsonElement Body)
    {
        public string Id => Body.GetProperty("id").GetString()!;
    }

    private async Task<(Trader User, string Email)> UserAsync(ApiFactory api, string prefix)
    {
        var email = IdentityTestClient.NewEmail(prefix);
        var (access, _) = await new IdentityTestClient(api.CreateClient(), Db).SignedInUserAsync(email);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (new Trader(http), email);
    }

    private static async Task<Answer> AddAsync(Trader user, string asset, string label, string address)
    {
        using var response = await user.Http.PostAsJsonAsync("/api/v1/wallet/withdrawal-addresses", new { asset, label, address }, Ct);
        return new Answer(response.StatusCode, await JsonAsync(response));
    }

    private static async Task<Answer> WithdrawAsync(Trader user, object body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/wallet/withdrawals") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        using var response = await user.Http.SendAsync(request, Ct);
        return new Answer(response.StatusCode, await JsonAsync(response));
    }

    private static void AssertRefused(Answer answer, HttpStatusCode status, string code, string field)
    {
        Assert.True(answer.Status == status, $"{answer.Status}: {answer.Body}");
        Assert.Equal(code, answer.Body.GetProperty("code").GetString());
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), answer.Body.ToString());
    }

}
