using System.Net;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

public sealed class StaticFilesTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    [Fact]
    public async Task Hashed_assets_are_cached_for_a_year_as_immutable()
    {
        using var response = await host.Client.GetAsync(TestWebRoot.AssetPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", response.CacheControl());
        Assert.Equal(host.WebRoot.AssetContent, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    public async Task Index_html_is_never_cached(string path)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache, no-store, must-revalidate", response.CacheControl());
        Assert.Contains(TestWebRoot.IndexMarker, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unhashed_public_files_are_revalidated()
    {
        using var response = await host.Client.GetAsync("/favicon.svg", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.CacheControl());
    }

    [Fact]
    public async Task A_stale_asset_name_is_a_404_not_a_cached_index_html()
    {
        using var response = await host.Client.GetAsync("/assets/index-0ld0ld00.js", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.CacheControl);
    }
}
