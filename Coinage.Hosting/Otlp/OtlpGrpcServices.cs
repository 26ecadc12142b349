using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Coinage.Hosting.Otlp;

/// <summary>OTLP/gRPC: <c>TraceService</c>, <c>LogsService</c> and <c>MetricsService</c>, each with its one <c>Export</c> call.</summary>
internal sealed class OtlpGrpcReceiver(TelemetryStore store)
{
    public Task<ExportTraceServiceResponse> ExportTraces(ExportTraceServiceRequest request, ServerCallContext context)
    {
        store.Traces.Add(request.ResourceSpans); // records beyond the limits are dropped; OTLP 0.18 has no partial-success reply
        return Task.FromResult(new ExportTraceServiceResponse());
    }

    public Task<ExportLogsServiceResponse> ExportLogs(ExportLogsServiceRequest request, ServerCallContext context)
    {
        store.Logs.Add(request.ResourceLogs);
        return Task.FromResult(new ExportLogsServiceResponse());
    }

    public Task<ExportMetricsServiceResponse> ExportMetrics(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        store.Metrics.Add(request.ResourceMetrics); // records beyond the limits are dropped; OTLP 0.18 has no partial-success reply
        return Task.FromResult(new ExportMetricsServiceResponse());
    }
}

/// <summary>
/// Binds the three Export methods, under the names of the services generated from the .proto
/// files, with marshallers that turn a body that is not valid protobuf into INVALID_ARGUMENT.
/// (With the generated binding, grpc-dotnet would answer UNKNOWN: deserialization happens before
/// any interceptor could translate the exception.)
/// </summary>
internal sealed class OtlpGrpcMethodProvider : IServiceMethodProvider<OtlpGrpcReceiver>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpGrpcReceiver> context)
    {
        context.AddUnaryMethod(Export(TraceService.Descriptor.FullName, ExportTraceServiceRequest.Parser, ExportTraceServiceResponse.Parser), [],
            (receiver, request, call) => receiver.ExportTraces(request, call));
        context.AddUnaryMethod(Export(LogsService.Descriptor.FullName, ExportLogsServiceRequest.Parser, ExportLogsServiceResponse.Parser), [],
            (receiver, request, call) => receiver.ExportLogs(request, call));
        context.AddUnaryMethod(Export(MetricsService.Descriptor.FullName, ExportMetricsServiceRequest.Parser, ExportMetricsServiceResponse.Parser), [],
            (receiver, request, call) => receiver.ExportMetrics(request, call));
    }

    private static Method<TRequest, TResponse> Export<TRequest, TResponse>(string service, MessageParser<TRequest> requests, MessageParser<TResponse> responses)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(MethodType.Unary, service, "Export", Marshaller(requests), Marshaller(responses));

    private static Marshaller<T> Marshaller<T>(MessageParser<T> parser) where T : class, IMessage<T> =>
        Marshallers.Create(
            message => message.ToByteArray(),
            bytes =>
            {
                try
                {
                    return parser.ParseFrom(bytes);
                }
                catch (InvalidProtocolBufferException)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, OtlpMessages.NotProtobuf));
                }
            });
}

internal static class OtlpMessages
{
    public const string NotProtobuf = "The body is not a valid OTLP protobuf message.";
}
