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

        try
        {
            // The dashboard is Blazor: the grid fills in once the resource service answers; wait for each rendered row.
            foreach (var name in Resources)
            {
                var row = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { HasText = name }).First;
                await Assertions.Expect(row).ToContainTextAsync("Running", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
            }
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException(await WhatWasShownAsync(page, apphost), e);
        }
    }

    /// <summary>What a failure needs to be understood afterwards: where the browser was, what it showed, what the AppHost said.</summary>
    private static async Task<string> WhatWasShownAsync(IPage page, AppHostProcess apphost)
    {
        string text;
        try
        {
            text = await page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5_000 }).ConfigureAwait(false);
        }
        catch (PlaywrightException e)
        {
            text = $"(unreadable: {e.Message})";
        }
        return $"""
            The dashboard did not show every resource running.
            Link: {apphost.Links["Dashboard"]}
            Page: {page.Url}
            Shown: {(text.Length > 2_000 ? text[..2_000] : text)}
            AppHost output (last 40 lines):
            {apphost.Tail(40)}
            """;
    }
}
