using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a loopback port that the proxy forwards to, answering with what it received, so the
/// tests can see what YARP sends upstream (path, query, X-Forwarded-* headers) — which the real API cannot show.
/// </summary>
public sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamServer(WebApplication app, string name)
    {
        _app = app;
        Name = name;
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Address = new Uri(address);
    }

    public string Name { get; }

    public Uri Address { get; }

    public static async Task<UpstreamServer> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();

        app.MapGet("/api/v1/missing", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: $"{name} has no such route."));
        // What the market hub's WebSocket transport needs from the proxy: the upgrade, the query, the access token
        // (which SignalR sends as access_token in the query) and frames both ways. Says the path, query and
        // Authorization header, then echoes.
        async Task<IResult> SocketEchoAsync(HttpContext context)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                return Results.BadRequest();
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var hello = System.Text.Encoding.UTF8.GetBytes($"{name} {context.Request.Path}{context.Request.QueryString} {context.Request.Headers.Authorization}{context.Request.Headers["Coinage-Key"]}");
            await socket.SendAsync(hello, System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
            var buffer = new byte[4096];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return Results.Empty;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
            }
        }
        app.Map("/hubs/socket-echo", (Delegate)SocketEchoAsync);
        // The plain JSON feed: a program signs the handshake with its API key's headers, which must reach the API.
        app.Map("/ws/v1", (Delegate)SocketEchoAsync);
        app.Map("/{**path}", (HttpContext context) =>
        {
            // A header the web host must replace with its own, not repeat.
            context.Response.Headers.XFrameOptions = "SAMEORIGIN";
            return TypedResults.Json(new EchoResponse(
                name,
                context.Request.Method,
                context.Request.Path.Value ?? "",
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                // Compressible padding: large enough that a compressing proxy would compress it.
                string.Concat(Enumerable.Repeat("0123456789", 500))));
        });

        await app.StartAsync();
        return new UpstreamServer(app, name);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record EchoResponse(string Server, string Method, string Path, string Query, Dictionary<string, string> Headers, string Padding);
