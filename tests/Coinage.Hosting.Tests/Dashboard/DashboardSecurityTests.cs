using System.Net;
using System.Net.Http.Json;
using Coinage.Hosting.Dashboard;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Testing;
using Coinage.Hosting.Tests.Orchestration;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>Sign-in with the browser token, the session cookie, and the anti-CSRF header on actions.</summary>
public sealed class DashboardSecurityTests : IAsyncLifetime
{
    private readonly string _floodGate = Path.Combine(Path.GetTempPath(), $"coinage-flood-{Guid.NewGuid():N}");
    private CoinageApplication _app = null!;
    private DashboardServer _dashboard = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = CoinageTestingBuilder.Create().AddDashboard();
        builder.AddResource(new ScriptResource("sleeper", "exec sleep 600"));
        builder.AddResource(new ScriptResource("flood", $"while [ ! -f {_floodGate} ]; do sleep 0.05; done; i=0; while [ $i -lt 60000 ]; do i=$((i+1)); echo \"flood line $i\"; done; exec sleep 600"));
        _app = await builder.BuildAsync();
        await _app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _dashboard = _app.Dashboard();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_floodGate);
    }

    [Fact]
    public async Task Without_a_session_the_api_answers_401_and_pages_redirect_to_login()
    {
        using var client = DashboardTestClient.Anonymous(_dashboard);

        using var api = await client.GetAsync("/api/resources", TestContext.Current.CancellationToken);
        using var page = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_wrong_token_sets_no_cookie()
    {
        var cookies = new CookieContainer();
        using var client = DashboardTestClient.Anonymous(_dashboard, cookies);

        using var response = await client.GetAsync("/login?t=not-the-token", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Empty(cookies.GetCookies(_dashboard.Url));
        using var api = await client.GetAsync("/api/resources", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task The_right_token_sets_an_http_only_strict_cookie_that_opens_the_api()
    {
        var cookies = new CookieContainer();
        using var client = DashboardTestClient.Anonymous(_dashboard, cookies);

        using var login = await client.GetAsync(_dashboard.LoginUrl, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        var resources = await client.GetFromJsonAsync<List<ResourceView>>("/api/resources", TestContext.Current.CancellationToken);
        Assert.Contains(resources!, r => r.Name == "sleeper" && r.State == KnownResourceStates.Running && r.CanControl);
        using var page = await client.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_action_without_the_anti_forgery_header_is_refused_and_with_it_is_carried_out()
    {
        using var client = await DashboardTestClient.SignedInAsync(_dashboard);
        var before = _app.ResourceStates.Get("sleeper").ProcessIds.Single();

        using var forged = await client.PostAsync("/api/resources/sleeper/restart", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(before, _app.ResourceStates.Get("sleeper").ProcessIds.Single());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/resources/sleeper/restart");
        request.Headers.Add("X-Coinage-Dashboard", "1");
        using var accepted = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var restarted = await _app.ResourceStates.WaitForAsync("sleeper", s => s.IsReady && s.Restarts == 1, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.NotEqual(before, restarted.ProcessIds.Single());
    }

    [Fact]
    public async Task A_request_for_another_host_name_is_refused_against_dns_rebinding()
    {
        using var client = await DashboardTestClient.SignedInAsync(_dashboard);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/resources");
        request.Headers.Host = $"evil.example:{_dashboard.Url.Port}";

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_flooding_console_reaches_the_page_in_bounded_batches_while_the_api_stays_responsive()
    {
        using var client = await DashboardTestClient.SignedInAsync(_dashboard);
        using var stream = await client.GetStreamAsync("/api/resources/flood/console/stream?tail=0", TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream);
        var batches = new List<ConsoleBatchView>();
        var resourcesAnswered = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await File.WriteAllTextAsync(_floodGate, "go", TestContext.Current.CancellationToken); // 60,000 lines as fast as the shell can

        while (!batches.Any(b => b.Lines.Any(l => l.Text == "flood line 60000")) && DateTime.UtcNow < deadline)
        {
            var line = await reader.ReadLineAsync(TestContext.Current.CancellationToken);
            if (line?.StartsWith("data: ", StringComparison.Ordinal) == true)
            {
                batches.Add(System.Text.Json.JsonSerializer.Deserialize<ConsoleBatchView>(line["data: ".Length..], System.Text.Json.JsonSerializerOptions.Web)!);
                // Another request in the middle of the flood must still be answered.
                using var resources = await client.GetAsync("/api/resources", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, resources.StatusCode);
                resourcesAnswered++;
            }
        }

        var delivered = batches.SelectMany(b => b.Lines).ToList();
        Assert.Contains(delivered, l => l.Text == "flood line 60000");
        Assert.True(resourcesAnswered > 1);
        Assert.All(batches, b => Assert.InRange(b.Lines.Count, 0, 1_000));
        Assert.True(delivered.Zip(delivered.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "lines arrive in order, without repeats");
        Assert.InRange(batches.Sum(b => b.Lines.Count + b.Dropped), 1, 60_000);
    }
}
