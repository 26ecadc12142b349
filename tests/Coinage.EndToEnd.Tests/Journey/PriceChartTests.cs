using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The trade page's chart in Debian's Chromium against the running platform (issue 22, item 2): it draws on its
/// canvases, its legend shows the candle of a trade just made with its volume, and the trader's resting order is
/// drawn as a price line.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class PriceChartTests(BrowserPlatform platform)
{
    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task The_chart_draws_volume_shows_the_legend_of_the_last_trade_and_the_traders_resting_order()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        var context = await platform.NewContextAsync();
        var page = await context.NewPageAsync();
        try
        {
            // ETH-USD: 0.1 ETH lots, 0.1 USD ticks; a price no other test uses, so the latest candle is ours.
            var (seller, _) = await platform.TraderAsync("chart-seller", new Dictionary<string, decimal> { ["ETH"] = 1m }, ct);
            // Exactly what the buy below takes: nothing is left on the shared book for another test's market order.
            await seller.RestLimitSellAsync("ETH-USD", 3_456.7m, 0.1m, ct);
            var (buyer, password) = await platform.TraderAsync("chart-buyer", new Dictionary<string, decimal> { ["USD"] = 2_000m }, ct);
            await platform.SignInToTradeAsync(page, "ETH-USD", buyer.Email, password);
            var chart = page.GetByRole(AriaRole.Region, new() { Name = "Price chart", Exact = true });
            var intervals = chart.GetByRole(AriaRole.Group, new() { Name = "Candle interval", Exact = true });
            await Expect(intervals.GetByRole(AriaRole.Button)).ToHaveTextAsync(["1m", "5m", "15m", "1h", "4h", "1d", "1w"]);
            // Shown as written: "1M" would read as a month.
            await Expect(intervals.GetByRole(AriaRole.Button, new() { Name = "1m", Exact = true })).ToHaveCSSAsync("text-transform", "none");
            await intervals.GetByRole(AriaRole.Button, new() { Name = "1m", Exact = true }).ClickAsync();

            // A market buy takes the 0.1 ETH ask: the hub's trade makes (or grows) the latest candle.
            var ticket = page.GetByRole(AriaRole.Region, new() { Name = "Place order", Exact = true });
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Market", Exact = true }).ClickAsync();
            await ticket.GetByLabel(new Regex(@"^Total[\s*]*$")).FillAsync("345.67");
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Buy ETH", Exact = true }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Confirm order", Exact = true });
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Place order", Exact = true }).ClickAsync();
            await Expect(dialog).ToBeHiddenAsync();

            var legend = chart.GetByRole(AriaRole.Group, new() { Name = "Latest candle", Exact = true });
            await Expect(legend).ToContainTextAsync("C 3,456.7");
            await Expect(legend).ToContainTextAsync(new Regex(@"V [\d,]+\.\d ETH"));
            // lightweight-charts draws into canvases in a table; a chart that failed to start has none.
            await Expect(chart.Locator("canvas").First).ToBeVisibleAsync();
            await Expect(chart.GetByText("No trades yet in this market.")).ToBeHiddenAsync();

            // A resting limit buy just under the trade (inside the candles' price range, so the screenshot shows its
            // line) is drawn as a price line and counted under the chart.
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Limit", Exact = true }).ClickAsync();
            await ticket.GetByLabel(new Regex(@"^Price[\s*]*$")).FillAsync("3456.2");
            await ticket.GetByLabel(new Regex(@"^Amount[\s*]*$")).FillAsync("0.1");
            await ticket.GetByRole(AriaRole.Button, new() { Name = "Buy ETH", Exact = true }).ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Place order", Exact = true }).ClickAsync();
            await Expect(chart.GetByText(new Regex(@"^Dashed lines: your \d+ open orders? in this market\.$"))).ToBeVisibleAsync();

            await Expect(dialog).ToBeHiddenAsync();
            // For docs/frontend.md: copied from the results directory by hand, never written into the repository by a test.
            var shot = Path.Combine(TraderJourneyTests.ResultsDirectory(), "trade-chart-1440x900.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot });
            TestContext.Current.SendDiagnosticMessage($"Screenshot of the chart: {shot}");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
