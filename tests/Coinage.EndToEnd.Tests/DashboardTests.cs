using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests;

/// <summary>The Aspire dashboard of the one command, in a browser (the in-process start is <see cref="PlatformTests"/>).</summary>
public class DashboardTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly string[] Resources = ["postgres", "coinagedb", "redis", "smtp", "apiservice", "worker", "webfrontend", "prometheus"];

    [Fact]
    public async Task The_printed_login_link_opens_the_aspire_dashboard_with_every_resource_running()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Skip($"{ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        await using var apphost = AppHostProcess.Start(arguments: ["--Coinage:MarketMaker:Enabled=false"]);
        await apphost.WaitUntilRunningAsync(StartTimeout);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(apphost.Links["Dashboard"].ToString());

        // The dashboard is Blazor: the grid fills in once the resource service answers; wait for each rendered row.
        foreach (var name in Resources)
        {
            var row = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = name }).First;
            await Assertions.Expect(row).ToContainTextAsync("Running", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
        }
    }
}
