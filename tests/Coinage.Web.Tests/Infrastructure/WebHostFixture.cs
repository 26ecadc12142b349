namespace Coinage.Web.Tests.Infrastructure;

/// <summary>The web host on Kestrel, serving <see cref="TestWebRoot"/> and proxying to an <see cref="UpstreamServer"/>.</summary>
public sealed class WebHostFixture : IAsyncLifetime
{
    public TestWebRoot WebRoot { get; } = new();

    public UpstreamServer Upstream { get; private set; } = null!;

    public WebHostFactory Factory { get; private set; } = null!;

    /// <summary>A plain client of the web host: no automatic decompression, no redirects, no proxy.</summary>
    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync("upstream");
        Factory = new WebHostFactory(WebRoot.Path, Upstream.Address);
        Client = Factory.CreateRawClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Upstream.DisposeAsync();
        WebRoot.Dispose();
    }
}
