using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The ticket's advanced order types in Debian's Chromium against the running platform (issue 22 item 4, issue 23
/// item 2): every type of the selector passes axe-core with no serious or critical violation, a trigger the last price
/// has already reached is refused in the form, a stop-limit placed from the ticket waits in the open orders as
/// Untriggered with its trigger, an order amended from its row keeps its place, and an OCO pair placed from the ticket
/// is listed together and cancelled together.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class AdvancedTicketTests(BrowserPlatform platform)
{
    private static readonly string[] TicketTypes = ["Limit", "Market", "Stop", "Take profit", "OCO"];

    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task A_stop_limit_placed_from_the_ticket_waits_untriggered_and_every_order_type_passes_axe()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        // Bypassing the CSP lets the test inject axe-core (the CSP admits no inline script).
        var context = await platform.NewContextAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        try
        {
            var (_, ticket, last) = await TradedOnceAsync(page, "stop", ct);

            // Each type of the selector, from the keyboard's point of view a button of one group, scanned by axe.
            foreach (var type in TicketTypes)
            {
                await ticket.GetByRole(AriaRole.Button, new() { Name = type, Exact = true }).ClickAsync();
                await Expect(ticket.GetByRole(AriaRole.Button, new() { Name = type, Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
                await AssertNoSeriousAxeViolationsAsync(page, $"ticket, {type}");
            }
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Stop", Exact = true }).ClickAsync();
            await ticket.GetByRole(AriaRole.Radio, new() { Name = "a market order", Exact = true }).CheckAsync();
            await AssertNoSeriousAxeViolationsAsync(page, "ticket, Stop firing a market order");
            await ticket.GetByRole(AriaRole.Radio, new() { Name = "a limit order", Exact = true }).CheckAsync();

            // A sell stop fires as the price falls to its trigger: one above the last price would fire at once, and the
            // exchange refuses it, so the ticket says so and sends nothing.
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Sell", Exact = true }).ClickAsync();
            var lastText = Price(last);
            await Expect(ticket.GetByText($"Fires when the last price ≤ it. Tick 0.1 USD, last {lastText} USD", new() { Exact = true })).ToBeVisibleAsync();
            await Field(ticket, "Trigger price").FillAsync(Plain(last + 10m));
            await Expect(ticket.GetByText(new Regex($"^Already reached: the last price is {Regex.Escape(lastText)} USD"))).ToBeVisibleAsync();
            await Expect(Field(ticket, "Trigger price")).ToHaveAttributeAsync("aria-invalid", "true");
            await AssertNoSeriousAxeViolationsAsync(page, "ticket, Stop with a trigger already reached");

            // 5 % under the last price, the limit 0.5 % under that: both inside the 10 % price band.
            var trigger = Math.Floor(last * 0.95m * 10m) / 10m;
            var limit = Math.Floor(trigger * 0.995m * 10m) / 10m;
            await Field(ticket, "Trigger price").FillAsync(Plain(trigger));
            await Field(ticket, "Limit price").FillAsync(Plain(limit));
            await Field(ticket, "Amount").FillAsync("0.1");
            var dialog = await ConfirmAsync(page, ticket, "Sell ETH");
            await Expect(dialog.GetByText($"Sell 0.1 ETH at {Price(limit)} USD when the last price ≤ {Price(trigger)} USD", new() { Exact = true })).ToBeVisibleAsync();
            await Expect(dialog.GetByTestId("confirm-terms")).ToHaveTextAsync("Stop limit order, GTC");
            await Expect(dialog.GetByTestId("confirm-hold")).ToHaveTextAsync(new Regex(@"^0\.1\d* ETH$"));
            await AssertNoSeriousAxeViolationsAsync(page, "confirmation of a stop-limit");
            await PlaceAsync(dialog);

            // Armed, off the book: Untriggered in the open orders, with its trigger and direction.
            var open = page.GetByRole(AriaRole.Table, new() { Name = "Open orders", Exact = true });
            var row = open.GetByRole(AriaRole.Row).Filter(new() { HasText = $"trigger ≤ {Price(trigger)}" });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row).ToContainTextAsync("sell stop limit");
            await Expect(row).ToContainTextAsync(Price(limit));
            await Expect(row.GetByRole(AriaRole.Cell, new() { Name = "Untriggered", Exact = true })).ToBeVisibleAsync();
            // A stop is not a resting limit order: cancelled, never amended.
            await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Amend", Exact = true })).ToHaveCountAsync(0);
            // Cancelled, so no later test of the shared platform finds it firing into its book.
            await row.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task An_order_amended_from_its_row_keeps_its_place_and_an_oco_pair_from_the_ticket_is_cancelled_together()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var context = await platform.NewContextAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        try
        {
            var (trader, ticket, last) = await TradedOnceAsync(page, "oco", ct);
            var open = page.GetByRole(AriaRole.Table, new() { Name = "Open orders", Exact = true });

            // A resting buy 3 % under the last price, amended from 0.3 to 0.2 ETH: a smaller size at the same price keeps
            // its place, and the row shows the new size once the matching host has processed the amend.
            var bid = Math.Floor(last * 0.97m * 10m) / 10m;
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Limit", Exact = true }).ClickAsync();
            await Field(ticket, "Price").FillAsync(Plain(bid));
            await Field(ticket, "Amount").FillAsync("0.3");
            await PlaceAsync(await ConfirmAsync(page, ticket, "Buy ETH"));
            var resting = open.GetByRole(AriaRole.Row).Filter(new() { HasText = Price(bid) });
            await Expect(resting).ToContainTextAsync("0.3 ETH");
            await resting.GetByRole(AriaRole.Button, new() { Name = "Amend", Exact = true }).ClickAsync();
            var amend = page.GetByRole(AriaRole.Dialog, new() { Name = "Amend order", Exact = true });
            await Field(amend, "Amount").FillAsync("0.2");
            await Expect(amend.GetByTestId("amend-priority")).ToHaveTextAsync("A smaller amount at the same price keeps the order\u2019s place in the queue.");
            await AssertNoSeriousAxeViolationsAsync(page, "amend dialog");
            await amend.GetByRole(AriaRole.Button, new() { Name = "Amend", Exact = true }).ClickAsync();
            await Expect(amend).ToBeHiddenAsync();
            await Expect(resting).ToContainTextAsync("0.2 ETH");
            var amended = await OpenOrderAsync(trader, bid, ct);
            Assert.Equal(("0.2", (string?)null), (amended.GetProperty("quantity").GetString(), amended.GetProperty("lastAmendRejection").GetString()));

            // A sell OCO: take profit 5 % above the last price, stop (market) 5 % under it; one hold for both legs.
            var takeProfit = Math.Ceiling(last * 1.05m * 10m) / 10m;
            var stop = Math.Floor(last * 0.95m * 10m) / 10m;
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Sell", Exact = true }).ClickAsync();
            await ticket.GetByRole(AriaRole.Button, new() { Name = "OCO", Exact = true }).ClickAsync();
            await Field(ticket, "Limit price").FillAsync(Plain(takeProfit));
            await Field(ticket, "Stop trigger price").FillAsync(Plain(stop));
            await Field(ticket, "Amount").FillAsync("0.1");
            var confirm = await ConfirmAsync(page, ticket, "Sell ETH");
            await Expect(confirm.GetByTestId("confirm-hold")).ToHaveTextAsync(new Regex(@"^0\.1\d* ETH$"));
            await AssertNoSeriousAxeViolationsAsync(page, "confirmation of an OCO pair");
            await PlaceAsync(confirm);
            var legs = open.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^One-cancels-the-other with order ") }) });
            await Expect(legs).ToHaveCountAsync(2);
            await Expect(legs.Filter(new() { HasText = Price(takeProfit) })).ToHaveCountAsync(1);
            await Expect(legs.Filter(new() { HasText = $"trigger ≤ {Price(stop)}" })).ToContainTextAsync("Untriggered");
            // The pair's limit leg cannot be amended (its hold is the pair's); cancelling it cancels both.
            var limitLeg = legs.Filter(new() { HasText = Price(takeProfit) });
            await Expect(limitLeg.GetByRole(AriaRole.Button, new() { Name = "Amend", Exact = true })).ToHaveCountAsync(0);
            await limitLeg.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
            await Expect(legs).ToHaveCountAsync(0);

            // Left clean for the other tests of the shared platform.
            await resting.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
            await Expect(resting).ToHaveCountAsync(0);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>The trader's open ETH-USD order at this price, as the API answers it.</summary>
    /// <summary>
    /// A trader of the test's own, signed in on ETH-USD's trade page after a trade of its own, so the market has a last
    /// price the triggers are judged against: a counterparty's 0.1 ETH at 3,500 taken by the trader's market buy from the
    /// ticket (ETH-USD: 0.1 tick, 0.1 ETH lots). Whichever ask it took (another test may have left a cheaper one), the
    /// newest trade is the last price.
    /// </summary>
    private async Task<(ApiTrader Trader, ILocator Ticket, decimal Last)> TradedOnceAsync(IPage page, string prefix, CancellationToken ct)
    {
        var (seller, _) = await platform.TraderAsync($"{prefix}-seller", new Dictionary<string, decimal> { ["ETH"] = 1m }, ct);
        await seller.RestLimitSellAsync("ETH-USD", 3_500m, 0.1m, ct);
        var (trader, password) = await platform.TraderAsync($"{prefix}-trader", new Dictionary<string, decimal> { ["USD"] = 2_000m, ["ETH"] = 1m }, ct);
        await platform.SignInToTradeAsync(page, "ETH-USD", trader.Email, password);
        var ticket = Section(page, "Place order");
        await ticket.GetByRole(AriaRole.Button, new() { Name = "Market", Exact = true }).ClickAsync();
        await Field(ticket, "Total").FillAsync("350");
        await PlaceAsync(await ConfirmAsync(page, ticket, "Buy ETH"));
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasTextRegex = new Regex("^Buy order filled") }).First).ToBeVisibleAsync();
        return (trader, ticket, await LastTradePriceAsync("ETH-USD", ct));
    }

    private static async Task<JsonElement> OpenOrderAsync(ApiTrader trader, decimal price, CancellationToken cancellationToken)
    {
        var open = await trader.GetAsync("/api/v1/orders/open?market=ETH-USD", cancellationToken);
        return open.GetProperty("items").EnumerateArray().Single(o => o.GetProperty("price").GetString() is { } p && decimal.Parse(p, CultureInfo.InvariantCulture) == price);
    }

    /// <summary>The price of the market's newest trade, from the public trades list.</summary>
    private async Task<decimal> LastTradePriceAsync(string market, CancellationToken cancellationToken)
    {
        var price = await Polling.UntilAsync(
            async () =>
            {
                var trades = await platform.Http.GetFromJsonAsync<JsonElement>($"/api/v1/markets/{market}/trades?limit=1", cancellationToken);
                return trades.GetArrayLength() > 0 ? trades[0].GetProperty("price").GetString() : null;
            },
            TimeSpan.FromMinutes(1), $"a trade on {market}", cancellationToken);
        return decimal.Parse(price, CultureInfo.InvariantCulture);
    }

    /// <summary>axe-core on the ticket, or on the confirmation while it is open: serious and critical violations fail.</summary>
    private static Task AssertNoSeriousAxeViolationsAsync(IPage page, string where) =>
        Axe.AssertNoSeriousViolationsAsync(page, where, "[role=\"dialog\"]", "section[aria-label=\"Place order\"]");

    /// <summary>A price as the ETH-USD ticket shows it: grouped, to the tick's one decimal.</summary>
    private static string Price(decimal value) => value.ToString("N1", CultureInfo.GetCultureInfo("en-US"));

    /// <summary>A price as typed.</summary>
    private static string Plain(decimal value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static ILocator Section(IPage page, string name) => page.GetByRole(AriaRole.Region, new() { Name = name, Exact = true });

    private static ILocator Field(ILocator scope, string label) => scope.GetByLabel(new Regex($@"^{Regex.Escape(label)}[\s*]*$"));

    private static async Task<ILocator> ConfirmAsync(IPage page, ILocator ticket, string button)
    {
        await ticket.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm order", Exact = true });
        await Expect(dialog).ToBeVisibleAsync();
        return dialog;
    }

    private static async Task PlaceAsync(ILocator dialog)
    {
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Place order", Exact = true }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }
}
