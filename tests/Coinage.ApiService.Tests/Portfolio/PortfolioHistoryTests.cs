extern alias worker;

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coinage.ApiService.Tests.Identity;
using Coinage.ApiService.Tests.MarketData;
using Coinage.ApiService.Tests.Trading;
using Coinage.Domain.Data;
using Coinage.Domain.Funding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using worker::Coinage.Worker.Funding;
using static Coinage.ApiService.Tests.Trading.Trader;

namespace Coinage.ApiService.Tests.Portfolio;

/// <summary>
/// <c>/api/v1/portfolio</c> and its history against real PostgreSQL: deposits, two trades at different prices and a
/// withdrawal, each moved to a day of its own. A database of its own, so the market's prices are only this test's.
/// </summary>
public sealed class PortfolioHistoryTests(InfrastructureFixture infrastructure)
{
    private const string BtcAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    [Fact]
    public async Task The_history_values_each_day_from_the_ledger_and_that_days_close()
    {
        var environment = await MarketDataEnvironment.CreateAsync(infrastructure);
        var db = environment.Database;
        await using var api = environment.Api();
        await using var worker = environment.Worker();
        _ = worker.Services; // starts the matching host
        var (alice, aliceEmail) = await UserAsync(api, db, "alice");
        var (bob, _) = await UserAsync(api, db, "bob");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        // The API writes the ledger only in the present: each step's rows are moved to noon of their day afterwards.
        await StepAsync(db, today.AddDays(-5), async () =>
        {
            await alice.DepositAsync("USD", "20000");
            await bob.DepositAsync("BTC", "1");
        });
        await StepAsync(db, today.AddDays(-3), async () =>
        {
            await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "20000", quantity = "0.5" });
            await ExchangeDatabase.WaitProcessedAsync(db);
            await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "20000", quantity = "0.5" });
            await ExchangeDatabase.WaitProcessedAsync(db);
        });
        await StepAsync(db, today.AddDays(-1), async () =>
        {
            await bob.PlaceAsync(new { market = "BTC-USD", side = "sell", type = "limit", price = "30000", quantity = "0.1" });
            await ExchangeDatabase.WaitProcessedAsync(db);
            await alice.PlaceAsync(new { market = "BTC-USD", side = "buy", type = "limit", price = "30000", quantity = "0.1" });
            await ExchangeDatabase.WaitProcessedAsync(db);
        });
        // Today: 1000 USD leave through a confirmed withdrawal that the funding job completes.
        await alice.SaveWithdrawalAddressAsync("USD", "DE89370400440532013000");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/wallet/withdrawals")
        {
            Content = JsonContent.Create(new { asset = "USD", amount = "1000", address = "DE89370400440532013000" }),
        })
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var created = await alice.Http.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var token = (await new IdentityTestClient(api.CreateClient(), db).LastEmailAsync(aliceEmail, "email.withdrawal_confirm")).GetProperty("data").GetProperty("token").GetString()!;
        using (var confirm = await alice.Http.PostAsJsonAsync("/api/v1/wallet/withdrawals/confirm", new { token }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await new FundingJob(scope.ServiceProvider.GetRequiredService<CoinageDbContext>(), scope.ServiceProvider.GetRequiredService<FundingEvents>(),
                Options.Create(new FundingOptions()), TimeProvider.System).RunAsync(Ct);
        }
        // 20000 − 0.5 × 20000 − 20 (taker fee, 20 bps) − 0.1 × 30000 − 6 − 1000 withdrawn − 5 (USD's seeded withdrawal fee).
        Assert.Equal((5969m, 0m), (await alice.BalancesAsync())["USD"]);

        var usd = await alice.GetAsync("/api/v1/portfolio/history?quote=USD&days=7");
        Assert.Equal("USD", usd.GetProperty("quote").GetString());
        Assert.Equal(
            new (DateOnly, string)[]
            {
                (today.AddDays(-6), "0"),      // nothing yet
                (today.AddDays(-5), "20000"),  // the deposit
                (today.AddDays(-4), "20000"),
                (today.AddDays(-3), "19980"),  // 0.5 BTC at 20000 + 9980 USD: the fee is the loss
                (today.AddDays(-2), "19980"),  // no trade: the day before's close carries
                (today.AddDays(-1), "24974"),  // 0.6 BTC at the new close 30000 + 6974 USD
                (today, "23969"),              // 1000 USD withdrawn and its fee of 5 USD
            },
            Points(usd));
        Assert.All(usd.GetProperty("points").EnumerateArray(), p => Assert.Empty(p.GetProperty("unpriced").EnumerateArray()));

        // In BTC, USD is priced through the inverse of BTC-USD; before the first trade nothing prices it.
        var btc = await alice.GetAsync("/api/v1/portfolio/history?quote=btc&days=7");
        var points = btc.GetProperty("points");
        Assert.Equal("0", points[1].GetProperty("value").GetString());
        Assert.Equal(["USD"], points[1].GetProperty("unpriced").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("0.999", points[3].GetProperty("value").GetString());          // 0.5 + 9980 / 20000
        Assert.Equal("0.79896667", points[6].GetProperty("value").GetString());     // 0.6 + 5969 / 30000, to BTC's 8 decimals

        var now = await alice.GetAsync("/api/v1/portfolio?quote=USD");
        Assert.Equal("23969", now.GetProperty("value").GetString());
        var holdings = now.GetProperty("holdings").EnumerateArray()
            .Select(h => (h.GetProperty("asset").GetString(), h.GetProperty("amount").GetString(), h.GetProperty("price").GetString(), h.GetProperty("value").GetString())).ToList();
        Assert.Equal(new (string?, string?, string?, string?)[] { ("BTC", "0.6", "30000", "18000"), ("USD", "5969", "1", "5969") }, holdings);

        // Bob sold 0.6 BTC for 13000 USD less 10 bps maker fees (10 + 3): 0.4 BTC at 30000 + 12987.
        Assert.Equal("24987", (await bob.GetAsync("/api/v1/portfolio?quote=USD")).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Bad_input_is_a_problem_naming_the_field_and_a_newcomer_has_an_empty_portfolio()
    {
        var environment = await MarketDataEnvironment.CreateAsync(infrastructure);
        await using var api = environment.Api();
        var (user, _) = await UserAsync(api, environment.Database, "newcomer");

        foreach (var (path, field) in new[]
        {
            ("/api/v1/portfolio/history?quote=XYZ", "quote"),
            ("/api/v1/portfolio?quote=%3Cscript%3E", "quote"),
            ("/api/v1/portfolio/history?days=0", "days"),
            ("/api/v1/portfolio/history?days=366", "days"),
            ("/api/v1/portfolio/history?days=ten", "days"),
        })
        {
            using var response = await user.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
            var body = await JsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"{path}: {body}");
        }
        using (var anonymous = await api.CreateClient().GetAsync(new Uri("/api/v1/portfolio/history", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var history = await user.GetAsync("/api/v1/portfolio/history");
        Assert.Equal(30, history.GetProperty("points").GetArrayLength());
        Assert.All(history.GetProperty("points").EnumerateArray(), p => Assert.Equal("0", p.GetProperty("value").GetString()));
        var now = await user.GetAsync("/api/v1/portfolio");
        Assert.Equal(("USD", "0", 0), (now.GetProperty("quote").GetString(), now.GetProperty("value").GetString(), now.GetProperty("holdings").GetArrayLength()));
        // A read creates no ledger owner.
        Assert.Equal(0L, await ExchangeDatabase.ScalarAsync<long>(environment.Database, "SELECT count(*) FROM traders"));
    }

    /// <summary>Runs <paramref name="step"/>, then moves every ledger posting, journal entry and trade it wrote to noon of <paramref name="day"/>.</summary>
    private static async Task StepAsync(string db, DateOnly day, Func<Task> step)
    {
        var since = await ExchangeDatabase.ScalarAsync<DateTime>(db, "SELECT now()");
        await step();
        var noon = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        foreach (var table in new[] { "ledger_postings", "journal_entries", "trades" })
        {
            await ExchangeDatabase.ScalarAsync<object?>(db, $"UPDATE {table} SET created_at = @noon WHERE created_at >= @since", ("noon", noon), ("since", since));
        }
    }

    private static List<(DateOnly, string)> Points(JsonElement history) =>
        history.GetProperty("points").EnumerateArray()
            .Select(p => (DateOnly.ParseExact(p.GetProperty("date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture), p.GetProperty("value").GetString()!))
            .ToList();

    private static async Task<(Trader User, string Email)> UserAsync(ApiFactory api, string db, string prefix)
    {
        var email = IdentityTestClient.NewEmail(prefix);
        var (access, _) = await new IdentityTestClient(api.CreateClient(), db).SignedInUserAsync(email);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (new Trader(http), email);
    }
}
