using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The history page in Debian's Chromium against the running platform (issue 22, item 6): filters from the URL,
/// numbers to their assets' decimals, and the CSV export arriving as a browser download with the filtered rows.
/// </summary>
[Collection(BrowserPlatformCollection.Name)]
public sealed class HistoryExportTests(BrowserPlatform platform)
{
    [Fact(Timeout = 20 * 60 * 1000)]
    public async Task History_shows_formatted_numbers_and_exports_the_filtered_orders_as_a_csv_download()
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
            // A resting sell of 0.05 BTC at 65,000 USD: BTC keeps 8 decimals, USD 2.
            var (trader, password) = await platform.TraderAsync("history", new Dictionary<string, decimal> { ["BTC"] = 1m }, ct);
            var orderId = await trader.RestLimitSellAsync("BTC-USD", 65_000m, 0.05m, ct);
            await platform.SignInToTradeAsync(page, "BTC-USD", trader.Email, password);

            await page.GotoAsync(new Uri(platform.Web, "/history?market=BTC-USD&side=sell&status=open").ToString());
            var orders = page.GetByRole(AriaRole.Grid, new() { Name = "Orders", Exact = true });
            var row = orders.GetByRole(AriaRole.Row).Filter(new() { HasText = "65,000.00" });
            await Assertions.Expect(row).ToHaveCountAsync(1);
            await Assertions.Expect(row).ToContainTextAsync("0.05000000");
            await Assertions.Expect(row).ToContainTextAsync("Sell");
            await Assertions.Expect(row).ToContainTextAsync("Open");
            await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { NameRegex = new Regex("^Side") })).ToContainTextAsync("Sell");

            var download = await page.RunAndWaitForDownloadAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV", Exact = true }).ClickAsync());
            Assert.Matches("^coinage-orders-\\d{8}T\\d{6}Z\\.csv$", download.SuggestedFilename);
            var path = await download.PathAsync();
            var lines = (await File.ReadAllLinesAsync(path, ct)).ToList();
            Assert.StartsWith("created_at,order_id,client_order_id,market,side,", lines[0], StringComparison.Ordinal);
            var exported = Assert.Single(lines.Skip(1));
            Assert.Contains($",{orderId},", exported, StringComparison.Ordinal);
            Assert.Contains(",BTC-USD,sell,limit,", exported, StringComparison.Ordinal);
            Assert.Contains(",open,", exported, StringComparison.Ordinal);
            Assert.Contains(",65000,,0.05,", exported, StringComparison.Ordinal); // price, no trigger price, quantity

            // Another filter, another file: nothing bought, so the export has its header only.
            await page.GetByRole(AriaRole.Combobox, new() { NameRegex = new Regex("^Side") }).ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "Buy", Exact = true }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("side=buy"));
            await Assertions.Expect(page.GetByText("No orders match.", new() { Exact = true })).ToBeVisibleAsync();
            download = await page.RunAndWaitForDownloadAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV", Exact = true }).ClickAsync());
            Assert.Single(await File.ReadAllLinesAsync(await download.PathAsync(), ct));
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
