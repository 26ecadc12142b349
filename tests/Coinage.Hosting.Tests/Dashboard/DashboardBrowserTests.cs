using System.Net.Http.Json;
using Coinage.Hosting.Dashboard;
using Microsoft.Playwright;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>
/// Ops' path through the dashboard in Debian's Chromium: sign in with the printed link, then every
/// page. Screenshots go to artifacts/screenshots/dashboard-*.png for people to look at.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public sealed class DashboardBrowserTests(DashboardAppFixture fixture)
{
    [Fact]
    public async Task Ops_sign_in_with_the_token_and_every_page_shows_the_running_platform()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Skip($"{ChromiumPath} is not installed (sudo apt-get install -y chromium).");
        }
        var dashboard = fixture.Dashboard;
        var traceId = await TraceThroughWebAsync(dashboard);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);

        // Resources: the printed link signs in and lands here.
        await page.GotoAsync(dashboard.LoginUrl.ToString());
        Assert.Equal(dashboard.Url.ToString(), page.Url);
        var api = page.Locator("#resources tr[data-resource='apiservice']");
        await Expect(api).ToContainTextAsync("Running (Healthy)");
        await Expect(page.Locator("#resources tr[data-resource='postgres']")).ToContainTextAsync("Running");
        await Expect(api.GetByRole(AriaRole.Button, new() { Name = "Restart apiservice" })).ToBeEnabledAsync();
        await api.Locator("td").First.ClickAsync();
        await Expect(page.Locator("tr.details")).ToContainTextAsync("ConnectionStrings__coinagedb");
        await Expect(page.Locator("tr.details")).ToContainTextAsync("••••"); // the connection string's password is masked
        await Expect(page.Locator("#tools")).ToContainTextAsync("Prometheus");
        await Expect(page.Locator("#tools")).ToContainTextAsync("Hangfire");
        await ScreenshotAsync(page, "resources");

        // Console: live output of the API.
        await page.GotoAsync(new Uri(dashboard.Url, "/#/console/apiservice").ToString());
        await Expect(page.Locator("#console-output .line").First).ToBeVisibleAsync();
        await Expect(page.Locator("#console-output")).ToContainTextAsync("Now listening on");
        await ScreenshotAsync(page, "console");

        // Structured logs, one opened.
        await page.GotoAsync(new Uri(dashboard.Url, "/#/logs?resource=apiservice").ToString());
        var firstLog = page.Locator("#logs tbody tr.clickable").First;
        await Expect(firstLog).ToContainTextAsync("apiservice");
        await firstLog.ClickAsync();
        await Expect(page.Locator("#log-detail")).ToContainTextAsync("Category");
        await ScreenshotAsync(page, "logs");

        // Traces, then one as a waterfall across Web → ApiService → PostgreSQL.
        // Filtered by resource: the Worker's background jobs and market maker fill the unfiltered list.
        await page.GotoAsync(new Uri(dashboard.Url, "/#/traces?resource=webfrontend").ToString());
        await Expect(page.Locator("#traces tbody tr.clickable").First).ToBeVisibleAsync();
        await Expect(page.Locator("#traces")).ToContainTextAsync("webfrontend");
        await ScreenshotAsync(page, "traces");
        await page.GotoAsync(new Uri(dashboard.Url, $"/#/traces/{traceId}").ToString());
        await Expect(page.Locator("#waterfall .span-row").Nth(1)).ToBeVisibleAsync();
        await Expect(page.Locator("#waterfall")).ToContainTextAsync("webfrontend");
        await Expect(page.Locator("#waterfall")).ToContainTextAsync("apiservice");
        await page.Locator("#waterfall .span-row").Nth(1).ClickAsync();
        await Expect(page.Locator("#span-detail")).ToContainTextAsync("Duration");
        await ScreenshotAsync(page, "trace");

        // Metrics: a chart over time and the current value.
        await page.GotoAsync(new Uri(dashboard.Url, "/#/metrics/apiservice/http.server.request.duration").ToString());
        await Expect(page.Locator("#metric svg.chart circle").First).ToBeVisibleAsync();
        await Expect(page.Locator("#current-value")).ToContainTextAsync("s");
        await Expect(page.Locator("#instruments")).ToContainTextAsync("http.server.request.duration");
        await ScreenshotAsync(page, "metrics");

        Assert.Empty(errors);
    }

    private const string ChromiumPath = "/usr/bin/chromium";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    /// <summary>A request through the front end, so that the traces page has a trace spanning several services.</summary>
    private async Task<string> TraceThroughWebAsync(DashboardServer dashboard)
    {
        using var web = fixture.App.CreateHttpClient("webfrontend");
        (await web.GetAsync("/api/v1/status", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        using var client = await DashboardTestClient.SignedInAsync(dashboard);
        var trace = await DashboardTestClient.EventuallyAsync(async () =>
            (await client.GetFromJsonAsync<TracesPage>("/api/traces?resource=webfrontend&text=status", TestContext.Current.CancellationToken))!
                .Items.FirstOrDefault(t => t.Resources.Contains("apiservice")),
            TimeSpan.FromSeconds(30), "a trace through webfrontend and apiservice");
        // Metrics are exported every second: wait until the request above is counted, so the chart has a point.
        await DashboardTestClient.EventuallyAsync(async () =>
            (await client.GetFromJsonAsync<InstrumentView>("/api/metrics/apiservice/http.server.request.duration", TestContext.Current.CancellationToken)) is { Instrument.PointCount: > 0 } view ? view : null,
            TimeSpan.FromSeconds(30), "a point of http.server.request.duration");
        return trace.TraceId;
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(SolutionDirectory(), "artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"dashboard-{name}.png"), FullPage = true });
    }

    private static string SolutionDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Coinage.sln not found above the test output folder.");
    }
}
