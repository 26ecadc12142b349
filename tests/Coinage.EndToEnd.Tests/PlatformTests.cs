using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Coinage.EndToEnd.Tests;

/// <summary>
/// The real AppHost started in-process by <see cref="DistributedApplicationTestingBuilder"/>, once for the class:
/// every resource healthy, web → API → database, every link the dashboard shows opens a page, an idle platform
/// raises no alert (issue 19, defect 7; issue 20), and a dashboard command reaches the worker.
/// </summary>
public sealed class PlatformTests(PlatformTests.Platform platform) : IClassFixture<PlatformTests.Platform>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_resource_is_healthy_and_the_web_front_end_reaches_the_api_and_its_database()
    {
        var app = platform.App;
        // Web front end → (service discovery, YARP) → API → PostgreSQL and Redis.
        using var web = app.CreateHttpClient("webfrontend", "http");
        using var status = await web.GetAsync(new Uri("/api/v1/status", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync(Ct));
        Assert.Equal("apiservice", json.RootElement.GetProperty("service").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("database").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("redis").GetString());
    }

    [Fact]
    public async Task Every_link_the_dashboard_shows_opens_a_page_and_the_hangfire_link_leads_to_the_page_that_gets_a_ticket()
    {
        var links = new List<(string Resource, string Label, Uri Url)>();
        foreach (var resource in platform.Started)
        {
            Assert.True(platform.App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"{resource} has no state");
            links.AddRange(state.Snapshot.Urls
                .Where(u => !u.IsInternal && !u.IsInactive && u.DisplayProperties.DisplayName is { Length: > 0 })
                .Select(u => (resource, u.DisplayProperties.DisplayName, new Uri(u.Url))));
        }
        Assert.Subset(links.Select(l => l.Label).ToHashSet(), new HashSet<string> { "API reference", "Jobs", "Inbox", "Web front end", "Prometheus", "Prometheus alerts" });

        // A browser: follows redirects, asks for HTML.
        using var browser = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = true, MaxAutomaticRedirections = 5 });
        var landed = new Dictionary<string, Uri>();
        foreach (var (resource, label, url) in links)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            using var response = await browser.SendAsync(request, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{resource}'s {label} ({url}) answered {(int)response.StatusCode} at {response.RequestMessage!.RequestUri}");
            landed[label] = response.RequestMessage!.RequestUri!;
        }
        // The Worker's dashboard sends a browser without its cookie to the web front end, which gets an Admin a ticket.
        Assert.Equal("/admin/hangfire", landed["Jobs"].AbsolutePath);
        Assert.Equal(platform.App.GetEndpoint("webfrontend", "http").Port, landed["Jobs"].Port);
    }

    [Fact]
    public async Task No_alert_is_pending_or_firing_on_an_idle_platform()
    {
        using var prometheus = platform.App.CreateHttpClient("prometheus", "http");
        // What an idle platform serves: a visitor's page load, its market list and status, through the web front end.
        using var web = platform.App.CreateHttpClient("webfrontend", "http");
        foreach (var path in new[] { "/", "/api/v1/status", "/api/v1/markets", "/api/v1/status", "/api/v1/markets" })
        {
            using var response = await web.GetAsync(new Uri(path, UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Not vacuous: wait until Prometheus has request metrics of both to evaluate the rules on, then for a few more
        // evaluations (every 5 s here) so that a rule that holds is pending by then.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            using var result = JsonDocument.Parse(await prometheus.GetStringAsync(
                "/api/v1/query?query=" + Uri.EscapeDataString("count by (resource) (http_server_request_duration_seconds_count)"), Ct));
            var resources = result.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => r.GetProperty("metric").GetProperty("resource").GetString()).ToHashSet();
            if (resources.IsSupersetOf(["apiservice", "webfrontend"]))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Prometheus has no request metrics of the API and the web front end (only: {string.Join(", ", resources)})");
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        }
        await Task.Delay(TimeSpan.FromSeconds(20), Ct);

        using var alerts = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/alerts", Ct));
        var raised = alerts.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => $"{a.GetProperty("labels").GetProperty("alertname").GetString()} ({a.GetProperty("state").GetString()}): {a.GetProperty("labels")}")
            .ToList();
        Assert.True(raised.Count == 0, string.Join(Environment.NewLine, raised));
    }

    [Fact]
    public async Task The_dashboard_s_run_reconciliation_command_runs_a_reconciliation_on_the_worker()
    {
        var app = platform.App;
        var connectionString = await app.GetConnectionStringAsync("coinagedb", Ct);
        var before = await ReconciliationRunsAsync(connectionString!);

        // What the dashboard's button does: Aspire sends the worker the request with the run's key.
        var result = await app.ResourceCommands.ExecuteCommandAsync("worker", "run-reconciliation", Ct);

        Assert.True(result.Success, result.Message);
        Assert.Matches(@"^Hangfire job \d+ \(reconciliation\) enqueued", result.Message);
        // The row the run records (the schedule is quiet here: this one is the command's).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ReconciliationRunsAsync(connectionString!) == before)
        {
            Assert.True(DateTime.UtcNow < deadline, "no reconciliation run was recorded within 60 s of the command");
            await Task.Delay(250, Ct);
        }
        Assert.Equal(before + 1, await ReconciliationRunsAsync(connectionString!));
    }

    private static async Task<long> ReconciliationRunsAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM reconciliation_runs", connection);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>The AppHost, started once with a quiet book, every resource that starts waited for until healthy.</summary>
    public sealed class Platform : IAsyncLifetime
    {
        private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
        private readonly string _data = Directory.CreateTempSubdirectory("coinage-apphost-test-").FullName;
        private DistributedApplication? _app;

        public DistributedApplication App => _app ?? throw new InvalidOperationException("The platform did not start.");

        /// <summary>The resources of the model that run.</summary>
        public IReadOnlyList<string> Started { get; private set; } = [];

        public async ValueTask InitializeAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            File.SetUnixFileMode(_data, (UnixFileMode)0b111_101_101); // the postgres user keeps its cluster below
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Coinage_AppHost>(
                ["--Coinage:Ephemeral=true", $"--Coinage:DataDirectory={_data}", "--Coinage:MarketMaker:Enabled=false"], ct);
            // Reconciliation runs when a test asks for it only (by the dashboard's command), never by the minute.
            builder.Resources.Single(r => r.Name == "worker").Annotations.Add(new EnvironmentCallbackAnnotation("Coinage__Reconciliation__Cron", () => "0 0 1 1 *"));
            _app = await builder.BuildAsync(ct);
            await _app.StartAsync(ct).WaitAsync(StartTimeout, ct);
            // Every resource of the model, but its parameters and what only starts on demand (Aspire's hidden rebuilders).
            Started = [.. builder.Resources.Where(r => r is not ParameterResource && !r.Annotations.OfType<ExplicitStartupAnnotation>().Any()).Select(r => r.Name)];
            foreach (var resource in Started)
            {
                await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, ct).WaitAsync(StartTimeout, ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
            Directory.Delete(_data, recursive: true);
        }
    }
}
