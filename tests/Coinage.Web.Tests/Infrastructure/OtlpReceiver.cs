using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP collector on a loopback port that keeps every export request as sent (protobuf), so a test can
/// search all the logs, spans and metrics the services exported, with their real pipelines, for a string: protobuf
/// writes strings as UTF-8 bytes, so a value that was exported is in the bytes.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Export> _exports = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>For <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>What an exporter sent: <c>logs</c>, <c>traces</c> or <c>metrics</c>, and the request body.</summary>
    public sealed record Export(string Signal, byte[] Body, DateTimeOffset ReceivedAt)
    {
        public bool Contains(string value) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) >= 0;

        /// <summary>
        /// Sent by the service of that <c>service.name</c>: the resource attribute as protobuf writes it (key, then an
        /// AnyValue holding the string), not merely the name somewhere (the web front end's logs name the apiservice).
        /// </summary>
        public bool From(string serviceName)
        {
            var name = Encoding.UTF8.GetBytes(serviceName);
            byte[] attribute = [.. "service.name"u8, 0x12, (byte)(name.Length + 2), 0x0A, (byte)name.Length, .. name];
            return Body.AsSpan().IndexOf(attribute) >= 0;
        }
    }

    public IReadOnlyList<Export> Exports => [.. _exports];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0);
            options.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            var content = request.Headers.ContentEncoding == "gzip" ? new GZipStream(request.Body, CompressionMode.Decompress) : request.Body;
            await using (content)
            {
                await content.CopyToAsync(body, request.HttpContext.RequestAborted);
            }
            receiver._exports.Enqueue(new Export(signal, body.ToArray(), DateTimeOffset.UtcNow));
            // An empty Export*ServiceResponse: everything accepted.
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
