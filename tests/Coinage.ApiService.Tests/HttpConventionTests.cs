using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coinage.ApiService.Tests;

public sealed class HttpConventionTests(InfrastructureFixture infrastructure)
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task An_unknown_api_route_is_a_problem_details_404()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/no-such-thing");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.TryGetProperty("title", out _));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_problem_details_413()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();

        using var atLimit = await client.PostAsync(new Uri("/api/v1/status", UriKind.Relative), new ByteArrayContent(new byte[Limit]), TestContext.Current.CancellationToken);
        using var overLimit = await client.PostAsync(new Uri("/api/v1/status", UriKind.Relative), new ByteArrayContent(new byte[Limit + 1]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
        Assert.Equal("application/problem+json", overLimit.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await overLimit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(413, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Over_real_http_a_body_over_the_limit_is_a_413_too()
    {
        await using var factory = new ApiFactory(infrastructure);
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        Assert.True(client.BaseAddress!.IsLoopback);

        using var overLimit = await client.PostAsync(new Uri("/api/v1/status", UriKind.Relative), new ByteArrayContent(new byte[Limit + 1]), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overLimit.StatusCode);
        Assert.Equal("application/problem+json", overLimit.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Kestrel_is_configured_with_the_same_limit()
    {
        await using var factory = new ApiFactory(infrastructure);
        _ = factory.Server;

        var kestrel = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(Limit, kestrel.Limits.MaxRequestBodySize);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_status_endpoint()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));

        var get = document.RootElement.GetProperty("paths").GetProperty("/api/v1/status").GetProperty("get");
        Assert.Equal("GetStatus", get.GetProperty("operationId").GetString());
        var ok = get.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("#/components/schemas/StatusResponse", ok.GetProperty("$ref").GetString());
        var properties = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("StatusResponse").GetProperty("properties");
        Assert.Equal(
            ["service", "version", "database", "redis", "lastHeartbeatAt", "serverTime"],
            properties.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("date-time", properties.GetProperty("serverTime").GetProperty("format").GetString());
        Assert.True(get.GetProperty("responses").TryGetProperty("500", out _));
    }

    [Fact]
    public async Task Scalar_serves_the_api_reference()
    {
        await using var factory = new ApiFactory(infrastructure);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/scalar", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
