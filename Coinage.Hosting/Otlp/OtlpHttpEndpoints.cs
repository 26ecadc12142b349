using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Coinage.Hosting.Otlp;

/// <summary>
/// OTLP/HTTP with binary protobuf bodies (<c>POST /v1/traces|logs|metrics</c>). Errors follow the
/// OTLP/HTTP specification: a 4xx status with a protobuf <c>google.rpc.Status</c> body.
/// </summary>
internal static class OtlpHttpEndpoints
{
    public const string ProtobufContentType = "application/x-protobuf";

    public static IEndpointConventionBuilder MapOtlpHttp(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1");
        group.MapPost("/traces", (HttpContext context, TelemetryStore store) =>
            HandleAsync(context, store, ExportTraceServiceRequest.Parser, request =>
            {
                store.Traces.Add(request.ResourceSpans); // records beyond the limits are dropped; OTLP 0.18 has no partial-success reply
                return new ExportTraceServiceResponse();
            }));
        group.MapPost("/logs", (HttpContext context, TelemetryStore store) =>
            HandleAsync(context, store, ExportLogsServiceRequest.Parser, request =>
            {
                store.Logs.Add(request.ResourceLogs);
                return new ExportLogsServiceResponse();
            }));
        group.MapPost("/metrics", (HttpContext context, TelemetryStore store) =>
            HandleAsync(context, store, ExportMetricsServiceRequest.Parser, request =>
            {
                store.Metrics.Add(request.ResourceMetrics); // records beyond the limits are dropped; OTLP 0.18 has no partial-success reply
                return new ExportMetricsServiceResponse();
            }));
        return group;
    }

    private static async Task HandleAsync<TRequest>(HttpContext context, TelemetryStore store, MessageParser<TRequest> parser, Func<TRequest, IMessage> handle)
        where TRequest : IMessage<TRequest>
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not (ProtobufContentType or "application/protobuf"))
        {
            await WriteStatusAsync(context, StatusCodes.Status415UnsupportedMediaType, 3, $"Send OTLP as binary protobuf ({ProtobufContentType}); OTLP/JSON is not accepted here.").ConfigureAwait(false);
            return;
        }
        var limit = store.Limits.MaxRequestBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = null; // our own limit below counts decompressed bytes and answers in OTLP's format
        }
        if (context.Request.ContentLength > limit)
        {
            await WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge, 8, $"The request is larger than {limit} bytes (Coinage:Dashboard:MaxRequestBytes).").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (PayloadTooLargeException)
        {
            await WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge, 8, $"The request is larger than {limit} bytes (Coinage:Dashboard:MaxRequestBytes).").ConfigureAwait(false);
            return;
        }
        catch (InvalidDataException)
        {
            await WriteStatusAsync(context, StatusCodes.Status400BadRequest, 3, "The gzip body could not be decompressed.").ConfigureAwait(false);
            return;
        }
        catch (NotSupportedException ex)
        {
            await WriteStatusAsync(context, StatusCodes.Status415UnsupportedMediaType, 3, ex.Message).ConfigureAwait(false);
            return;
        }

        TRequest request;
        try
        {
            request = parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            await WriteStatusAsync(context, StatusCodes.Status400BadRequest, 3, OtlpMessages.NotProtobuf).ConfigureAwait(false);
            return;
        }

        var response = handle(request);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ProtobufContentType;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var encoding = request.Headers.ContentEncoding.ToString();
        var source = encoding switch
        {
            "" or "identity" => request.Body,
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new NotSupportedException($"Content-Encoding '{encoding}' is not supported; use gzip or none."),
        };
        await using (source.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    // Counting decompressed bytes also stops a small gzip bomb.
                    throw new PayloadTooLargeException();
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    /// <summary>Writes a <c>google.rpc.Status</c> (code = 1, message = 2) by hand: two fields do not justify another package.</summary>
    internal static async Task WriteStatusAsync(HttpContext context, int httpStatus, int grpcCode, string message)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = ProtobufContentType;
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32(grpcCode);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteString(message);
        output.Flush();
        await context.Response.Body.WriteAsync(stream.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private sealed class PayloadTooLargeException : Exception;
}
