using System.IO.Compression;
using System.Net;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

public sealed class CompressionTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Static_files_are_compressed_when_the_browser_accepts_it(string encoding)
    {
        using var response = await GetAsync(TestWebRoot.AssetPath, encoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        var compressed = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.True(compressed.Length < host.WebRoot.AssetContent.Length / 4, $"{compressed.Length} bytes is barely compressed.");
        Assert.Equal(host.WebRoot.AssetContent, Decompress(compressed, encoding));
    }

    [Fact]
    public async Task Brotli_is_preferred_over_gzip()
    {
        using var response = await GetAsync("/", "gzip, deflate, br");

        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
    }

    [Fact]
    public async Task Nothing_is_compressed_for_a_client_that_did_not_ask()
    {
        using var response = await GetAsync(TestWebRoot.AssetPath, acceptEncoding: null);

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(host.WebRoot.AssetContent, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Proxied_api_responses_are_not_compressed_by_the_web_host()
    {
        // BREACH: API responses can hold secrets next to attacker-influenced text; the API decides for itself.
        using var response = await GetAsync("/api/v1/echo?q=secret", "br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Contains("\"path\":\"/api/v1/echo\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(decoder);
        return reader.ReadToEnd();
    }
}
