using System.Net;
using System.Net.Http.Json;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

public sealed class SpaFallbackTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    [Theory]
    [InlineData("/markets/BTC-USD")]
    [InlineData("/account/security")]
    [InlineData("/Markets/eth-usd/")]
    public async Task A_client_side_route_gets_index_html(string path)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache, no-store, must-revalidate", response.CacheControl());
        Assert.Contains(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_of_a_client_side_route_is_answered_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "/markets/BTC-USD");
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Only_reads_fall_back_to_index_html()
    {
        using var response = await host.Client.PostAsync("/markets/BTC-USD", content: null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_api_route_is_the_api_s_problem_details_404_never_index_html()
    {
        using var response = await host.Client.GetAsync("/api/v1/missing", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("upstream has no such route.", body, StringComparison.Ordinal);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/markets")]
    [InlineData("/api")]
    [InlineData("/API/v1/orders")]
    [InlineData("/hubs/market")]
    [InlineData("/ws/feed")]
    public async Task Api_and_hub_paths_always_go_to_the_api(string path)
    {
        var echo = await host.Client.GetFromJsonAsync<EchoResponse>(path, TestContext.Current.CancellationToken);

        Assert.NotNull(echo);
        Assert.Equal(host.Upstream.Name, echo.Server);
        Assert.Equal(path, echo.Path);
    }

    [Fact]
    public async Task An_unreachable_api_is_a_502_never_index_html()
    {
        await using var factory = new WebHostFactory(host.WebRoot.Path, apiAddress: null);
        using var client = factory.CreateRawClient();

        using var response = await client.GetAsync("/api/v1/status", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health/details")]
    [InlineData("/alive/now")]
    [InlineData("/metrics/all")]
    [InlineData("/assets/chunk")]
    public async Task Reserved_paths_never_fall_back_to_index_html(string path)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/metrics")]
    public async Task Probes_and_metrics_answer_themselves(string path)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
