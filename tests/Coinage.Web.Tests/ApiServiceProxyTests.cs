using System.Net;
using System.Text.Json;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

/// <summary>The web host in front of the real ApiService (with its PostgreSQL and Redis), wired as the AppHost wires it.</summary>
public sealed class ApiServiceProxyTests(ApiServiceFixture api) : IAsyncLifetime
{
    private readonly TestWebRoot _webRoot = new();
    private WebHostFactory _web = null!;
    private HttpClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _web = new WebHostFactory(_webRoot.Path, api.ApiAddress);
        _client = _web.CreateRawClient();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Status_through_the_web_host_is_what_the_api_answers()
    {
        using var direct = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = api.ApiAddress };
        using var fromApi = await direct.GetAsync("/api/v1/status", TestContext.Current.CancellationToken);
        using var throughWeb = await _client.GetAsync("/api/v1/status", TestContext.Current.CancellationToken);

        Assert.Equal(fromApi.StatusCode, throughWeb.StatusCode);
        Assert.Equal(fromApi.Content.Headers.ContentType?.MediaType, throughWeb.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, throughWeb.StatusCode);

        using var expected = JsonDocument.Parse(await fromApi.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var actual = JsonDocument.Parse(await throughWeb.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("apiservice", actual.RootElement.GetProperty("service").GetString());
        foreach (var property in new[] { "service", "database", "redis" })
        {
            Assert.Equal(expected.RootElement.GetProperty(property).GetString(), actual.RootElement.GetProperty(property).GetString());
        }
    }

    [Fact]
    public async Task An_unknown_api_route_is_the_api_s_own_404_not_a_bad_gateway()
    {
        using var response = await _client.GetAsync("/api/v1/no-such-route", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }
        _webRoot.Dispose();
    }
}
