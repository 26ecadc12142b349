using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.MarketData;
using Coinage.ApiService.Tests.Trading;
using Microsoft.AspNetCore.SignalR.Client;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Funding;

/// <summary>
/// Issue 19, defect 6: funding changes made through the API (the user's requests and confirmations, an
/// Admin's decisions) reach the owner's hub connections as <c>fundingUpdate</c> + <c>balance</c>, through
/// Redis and the relay like order events, and nobody else's. (The Worker's rail: Coinage.Worker.Tests.)
/// </summary>
public sealed class FundingEventsTests(InfrastructureFixture infrastructure)
{
    private const string AdminPassword = "bootstrap admin passphrase 2026";
    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    [Fact]
    public async Task The_owner_hears_of_every_step_of_a_deposit_and_a_withdrawal_with_its_balance_and_nobody_else_does()
    {
        var environment = await MarketDataEnvironment.CreateAsync(infrastructure);
        var adminEmail = IdentityTestClient.NewEmail("admin");
        await using var api = new ApiFactory(environment.Database, environment.Redis, new Dictionary<string, string?>
        {
            ["Coinage:MarketData:KeyPrefix"] = environment.Prefix,
            ["Coinage:Admin:Email"] = adminEmail,
            ["Coinage:Admin:Password"] = AdminPassword,
            // Deposits wait for the rail or an Admin, so each step is a change of its own.
            ["Coinage:Wallet:AutoConfirmDeposits"] = "false",
        });
        var identity = new IdentityTestClient(api.CreateClient(), environment.Database);
        var adminToken = await identity.BootstrapAdminAsync(adminEmail, AdminPassword);
        var admin = Client(api, adminToken);
        var email = IdentityTestClient.NewEmail("funding-events");
        var (userToken, _) = await identity.SignedInUserAsync(email);
        var user = Client(api, userToken);
        var (otherToken, _) = await identity.SignedInUserAsync(IdentityTestClient.NewEmail("bystander"));

        await using var userHub = await HubClient.ConnectAsync(api, userToken);
        await using var otherHub = await HubClient.ConnectAsync(api, otherToken);
        var updates = Record(userHub);
        var leaked = Record(otherHub);

        // A large deposit: pending, then approved by an Admin.
        var deposit = await PostAsync(user, "/api/v1/wallet/deposits", new { asset = "BTC", amount = "5" }, HttpStatusCode.Created, idempotent: true);
        var depositId = deposit.GetProperty("id").GetString()!;
        await ExpectAsync(userHub, updates, "deposit", depositId, "pending", balance: ("0", "0"));
        await PostAsync(admin, $"/api/v1/admin/funding/deposits/{depositId}/approve", new { reason = "source of funds checked" }, HttpStatusCode.OK);
        await ExpectAsync(userHub, updates, "deposit", depositId, "confirmed", balance: ("5", "0"));

        // A withdrawal above the BTC threshold: held with BTC's seeded fee (0.0002), confirmed by the emailed link, rejected by an Admin.
        var saved = await PostAsync(user, "/api/v1/wallet/withdrawal-addresses", new { asset = "BTC", label = "cold wallet", address = BtcAddress }, HttpStatusCode.Created);
        var withdrawal = await PostAsync(user, "/api/v1/wallet/withdrawals", new { asset = "BTC", amount = "2", address = BtcAddress }, HttpStatusCode.Created, idempotent: true);
        var withdrawalId = withdrawal.GetProperty("id").GetString()!;
        await ExpectAsync(userHub, updates, "withdrawal", withdrawalId, "awaiting_confirmation", balance: ("2.9998", "2.0002"));
        var token = (await identity.LastEmailAsync(email, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;
        await PostAsync(user, "/api/v1/wallet/withdrawals/confirm", new { token }, HttpStatusCode.OK);
        await ExpectAsync(userHub, updates, "withdrawal", withdrawalId, "pending_approval", balance: ("2.9998", "2.0002"));
        await PostAsync(admin, $"/api/v1/admin/funding/withdrawals/{withdrawalId}/reject", new { reason = "address on a sanctions list" }, HttpStatusCode.OK);
        await ExpectAsync(userHub, updates, "withdrawal", withdrawalId, "rejected", balance: ("5", "0"));

        // Another withdrawal, cancelled by its owner.
        var cancelled = await PostAsync(user, "/api/v1/wallet/withdrawals", new { asset = "BTC", amount = "0.5", addressId = saved.GetProperty("id").GetString() }, HttpStatusCode.Created, idempotent: true);
        var cancelledId = cancelled.GetProperty("id").GetString()!;
        using (var cancel = await user.DeleteAsync(new Uri($"/api/v1/wallet/withdrawals/{cancelledId}", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }
        await ExpectAsync(userHub, updates, "withdrawal", cancelledId, "cancelled", balance: ("5", "0"));

        // The bystander's connection heard none of it (it is connected and relayed to: no messages at all).
        Assert.Empty(leaked);
        Assert.Empty(otherHub.Of("balance"));
    }

    private static HttpClient Client(ApiFactory api, string token)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>Every <c>fundingUpdate</c> of a connection, with the number of balances received before it (its own follows it).</summary>
    private static ConcurrentQueue<(JsonElement Update, int BalancesBefore)> Record(HubClient hub)
    {
        var received = new ConcurrentQueue<(JsonElement, int)>();
        hub.Connection.On<JsonElement>("fundingUpdate", update => received.Enqueue((update, hub.Of("balance").Count)));
        return received;
    }

    /// <summary>Waits for the update of this row in this status, then checks the BTC balance sent right after it.</summary>
    private static async Task ExpectAsync(HubClient hub, ConcurrentQueue<(JsonElement Update, int BalancesBefore)> updates,
        string kind, string id, string status, (string Available, string Held) balance)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!updates.Any(u => u.Update.GetProperty("kind").GetString() == kind && u.Update.GetProperty("id").GetString() == id
            && u.Update.GetProperty("status").GetString() == status))
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"No fundingUpdate {kind} {id} {status}; received: {string.Join(", ", updates.Select(u => u.Update.ToString()))}");
            await Task.Delay(50, Ct);
        }
        var match = updates.First(u => u.Update.GetProperty("kind").GetString() == kind && u.Update.GetProperty("id").GetString() == id
            && u.Update.GetProperty("status").GetString() == status);
        Assert.Equal("BTC", match.Update.GetProperty("asset").GetString());
        await hub.WaitForAsync("balance", _ => hub.Of("balance").Count > match.BalancesBefore);
        var next = hub.Of("balance")[match.BalancesBefore];
        Assert.Equal(("BTC", balance.Available, balance.Held), (next.GetProperty("asset").GetString(), next.GetProperty("available").GetString(), next.GetProperty("held").GetString()));
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, HttpStatusCode expected, bool idempotent = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotent)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        }
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
