using System.Net;
using Coinage.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Coinage.Web.Tests;

public sealed class SecurityHeadersTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    private static readonly Dictionary<string, string> ExpectedPolicy = new()
    {
        ["default-src"] = "'self'",
        ["script-src"] = "'self'",
        ["style-src"] = "'self' 'unsafe-inline'",
        ["img-src"] = "'self' data:",
        ["connect-src"] = "'self'",
        ["frame-ancestors"] = "'none'",
        ["base-uri"] = "'self'",
        ["form-action"] = "'self'",
        ["object-src"] = "'none'",
    };

    public static TheoryData<string> EveryKindOfResponse() =>
    [
        "/",
        "/markets/BTC-USD",
        TestWebRoot.AssetPath,
        "/favicon.svg",
        "/assets/index-Missing1.js",
        "/health",
        "/metrics",
        "/api/v1/echo",
        "/api/v1/missing",
    ];

    [Theory]
    [MemberData(nameof(EveryKindOfResponse))]
    public async Task Every_response_carries_the_security_headers_once(string path)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(ExpectedPolicy, ParsePolicy(Single(response, "Content-Security-Policy")));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Single(response, "Referrer-Policy"));
        Assert.Equal("same-origin", Single(response, "Cross-Origin-Opener-Policy"));
        var permissions = Single(response, "Permissions-Policy");
        Assert.Contains("camera=()", permissions, StringComparison.Ordinal);
        Assert.Contains("geolocation=()", permissions, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"), "The Server header names the stack to scanners.");
    }

    [Fact]
    public async Task A_proxied_response_gets_the_front_end_headers_instead_of_the_upstream_ones()
    {
        // The upstream answers X-Frame-Options: SAMEORIGIN; the browser must see DENY, once.
        using var response = await host.Client.GetAsync("/api/v1/echo", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("DENY", Single(response, "X-Frame-Options"));
    }

    [Fact]
    public async Task Hsts_is_sent_over_https_outside_development()
    {
        await using var production = new WebHostFactory(host.WebRoot.Path, environment: "Production", kestrel: false);
        using var client = production.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://coinage.example") });

        using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", Single(response, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task Hsts_is_not_sent_in_development()
    {
        await using var development = new WebHostFactory(host.WebRoot.Path, environment: "Development", kestrel: false);
        using var client = development.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://coinage.example") });

        using var response = await client.GetAsync("/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    private static string Single(HttpResponseMessage response, string name)
    {
        var values = response.Headers.TryGetValues(name, out var headerValues) ? headerValues.ToList()
            : response.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.ToList()
            : [];
        return Assert.Single(values);
    }

    private static Dictionary<string, string> ParsePolicy(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");
}
