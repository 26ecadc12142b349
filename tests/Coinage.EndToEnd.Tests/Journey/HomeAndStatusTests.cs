using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The home page and the status page in Debian's Chromium against the running platform (issue 22, item 5): a
/// visitor sees the markets, sign-in lands on the trader's portfolio, the footer leads to the platform's status,
/// and axe-core finds no serious or critical accessibility violation on any of them.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class HomeAndStatusTests(BrowserPlatform platform)
{
    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task Sign_in_lands_on_the_portfolio_the_footer_leads_to_the_status_and_both_pass_an_accessibility_scan()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!platform.HasChromium)
        {
            Assert.Skip($"{BrowserPlatform.ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        platform.EnsureRunning();
        // Only USD, and a resting buy that holds USD: the total is exactly the deposit, whatever other tests trade.
        var (trader, password) = await platform.TraderAsync("home", new Dictionary<string, decimal> { ["USD"] = 2_000m }, ct);
        // Under every ask of the shared book, and inside the 10 % price band around the last BTC-USD trade (64,900 once
        // TraderJourneyTests has bought; no band before the first trade).
        await trader.RestLimitBuyAsync("BTC-USD", 60_150m, 0.01m, ct);
        var context = await platform.NewContextAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        try
        {
            // A visitor's home: the markets, and the way to an account.
            await page.GotoAsync(new Uri(platform.Web, "/").ToString());
            var markets = page.GetByRole(AriaRole.Table, new() { Name = "Markets", Exact = true });
            await Expect(markets.GetByRole(AriaRole.Link, new() { Name = "BTC-USD", Exact = true })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Create an account", Exact = true })).ToHaveAttributeAsync("href", "/sign-up");
            await Axe.AssertNoSeriousViolationsAsync(page, "home (visitor)");

            await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).First.ClickAsync();
            var form = page.GetByRole(AriaRole.Form, new() { Name = "Sign in", Exact = true });
            await form.GetByLabel(new Regex(@"^Email[\s*]*$")).FillAsync(trader.Email);
            await form.GetByLabel(new Regex(@"^Password[\s*]*$")).FillAsync(password);
            await form.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

            // Sign-in lands on the home page, which is now the trader's portfolio.
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"^[^?#]+://[^/]+/$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Portfolio", Exact = true, Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("portfolio-total")).ToHaveTextAsync("2,000.00 USD");
            await Expect(page.GetByRole(AriaRole.List, new() { Name = "Allocation by asset", Exact = true })).ToHaveTextAsync("USD100.00%");
            var orders = page.GetByRole(AriaRole.Table, new() { Name = "Open orders", Exact = true });
            await Expect(orders.GetByRole(AriaRole.Row).Filter(new() { HasText = "BTC-USD" })).ToContainTextAsync("60,150");
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Portfolio value by day, in USD", Exact = true }).GetByRole(AriaRole.Row)).ToHaveCountAsync(31);
            // A new account has no second factor: the prompt to turn it on is across the page.
            await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Two-factor authentication", Exact = true })).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "home (portfolio)");
            var shot = Path.Combine(TraderJourneyTests.ResultsDirectory(), "home-portfolio-1440x900.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
            TestContext.Current.SendDiagnosticMessage($"Screenshot of the portfolio: {shot}");

            await page.GetByRole(AriaRole.Navigation, new() { Name = "Footer", Exact = true }).GetByRole(AriaRole.Link, new() { Name = "Platform status", Exact = true }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/status$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Platform status", Exact = true, Level = 1 })).ToBeVisibleAsync();
            var status = page.GetByRole(AriaRole.List, new() { Name = "Platform status", Exact = true });
            await Expect(status.GetByRole(AriaRole.Listitem, new() { Name = "Database: ok", Exact = true })).ToBeVisibleAsync();
            await Expect(status.GetByRole(AriaRole.Listitem, new() { Name = "Redis: ok", Exact = true })).ToBeVisibleAsync();
            await Axe.AssertNoSeriousViolationsAsync(page, "status");
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
