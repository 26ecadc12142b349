using System.Net;
using System.Net.Http.Headers;
using Coinage.Hosting.Dashboard;
using Coinage.Hosting.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Coinage.Hosting.Tests.Dashboard;

/// <summary>
/// Bad OTLP input is refused with the protocol's own error codes and never takes the receiver
/// down: after every refusal a valid export still lands.
/// </summary>
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private const string ApiKey = "test-otlp-key-0123456789";
    private const int MaxRequestBytes = 64 * 1024;

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);
    private static readonly Method<byte[], byte[]> ExportLogs = new(MethodType.Unary, "opentelemetry.proto.collector.logs.v1.LogsService", "Export", Raw, Raw);

    private CoinageApplication _app = null!;
    private DashboardServer _dashboard = null!;
    private GrpcChannel _channel = null!;
    private HttpClient _http = null!;
    private int _sent;

    public async ValueTask InitializeAsync()
    {
        var builder = CoinageTestingBuilder.Create().AddDashboard(new Dictionary<string, string?>
        {
            ["OtlpApiKey"] = ApiKey,
            ["MaxRequestBytes"] = MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        _app = await builder.BuildAsync();
        await _app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _dashboard = _app.Dashboard();
        _channel = GrpcChannel.ForAddress(_dashboard.OtlpGrpcEndpoint, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false }, MaxSendMessageSize = null });
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = _dashboard.OtlpHttpEndpoint };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _channel.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Malformed_protobuf_is_invalid_argument_over_grpc_and_400_over_http()
    {
        byte[] garbage = [0x0A, 0x7F, 0x01, 0x02]; // field 1, length 127, then the body ends

        var grpc = await Assert.ThrowsAsync<RpcException>(() => CallGrpcAsync(garbage, ApiKey));
        using var http = await PostHttpAsync(garbage, ApiKey);

        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal(3, await ReadStatusCodeAsync(http)); // google.rpc.Status.code = INVALID_ARGUMENT
        await AssertStillReceivesAsync();
    }

    [Fact]
    public async Task Oversized_requests_are_resource_exhausted_over_grpc_and_413_over_http()
    {
        var huge = ValidRequest(new string('x', MaxRequestBytes + 1)).ToByteArray();

        var grpc = await Assert.ThrowsAsync<RpcException>(() => CallGrpcAsync(huge, ApiKey));
        using var http = await PostHttpAsync(huge, ApiKey);

        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, http.StatusCode);
        await AssertStillReceivesAsync();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task A_missing_or_wrong_api_key_is_unauthenticated_over_grpc_and_401_over_http(string? key)
    {
        var body = ValidRequest("should not be stored").ToByteArray();

        var grpc = await Assert.ThrowsAsync<RpcException>(() => CallGrpcAsync(body, key));
        using var http = await PostHttpAsync(body, key);

        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, http.StatusCode);
        Assert.DoesNotContain(_dashboard.Telemetry.Logs.Query(new()), l => l.Message == "should not be stored");
        await AssertStillReceivesAsync();
    }

    [Fact]
    public async Task Json_bodies_are_refused_with_415_not_misread()
    {
        using var content = new StringContent("{\"resourceLogs\":[]}", System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = content };
        request.Headers.Add("x-otlp-api-key", ApiKey);

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertStillReceivesAsync();
    }

    [Fact]
    public async Task Otlp_is_not_served_on_the_ui_port_nor_the_ui_on_the_otlp_ports()
    {
        using var ui = DashboardTestClient.Anonymous(_dashboard);
        using var onUi = await ui.PostAsync("/v1/logs", new ByteArrayContent(ValidRequest("x").ToByteArray()), TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/resources");
        request.Headers.Add("x-otlp-api-key", ApiKey);
        using var onOtlp = await _http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, onUi.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, onOtlp.StatusCode);
    }

    private async Task AssertStillReceivesAsync()
    {
        var marker = $"still alive {Interlocked.Increment(ref _sent)} {Guid.NewGuid():N}";
        await CallGrpcAsync(ValidRequest(marker + " grpc").ToByteArray(), ApiKey);
        using var http = await PostHttpAsync(ValidRequest(marker + " http").ToByteArray(), ApiKey);
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var stored = _dashboard.Telemetry.Logs.Query(new(Text: marker));
        Assert.Equal(2, stored.Count);
        Assert.All(stored, l => Assert.Equal("receiver-test", l.Resource));
    }

    private async Task<byte[]> CallGrpcAsync(byte[] body, string? key)
    {
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("x-otlp-api-key", key);
        }
        return await _channel.CreateCallInvoker().AsyncUnaryCall(ExportLogs, null, new CallOptions(headers, cancellationToken: TestContext.Current.CancellationToken), body);
    }

    private async Task<HttpResponseMessage> PostHttpAsync(byte[] body, string? key)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = content };
        if (key is not null)
        {
            request.Headers.Add("x-otlp-api-key", key);
        }
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<int> ReadStatusCodeAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var input = new CodedInputStream(bytes);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.Varint), input.ReadTag());
        return input.ReadInt32();
    }

    internal static ExportLogsServiceRequest ValidRequest(string message) => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "receiver-test" } } } },
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        Scope = new InstrumentationScope { Name = "Tests" },
                        LogRecords =
                        {
                            new LogRecord
                            {
                                TimeUnixNano = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000,
                                SeverityNumber = SeverityNumber.Info,
                                SeverityText = "Information",
                                Body = new AnyValue { StringValue = message },
                            },
                        },
                    },
                },
            },
        },
    };
}
