using System.Net;
using System.Text.Json;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>
/// What ops click on (issue 19, defect 7): every link the platform prints and the dashboard shows opens a page,
/// and an idle platform shows no alert.
/// </summary>
[Collection(DashboardAppCollection.Name)]
public sealed class PlatformLinksTests(DashboardAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_link_opens_a_page_and_the_hangfire_link_leads_to_the_web_front_end_page_that_gets_a_ticket()
    {
        using var dashboard = await DashboardTestClient.SignedInAsync(fixture.Dashboard);
        using var info = JsonDocument.Parse(await dashboard.GetStringAsync("/api/info", Ct));
        var links = info.RootElement.GetProperty("links").EnumerateArray()
            .Select(l => (Label: l.GetProperty("label").GetString()!, Url: new Uri(l.GetProperty("url").GetString()!)))
            .ToList();
        Assert.Subset(links.Select(l => l.Label).ToHashSet(), new HashSet<string> { "Prometheus", "Alerts", "Jobs", "Inbox", "API reference", "Web front end" });

        // A browser: follows redirects, asks for HTML.
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = true, MaxAutomaticRedirections = 5 });
        var landed = new Dictionary<string, Uri>();
        foreach (var (label, url) in links)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            using var response = await browser.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{label} ({url}) answered {(int)response.StatusCode} at {response.RequestMessage!.RequestUri}");
            landed[label] = response.RequestMessage!.RequestUri!;
        }
        Assert.Equal(new Uri(fixture.App.GetEndpoint("webfrontend"), "/admin/hangfire"), landed["Jobs"]);
    }

    [Fact]
    public async Task No_alert_is_pending_or_firing_on_an_idle_platform()
    {
        using var prometheus = fixture.App.CreateHttpClient("prometheus");
        // What an idle platform serves: a visitor's page load, its market list and status, through the web front end.
        using var web = fixture.App.CreateHttpClient("webfrontend");
        foreach (var path in new[] { "/", "/api/v1/status", "/api/v1/markets", "/api/v1/status", "/api/v1/markets" })
        {
            using var response = await web.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Not vacuous: wait until Prometheus has request metrics of both to evaluate the rules on, then for a
        // few more evaluations (every 5 s here) so that a rule that holds is pending by then.
        await DashboardTestClient.EventuallyAsync(async () =>
        {
            using var result = JsonDocument.Parse(await prometheus.GetStringAsync(
                "/api/v1/query?query=" + Uri.EscapeDataString("count by (resource) (http_server_request_duration_seconds_count)"), Ct));
            var resources = result.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => r.GetProperty("metric").GetProperty("resource").GetString()).ToHashSet();
            return resources.IsSupersetOf(["apiservice", "webfrontend"]) ? resources : null;
        }, TimeSpan.FromSeconds(120), "request metrics of the API and the web front end in Prometheus");
        await Task.Delay(TimeSpan.FromSeconds(20), Ct);

        using var alerts = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/alerts", Ct));

        var raised = alerts.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => $"{a.GetProperty("labels").GetProperty("alertname").GetString()} ({a.GetProperty("state").GetString()}): {a.GetProperty("labels")}")
            .ToList();
        Assert.True(raised.Count == 0, string.Join(Environment.NewLine, raised));
    }
}
