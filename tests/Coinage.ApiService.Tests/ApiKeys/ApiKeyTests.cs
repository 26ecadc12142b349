using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Coinage.ApiService.Identity.ApiKeys;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.Streaming;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Coinage.ApiService.Tests.Identity.IdentityTestClient;

namespace Coinage.ApiService.Tests.ApiKeys;

/// <summary>
/// Issue 23, item 1: programs sign requests with API keys. Real PostgreSQL and Redis; every connection comes from
/// <see cref="Peer"/> (TestServer has no socket), the address the allow-lists are written against.
/// </summary>
public sealed class ApiKeyTests(InfrastructureFixture infrastructure)
{
    private static readonly IPAddress Peer = IPAddress.Parse("198.51.100.7");
    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    private string Db => infrastructure.PostgresConnectionString;

    private ApiFactory Factory(ShiftedTimeProvider? clock = null, Dictionary<string, string?>? settings = null) =>
        new(infrastructure, settings, builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new ConnectionFrom(Peer));
            if (clock is not null)
            {
                services.AddSingleton<TimeProvider>(clock);
            }
        }));

    /// <summary>A verified trader signed in on <paramref name="api"/>: their session (bearer) client and identity client.</summary>
    private async Task<(Trader Session, IdentityTestClient Identity, string Access)> SignedInAsync(ApiFactory api)
    {
        var identity = new IdentityTestClient(api.CreateClient(), Db);
        var (access, _) = await identity.SignedInUserAsync(NewEmail("keys"));
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (new Trader(http), identity, access);
    }

    private static async Task<(string Id, string Secret)> CreateKeyAsync(IdentityTestClient identity, string access, object request)
    {
        using var response = await identity.PostAsync("/api/v1/account/api-keys", request, access);
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {body}");
        return (body.GetProperty("id").GetString()!, body.GetProperty("secret").GetString()!);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == status, $"expected {status} {code}, got {response.StatusCode}: {body}");
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal("https://coinage.dev/problems/" + code, body.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_signed_order_placement_and_cancel_succeed_and_are_audited_with_the_key()
    {
        await using var api = Factory();
        var (session, identity, access) = await SignedInAsync(api);
        await session.DepositAsync("USD", "1000");
        var (keyId, secret) = await CreateKeyAsync(identity, access, new { name = "market maker", scopes = new[] { "trade", "read" } });
        var key = new SignedClient(api.CreateClient(), keyId, secret);

        string orderId;
        using (var placed = await key.SendAsync(HttpMethod.Post, "/api/v1/orders", """{"market":"BTC-USD","side":"buy","type":"limit","price":"100","quantity":"0.5"}"""))
        {
            var body = await JsonAsync(placed);
            Assert.True(placed.StatusCode == HttpStatusCode.Created, $"{placed.StatusCode}: {body}");
            orderId = body.GetProperty("id").GetString()!;
        }
        using (var read = await key.SendAsync(HttpMethod.Get, $"/api/v1/orders/{orderId}"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        using (var balances = await key.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            Assert.Equal(HttpStatusCode.OK, balances.StatusCode);
        }
        // The query is signed as sent.
        using (var open = await key.SendAsync(HttpMethod.Get, "/api/v1/orders/open?market=BTC-USD&limit=5"))
        {
            Assert.Equal(orderId, (await JsonAsync(open)).GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString());
        }
        using (var cancelled = await key.SendAsync(HttpMethod.Delete, $"/api/v1/orders/{orderId}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        }

        Assert.Equal(1, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action = 'order.placed' AND data::jsonb ->> 'apiKey' = @k AND data::jsonb ->> 'orderId' = @o", ("k", keyId), ("o", orderId)));
        Assert.Equal(1, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action = 'order.cancel_requested' AND data::jsonb ->> 'apiKey' = @k AND data::jsonb ->> 'orderId' = @o", ("k", keyId), ("o", orderId)));
        // The use is recorded (coalesced: once, however many requests).
        using var list = await identity.SendAsync(HttpMethod.Get, "/api/v1/account/api-keys", access);
        var listed = (await JsonAsync(list)).EnumerateArray().Single();
        Assert.Equal(keyId, listed.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.String, listed.GetProperty("lastUsedAt").ValueKind);
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.Equal(["read", "trade"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_bad_signature_a_skewed_timestamp_a_replay_and_an_unknown_key_are_each_refused_with_their_own_problem()
    {
        await using var api = Factory();
        var (_, identity, access) = await SignedInAsync(api);
        var (keyId, secret) = await CreateKeyAsync(identity, access, new { name = "reader", scopes = new[] { "read" } });
        var key = new SignedClient(api.CreateClient(), keyId, secret);

        using (var wrongSecret = await new SignedClient(api.CreateClient(), keyId, ApiKeySignature.NewSecret()).SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(wrongSecret, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.InvalidSignature);
        }
        // Signed for one path, sent to another.
        using (var otherPath = await key.SendAsync(HttpMethod.Get, "/api/v1/wallet/ledger", signedPath: "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(otherPath, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.InvalidSignature);
        }
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var skewed = await key.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances", timestamp: before - 6_000))
        {
            await AssertProblemAsync(skewed, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.TimestampSkew);
            var serverTime = (await JsonAsync(skewed)).GetProperty("serverTime").GetInt64();
            Assert.InRange(serverTime, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        // A wider receive window (at most a minute) accepts the same delay.
        using (var widened = await key.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances", timestamp: before - 6_000, window: 10_000))
        {
            Assert.Equal(HttpStatusCode.OK, widened.StatusCode);
        }
        using (var tooWide = await key.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances", window: 60_001))
        {
            await AssertProblemAsync(tooWide, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.TimestampSkew);
        }

        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var first = await key.SendAsync(HttpMethod.Get, "/api/v1/orders/open", timestamp: timestamp))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        using (var replayed = await key.SendAsync(HttpMethod.Get, "/api/v1/orders/open", timestamp: timestamp))
        {
            await AssertProblemAsync(replayed, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.Replayed);
        }
        // The same path signed afresh is a new request.
        using (var fresh = await key.SendAsync(HttpMethod.Get, "/api/v1/orders/open", timestamp: timestamp + 1))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        using (var unknown = await new SignedClient(api.CreateClient(), ApiKeySignature.NewKeyId(), secret).SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.UnknownKey);
        }
    }

    [Fact]
    public async Task A_key_needs_the_scope_and_never_reaches_identity_account_or_step_up_endpoints()
    {
        await using var api = Factory();
        var (session, identity, access) = await SignedInAsync(api);
        await session.DepositAsync("USD", "1000");
        var (readerId, readerSecret) = await CreateKeyAsync(identity, access, new { name = "reader", scopes = new[] { "read" } });
        var reader = new SignedClient(api.CreateClient(), readerId, readerSecret);
        var (traderId, traderSecret) = await CreateKeyAsync(identity, access, new { name = "trader", scopes = new[] { "trade" } });
        var trader = new SignedClient(api.CreateClient(), traderId, traderSecret);

        using (var place = await reader.SendAsync(HttpMethod.Post, "/api/v1/orders", """{"market":"BTC-USD","side":"buy","type":"limit","price":"100","quantity":"0.5"}"""))
        {
            await AssertProblemAsync(place, HttpStatusCode.Forbidden, ApiKeyErrorCodes.ScopeRequired);
            Assert.Equal("trade", (await JsonAsync(place)).GetProperty("requiredScope").GetString());
        }
        using (var batch = await reader.SendAsync(HttpMethod.Post, "/api/v1/orders/batch", """{"orders":[]}"""))
        {
            await AssertProblemAsync(batch, HttpStatusCode.Forbidden, ApiKeyErrorCodes.ScopeRequired);
        }
        using (var read = await trader.SendAsync(HttpMethod.Get, "/api/v1/orders"))
        {
            await AssertProblemAsync(read, HttpStatusCode.Forbidden, ApiKeyErrorCodes.ScopeRequired);
        }
        // What anyone may read needs no scope.
        using (var markets = await trader.SendAsync(HttpMethod.Get, "/api/v1/markets/BTC-USD/ticker"))
        {
            Assert.Equal(HttpStatusCode.OK, markets.StatusCode);
        }
        using (var withdraw = await trader.SendAsync(HttpMethod.Post, "/api/v1/wallet/withdrawals", """{"asset":"USD","amount":"1","address":"x"}"""))
        {
            await AssertProblemAsync(withdraw, HttpStatusCode.Forbidden, ApiKeyErrorCodes.ScopeRequired);
        }
        // No order was placed by the refused requests.
        Assert.Equal(0, await identity.CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'order.placed' AND data::jsonb ->> 'apiKey' = @k", ("k", readerId)));

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "/api/v1/account/profile", null),
            (HttpMethod.Get, "/api/v1/account/sessions", null),
            (HttpMethod.Post, "/api/v1/account/sessions/revoke-others", "{}"),
            (HttpMethod.Post, "/api/v1/account/password", """{"currentPassword":"x","newPassword":"y"}"""),
            (HttpMethod.Post, "/api/v1/account/2fa/setup", "{}"),
            (HttpMethod.Get, "/api/v1/account/passkeys", null),
            (HttpMethod.Get, "/api/v1/account/devices", null),
            (HttpMethod.Get, "/api/v1/account/api-keys", null),
            (HttpMethod.Post, "/api/v1/account/api-keys", """{"name":"k","scopes":["read"]}"""),
            (HttpMethod.Delete, $"/api/v1/account/api-keys/{readerId}", null),
            (HttpMethod.Post, "/api/v1/account/step-up", """{"password":"x"}"""),
            (HttpMethod.Post, "/api/v1/auth/logout", "{}"),
            (HttpMethod.Get, "/api/v1/privacy/exports", null),
            (HttpMethod.Post, "/api/v1/privacy/erasure", "{}"),
            (HttpMethod.Post, "/api/v1/wallet/withdrawal-addresses", $$"""{"asset":"BTC","label":"x","address":"{{BtcAddress}}"}"""),
            (HttpMethod.Post, "/api/v1/wallet/deposits", """{"asset":"USD","amount":"1"}"""),
            (HttpMethod.Get, "/api/v1/admin/users", null),
        })
        {
            using var refused = await reader.SendAsync(method, path, body);
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, ApiKeyErrorCodes.NotAccepted);
        }
        // The key is still whole: refusals above revoked nothing.
        using (var list = await identity.SendAsync(HttpMethod.Get, "/api/v1/account/api-keys", access))
        {
            Assert.Equal(2, (await JsonAsync(list)).GetArrayLength());
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_on_another_replica_and_an_expired_key_is_refused()
    {
        var clock = new ShiftedTimeProvider();
        await using var replicaA = Factory(clock);
        await using var replicaB = Factory(clock);
        var (_, identity, access) = await SignedInAsync(replicaA);
        var (keyId, secret) = await CreateKeyAsync(identity, access, new { name = "bot", scopes = new[] { "read" } });
        var onB = new SignedClient(replicaB.CreateClient(), keyId, secret);
        using (var used = await onB.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }
        using (var revoke = await identity.SendAsync(HttpMethod.Delete, $"/api/v1/account/api-keys/{keyId}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        using (var refused = await onB.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.Revoked);
        }
        using (var again = await identity.SendAsync(HttpMethod.Delete, $"/api/v1/account/api-keys/{keyId}", access))
        {
            await AssertProblemAsync(again, HttpStatusCode.NotFound, "not_found");
        }
        Assert.Equal(1, await identity.CountAsync("SELECT count(*) FROM api_keys WHERE id = @k AND revoked_at IS NOT NULL AND protected_secret IS NULL", ("k", keyId)));
        Assert.Equal(1, await identity.CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'api_key.created' AND data::jsonb ->> 'apiKey' = @k", ("k", keyId)));
        Assert.Equal(1, await identity.CountAsync("SELECT count(*) FROM audit_entries WHERE action = 'api_key.revoked' AND data::jsonb ->> 'apiKey' = @k", ("k", keyId)));

        var (shortId, shortSecret) = await CreateKeyAsync(identity, access,
            new { name = "short-lived", scopes = new[] { "read" }, expiresAt = DateTimeOffset.UtcNow.AddMinutes(5) });
        var shortLived = new SignedClient(replicaB.CreateClient(), shortId, shortSecret, clock);
        using (var used = await shortLived.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }
        clock.Offset = TimeSpan.FromMinutes(6);
        using (var expired = await shortLived.SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(expired, HttpStatusCode.Unauthorized, ApiKeyErrorCodes.Expired);
        }
    }

    [Fact]
    public async Task A_key_answers_only_from_its_allow_list()
    {
        await using var api = Factory();
        var (_, identity, access) = await SignedInAsync(api);
        var (elsewhereId, elsewhereSecret) = await CreateKeyAsync(identity, access, new { name = "elsewhere", scopes = new[] { "read" }, ipAllowList = new[] { "203.0.113.0/24" } });
        using (var refused = await new SignedClient(api.CreateClient(), elsewhereId, elsewhereSecret).SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, ApiKeyErrorCodes.IpNotAllowed);
        }
        var (hereId, hereSecret) = await CreateKeyAsync(identity, access, new { name = "here", scopes = new[] { "read" }, ipAllowList = new[] { "203.0.113.0/24", Peer.ToString() } });
        using (var allowed = await new SignedClient(api.CreateClient(), hereId, hereSecret).SendAsync(HttpMethod.Get, "/api/v1/wallet/balances"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var list = await identity.SendAsync(HttpMethod.Get, "/api/v1/account/api-keys", access);
        var here = (await JsonAsync(list)).EnumerateArray().Single(k => k.GetProperty("id").GetString() == hereId);
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32"], here.GetProperty("ipAllowList").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Creating_and_revoking_need_a_step_up_and_bad_input_names_its_field()
    {
        var clock = new ShiftedTimeProvider();
        await using var api = Factory(clock, new Dictionary<string, string?> { ["Coinage:Identity:StepUp:Window"] = "00:01:00" });
        var (_, identity, access) = await SignedInAsync(api);
        var (keyId, _) = await CreateKeyAsync(identity, access, new { name = "first", scopes = new[] { "read" } });

        clock.Offset = TimeSpan.FromMinutes(2);
        using (var create = await identity.PostAsync("/api/v1/account/api-keys", new { name = "second", scopes = new[] { "read" } }, access))
        {
            await AssertProblemAsync(create, HttpStatusCode.Forbidden, "step_up_required");
        }
        using (var revoke = await identity.SendAsync(HttpMethod.Delete, $"/api/v1/account/api-keys/{keyId}", access))
        {
            await AssertProblemAsync(revoke, HttpStatusCode.Forbidden, "step_up_required");
        }
        await identity.StepUpAsync(access, totpSecret: null);

        foreach (var (request, field) in new (object, string)[]
        {
            (new { scopes = new[] { "read" } }, "name"),
            (new { name = "k" }, "scopes"),
            (new { name = "k", scopes = new[] { "read", "admin" } }, "scopes"),
            (new { name = "k", scopes = new[] { "read" }, ipAllowList = new[] { "10.0.0.1/8" } }, "ipAllowList"),
            (new { name = "k", scopes = new[] { "read" }, ipAllowList = new[] { "example.com" } }, "ipAllowList"),
            (new { name = "k", scopes = new[] { "read" }, expiresAt = DateTimeOffset.UtcNow.AddDays(400) }, "expiresAt"),
            (new { name = "k", scopes = new[] { "read" }, expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }, "expiresAt"),
            // Withdraw: not without an address book, nor without an allow-list.
            (new { name = "k", scopes = new[] { "withdraw" }, ipAllowList = new[] { Peer.ToString() } }, "scopes"),
            (new { name = "k", scopes = new[] { "withdraw" } }, "ipAllowList"),
        })
        {
            using var refused = await identity.PostAsync("/api/v1/account/api-keys", request, access);
            var body = await JsonAsync(refused);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(request)}: {refused.StatusCode} {body}");
            Assert.Equal("validation_failed", body.GetProperty("code").GetString());
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(request)}: {body}");
        }
        Assert.Equal(1, await identity.CountAsync("SELECT count(*) FROM api_keys k JOIN api_keys f ON f.user_id = k.user_id WHERE f.id = @k", ("k", keyId)));

        using (var revoke = await identity.SendAsync(HttpMethod.Delete, $"/api/v1/account/api-keys/{keyId}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
    }

    [Fact]
    public async Task A_withdraw_key_with_an_allow_list_requests_a_withdrawal_to_the_address_book_and_it_is_audited_with_the_key()
    {
        await using var api = Factory();
        var (session, identity, access) = await SignedInAsync(api);
        await session.DepositAsync("BTC", "1");
        var addressId = await session.SaveWithdrawalAddressAsync("BTC", BtcAddress);
        var (keyId, secret) = await CreateKeyAsync(identity, access, new { name = "treasury", scopes = new[] { "read", "withdraw" }, ipAllowList = new[] { Peer.ToString() } });
        var key = new SignedClient(api.CreateClient(), keyId, secret);

        string withdrawalId;
        using (var requested = await key.SendAsync(HttpMethod.Post, "/api/v1/wallet/withdrawals", $$"""{"asset":"BTC","amount":"0.1","addressId":"{{addressId}}"}""",
            headers: new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() }))
        {
            var body = await JsonAsync(requested);
            Assert.True(requested.StatusCode == HttpStatusCode.Created, $"{requested.StatusCode}: {body}");
            withdrawalId = body.GetProperty("id").GetString()!;
        }
        Assert.Equal(1, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action = 'wallet.withdrawal_requested' AND data::jsonb ->> 'apiKey' = @k AND data::jsonb ->> 'withdrawalId' = @w",
            ("k", keyId), ("w", withdrawalId)));
        // The emailed confirmation is a person's: the link's endpoint does not take keys.
        using (var confirm = await key.SendAsync(HttpMethod.Post, "/api/v1/wallet/withdrawals/confirm", """{"token":"x"}"""))
        {
            await AssertProblemAsync(confirm, HttpStatusCode.Forbidden, ApiKeyErrorCodes.NotAccepted);
        }
    }

    [Fact]
    public async Task A_trade_key_arms_and_disarms_the_dead_mans_switch_and_the_audit_names_the_key_a_read_key_cannot()
    {
        await using var api = Factory();
        var (_, identity, access) = await SignedInAsync(api);
        var (tradeId, tradeSecret) = await CreateKeyAsync(identity, access, new { name = "bot", scopes = new[] { "trade" } });
        var (readId, readSecret) = await CreateKeyAsync(identity, access, new { name = "watcher", scopes = new[] { "read" } });

        using (var refused = await new SignedClient(api.CreateClient(), readId, readSecret).SendAsync(HttpMethod.Post, "/api/v1/orders/cancel-all-after", """{"timeoutSeconds":30}"""))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden, ApiKeyErrorCodes.ScopeRequired);
        }
        var bot = new SignedClient(api.CreateClient(), tradeId, tradeSecret);
        foreach (var body in new[] { """{"timeoutSeconds":30,"market":"BTC-USD"}""", """{"timeoutSeconds":30,"market":"BTC-USD"}""", """{"timeoutSeconds":0,"market":"BTC-USD"}""" })
        {
            using var armed = await bot.SendAsync(HttpMethod.Post, "/api/v1/orders/cancel-all-after", body);
            Assert.True(armed.StatusCode == HttpStatusCode.OK, $"{armed.StatusCode}: {await JsonAsync(armed)}");
        }

        // Armed once (the renewal is not audited) and disarmed once, each with the key that did it.
        Assert.Equal(1, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action = 'orders.cancel_all_after_armed' AND data::jsonb ->> 'apiKey' = @k AND data::jsonb ->> 'market' = 'BTC-USD' AND data::jsonb ->> 'timeoutSeconds' = '30'",
            ("k", tradeId)));
        Assert.Equal(1, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action = 'orders.cancel_all_after_disarmed' AND data::jsonb ->> 'apiKey' = @k", ("k", tradeId)));
        Assert.Equal(0, await identity.CountAsync(
            "SELECT count(*) FROM audit_entries WHERE action LIKE 'orders.cancel_all_after%' AND data::jsonb ->> 'apiKey' = @k", ("k", readId)));
    }

    [Fact]
    public async Task The_openapi_document_declares_the_key_headers_beside_the_bearer_and_each_keyed_operation_names_its_scope()
    {
        await using var api = Factory();
        using var client = api.CreateClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));
        var root = document.RootElement;

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal(("http", "bearer"), (schemes.GetProperty("bearer").GetProperty("type").GetString(), schemes.GetProperty("bearer").GetProperty("scheme").GetString()));
        foreach (var header in new[] { ApiKeySignature.KeyHeader, ApiKeySignature.TimestampHeader, ApiKeySignature.SignatureHeader })
        {
            var scheme = schemes.GetProperty(header);
            Assert.Equal(("apiKey", "header", header), (scheme.GetProperty("type").GetString(), scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        }

        // What each operation accepts: a bearer, or the three key headers with the scope on the key.
        string[] Security(string path, string method) =>
            root.GetProperty("paths").GetProperty(path).GetProperty(method).TryGetProperty("security", out var security)
                ? [.. security.EnumerateArray().Select(requirement => string.Join(" + ", requirement.EnumerateObject()
                    .Select(s => s.Value.GetArrayLength() == 0 ? s.Name : $"{s.Name}({string.Join(",", s.Value.EnumerateArray().Select(v => v.GetString()))})")))]
                : [];
        const string Keyed = "Coinage-Key({0}) + Coinage-Timestamp + Coinage-Signature";
        Assert.Equal(["bearer", string.Format(null, Keyed, "trade")], Security("/api/v1/orders", "post"));
        Assert.Equal(["bearer", string.Format(null, Keyed, "read")], Security("/api/v1/orders", "get"));
        Assert.Equal(["bearer", string.Format(null, Keyed, "trade")], Security("/api/v1/orders/cancel-all-after", "post"));
        Assert.Equal(["bearer", string.Format(null, Keyed, "read")], Security("/api/v1/wallet/balances", "get"));
        Assert.Equal(["bearer", string.Format(null, Keyed, "withdraw")], Security("/api/v1/wallet/withdrawals", "post"));
        // A person only: key management (step-up) and the account.
        Assert.Equal(["bearer"], Security("/api/v1/account/api-keys", "post"));
        Assert.Equal(["bearer"], Security("/api/v1/account/profile", "get"));
        // Open to anyone.
        Assert.Empty(Security("/api/v1/markets", "get"));

        // Every keyed operation names one scope a key can have, and is also open to a session.
        var keyed = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("security", out _)))
            {
                var requirements = operation.Value.GetProperty("security").EnumerateArray().ToList();
                Assert.True(requirements[0].TryGetProperty("bearer", out _), $"{operation.Name} {path.Name}");
                if (requirements.Count > 1)
                {
                    keyed++;
                    Assert.Contains(Assert.Single(requirements[1].GetProperty(ApiKeySignature.KeyHeader).EnumerateArray()).GetString(), ApiKeyScopes.All);
                }
            }
        }
        Assert.True(keyed >= 15, $"only {keyed} operations take keys");
    }

    /// <summary>Signs requests as a program would: the headers of docs/api-keys.md over the exact bytes it sends.</summary>
    [Fact]
    public async Task A_read_key_signs_the_feeds_handshake_a_key_without_read_is_refused_and_revoking_closes_its_sockets_at_once()
    {
        await using var api = Factory();
        var (_, identity, access) = await SignedInAsync(api);
        var (readId, readSecret) = await CreateKeyAsync(identity, access, new { name = "feed", scopes = new[] { "read" } });
        var (tradeId, tradeSecret) = await CreateKeyAsync(identity, access, new { name = "trade-only", scopes = new[] { "trade" } });

        await using var feed = await FeedClient.ConnectAsync(api, request => SignHandshake(request, readId, readSecret));
        await feed.WaitForTypeAsync("authenticated");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => FeedClient.ConnectAsync(api, request => SignHandshake(request, tradeId, tradeSecret)));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        using (var revoke = await identity.SendAsync(HttpMethod.Delete, $"/api/v1/account/api-keys/{readId}", access))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }
        await feed.WaitClosedAsync();
        Assert.Equal((System.Net.WebSockets.WebSocketCloseStatus)4001, feed.CloseStatus);
    }

    private static void SignHandshake(HttpRequest request, string keyId, string secret)
    {
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        request.Headers[ApiKeySignature.KeyHeader] = keyId;
        request.Headers[ApiKeySignature.TimestampHeader] = ts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers[ApiKeySignature.SignatureHeader] = ApiKeySignature.Sign(secret, ts, "GET", "/ws/v1", "");
    }

    private sealed class SignedClient(HttpClient http, string keyId, string secret, TimeProvider? clock = null)
    {
        public async Task<HttpResponseMessage> SendAsync(
            HttpMethod method, string pathAndQuery, string? body = null, long? timestamp = null, int? window = null, string? signedPath = null,
            IReadOnlyDictionary<string, string>? headers = null)
        {
            var ts = timestamp ?? (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
            using var request = new HttpRequestMessage(method, new Uri(pathAndQuery, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            request.Headers.Add(ApiKeySignature.KeyHeader, keyId);
            request.Headers.Add(ApiKeySignature.TimestampHeader, ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(ApiKeySignature.SignatureHeader, ApiKeySignature.Sign(secret, ts, method.Method, signedPath ?? pathAndQuery, body ?? ""));
            if (window is { } w)
            {
                request.Headers.Add(ApiKeySignature.WindowHeader, w.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                request.Headers.Add(name, value);
            }
            return await http.SendAsync(request, Ct);
        }
    }
}
