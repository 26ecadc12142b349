using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Coinage.Web.Tests.Infrastructure;

namespace Coinage.Web.Tests;

/// <summary>What the YARP proxy sends upstream, observed by an <see cref="UpstreamServer"/>.</summary>
public sealed class ProxyTests(WebHostFixture host) : IClassFixture<WebHostFixture>
{
    private const string DiscoveryKey = "services:apiservice:http";

    [Fact]
    public async Task Forwards_method_path_and_query_unchanged()
    {
        using var response = await host.Client.PostAsync("/hubs/market/negotiate?negotiateVersion=1&market=BTC-USD", content: null, TestContext.Current.CancellationToken);
        var echo = await response.Content.ReadFromJsonAsync<EchoResponse>(TestContext.Current.CancellationToken);

        Assert.NotNull(echo);
        Assert.Equal("POST", echo.Method);
        Assert.Equal("/hubs/market/negotiate", echo.Path);
        Assert.Equal("?negotiateVersion=1&market=BTC-USD", echo.Query);
    }

    [Fact]
    public async Task Forwards_websocket_upgrades_under_hubs_with_the_access_token_moved_from_the_query_to_the_header()
    {
        var ct = TestContext.Current.CancellationToken;
        var address = new UriBuilder(host.Client.BaseAddress!) { Scheme = "ws", Path = "/hubs/socket-echo", Query = "id=abc&access_token=eyJ.token" }.Uri;
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(address, ct);
        var hello = await ReceiveTextAsync(socket, ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":6}\u001e"), WebSocketMessageType.Text, endOfMessage: true, ct);
        var echo = await ReceiveTextAsync(socket, ct);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        // Past the proxy the token is no longer part of a URL that servers log and trace.
        Assert.Equal("upstream /hubs/socket-echo?id=abc Bearer eyJ.token", hello);
        Assert.Equal("{\"type\":6}\u001e", echo);
    }

    [Fact]
    public async Task Forwards_the_websocket_feed_with_its_signed_handshake_headers()
    {
        var ct = TestContext.Current.CancellationToken;
        var address = new UriBuilder(host.Client.BaseAddress!) { Scheme = "ws", Path = "/ws/v1" }.Uri;
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Coinage-Key", "ck_test");

        await socket.ConnectAsync(address, ct);
        var hello = await ReceiveTextAsync(socket, ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"op":"ping"}"""), WebSocketMessageType.Text, endOfMessage: true, ct);
        var echo = await ReceiveTextAsync(socket, ct);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        Assert.Equal("upstream /ws/v1 ck_test", hello);
        Assert.Equal("""{"op":"ping"}""", echo);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, cancellationToken);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    [Fact]
    public async Task Adds_x_forwarded_headers_and_replaces_spoofed_ones()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/echo");
        request.Headers.Add("X-Forwarded-For", "203.0.113.66");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var echo = await response.Content.ReadFromJsonAsync<EchoResponse>(TestContext.Current.CancellationToken);

        Assert.NotNull(echo);
        Assert.Equal("127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        Assert.Equal(host.Client.BaseAddress!.Authority, echo.Headers["X-Forwarded-Host"]);
    }

    [Fact]
    public async Task Passes_on_the_client_address_and_scheme_that_a_configured_ingress_forwarded()
    {
        await using var upstream = await UpstreamServer.StartAsync("upstream");
        // The ingress is on loopback here, as this test's client is.
        await using var factory = new WebHostFactory(host.WebRoot.Path, upstream.Address,
            settings: new Dictionary<string, string?> { ["Coinage:ForwardedHeaders:KnownProxies"] = "127.0.0.1" });
        using var client = factory.CreateRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/echo");
        request.Headers.Add("X-Forwarded-For", "203.0.113.66");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var echo = await response.Content.ReadFromJsonAsync<EchoResponse>(TestContext.Current.CancellationToken);

        Assert.NotNull(echo);
        Assert.Equal("203.0.113.66", echo.Headers["X-Forwarded-For"]);
        Assert.Equal("https", echo.Headers["X-Forwarded-Proto"]);
    }

    [Fact]
    public async Task Spreads_requests_over_every_discovered_replica()
    {
        await using var first = await UpstreamServer.StartAsync("replica-0");
        await using var second = await UpstreamServer.StartAsync("replica-1");
        var discovery = new ReloadableConfigurationSource();
        discovery.Set($"{DiscoveryKey}:0", first.Address.ToString());
        discovery.Set($"{DiscoveryKey}:1", second.Address.ToString());
        await using var factory = new WebHostFactory(host.WebRoot.Path, extraConfiguration: discovery);
        using var client = factory.CreateRawClient();

        var servers = new HashSet<string>();
        for (var i = 0; i < 40 && servers.Count < 2; i++)
        {
            var echo = await client.GetFromJsonAsync<EchoResponse>("/api/v1/echo", TestContext.Current.CancellationToken);
            servers.Add(echo!.Server);
        }

        Assert.Equal(["replica-0", "replica-1"], servers.Order());
    }

    [Fact]
    public async Task Follows_service_discovery_when_the_api_moves()
    {
        await using var before = await UpstreamServer.StartAsync("before");
        await using var after = await UpstreamServer.StartAsync("after");
        var discovery = new ReloadableConfigurationSource();
        discovery.Set($"{DiscoveryKey}:0", before.Address.ToString());
        await using var factory = new WebHostFactory(host.WebRoot.Path, extraConfiguration: discovery);
        using var client = factory.CreateRawClient();
        Assert.Equal("before", (await client.GetFromJsonAsync<EchoResponse>("/api/v1/echo", TestContext.Current.CancellationToken))!.Server);

        discovery.Set($"{DiscoveryKey}:0", after.Address.ToString());

        // Resolution is asynchronous (change token → resolver → new YARP config): allow it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string server;
        do
        {
            server = (await client.GetFromJsonAsync<EchoResponse>("/api/v1/echo", TestContext.Current.CancellationToken))!.Server;
            if (server == "after")
            {
                break;
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal("after", server);
    }
}
