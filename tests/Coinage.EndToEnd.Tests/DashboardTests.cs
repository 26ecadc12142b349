using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests;

/// <summary>The real AppHost under Aspire: in-process with DistributedApplicationTestingBuilder, and its dashboard in a browser.</summary>
public class DashboardTests
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly string[] Resources = ["postgres", "coinagedb", "redis", "smtp", "apiservice", "worker", "webfrontend", "prometheus"];

    [Fact]
    public async Task The_apphost_started_by_the_testing_builder_gets_every_resource_healthy_and_serves_web_to_api_to_database()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = Directory.CreateTempSubdirectory("coinage-apphost-test-").FullName;
        File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101); // the postgres user keeps its cluster below
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
                ["--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={data}", "--Coinage:MarketMaker:Enabled=false"], ct);
            await using var app = await builder.BuildAsync(ct);
            await app.StartAsync(ct).WaitAsync(StartTimeout, ct);
            // Every resource of the model, but its parameters and what only starts on demand (Aspire's hidden rebuilders).
            foreach (var resource in builder.Resources.Where(r => r is not ParameterResource && !r.Annotations.OfType<ExplicitStartupAnnotation>().Any()))
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, ct).WaitAsync(StartTimeout, ct);
            }

            // Web front end → (service discovery, YARP) → API → PostgreSQL and Redis.
            using var web = app.CreateHttpClient("webfrontend", "http");
            using var status = await web.GetAsync(new Uri("/api/v1/status", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await status.Content.ReadAsStringAsync(ct));
            Assert.Equal("apiservice", json.RootElement.GetProperty("service").GetString());
            Assert.Equal("ok", json.RootElement.GetProperty("database").GetString());
            Assert.Equal("ok", json.RootElement.GetProperty("redis").GetString());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

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
