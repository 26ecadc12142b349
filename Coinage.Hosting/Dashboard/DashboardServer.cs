using System.Net;
using System.Security.Cryptography;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Otlp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Coinage.Hosting.Dashboard;

/// <summary>
/// The ops dashboard (our stand-in for the Aspire dashboard): a Kestrel app inside the AppHost on
/// three loopback listeners: the UI with its JSON API (HTTP/1.1), OTLP/gRPC (HTTP/2 cleartext)
/// and OTLP/HTTP (HTTP/1.1). It starts before the orchestrator so that every project is started with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> pointing at it.
/// </summary>
public sealed partial class DashboardServer(
    DashboardOptions options,
    TelemetryStore telemetry,
    Orchestrator orchestrator,
    ResourceStateStore states,
    ResourceLogStore logs,
    AppModel model,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable, IDisposable
{
    private WebApplication? _app;
    private ListenOptions? _ui;
    private ListenOptions? _otlpGrpc;
    private ListenOptions? _otlpHttp;

    /// <summary>The sign-in token of this run (configured, or random per start).</summary>
    public string BrowserToken { get; } = options.BrowserToken is { Length: > 0 } token ? token : RandomNumberGenerator.GetHexString(32, lowercase: true);

    public DashboardOptions Options => options;

    public TelemetryStore Telemetry => telemetry;

    /// <summary>The UI's base address, e.g. <c>http://127.0.0.1:18888</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port(_ui)}");

    /// <summary>The address to open in a browser: signs in with the token and lands on the resources page.</summary>
    public Uri LoginUrl => options.Unsecured ? Url : new Uri(Url, $"/login?t={BrowserToken}");

    public Uri OtlpGrpcEndpoint => new($"http://127.0.0.1:{Port(_otlpGrpc)}");

    public Uri OtlpHttpEndpoint => new($"http://127.0.0.1:{Port(_otlpHttp)}");

    internal Orchestrator Orchestrator => orchestrator;

    internal ResourceStateStore States => states;

    internal ResourceLogStore Logs => logs;

    internal AppModel Model => model;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "Coinage.Dashboard",
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Without TLS there is no ALPN: a listener speaks HTTP/1.1 or HTTP/2 (prior knowledge), not both.
            // Browsers and OTLP/HTTP exporters use HTTP/1.1; gRPC needs HTTP/2.
            kestrel.Listen(IPAddress.Loopback, options.Port, l => { l.Protocols = HttpProtocols.Http1; _ui = l; });
            kestrel.Listen(IPAddress.Loopback, options.OtlpGrpcPort, l => { l.Protocols = HttpProtocols.Http2; _otlpGrpc = l; });
            kestrel.Listen(IPAddress.Loopback, options.OtlpHttpPort, l => { l.Protocols = HttpProtocols.Http1; _otlpHttp = l; });
        });
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRouting();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton(telemetry);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = telemetry.Limits.MaxRequestBytes;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<OtlpGrpcReceiver>, OtlpGrpcMethodProvider>();
        builder.Services.AddDashboardAuthentication(options);

        var app = builder.Build();
        var apiKey = options.OtlpApiKey is { Length: > 0 } key ? new OtlpApiKey(key) : null;
        app.Use(async (context, next) =>
        {
            var port = context.Connection.LocalPort;
            if (port == Port(_ui))
            {
                await DashboardSecurity.UiGuardAsync(context, next).ConfigureAwait(false);
            }
            else if (apiKey is null || await apiKey.AuthorizeAsync(context).ConfigureAwait(false))
            {
                await next(context).ConfigureAwait(false);
            }
        });
        app.UseRouting();
        // Each endpoint answers only on its own listener: OTLP is not reachable through the UI port and vice versa.
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is { } endpoint)
            {
                var listener = endpoint.Metadata.GetMetadata<DashboardListenerMetadata>()?.Listener ?? DashboardListener.Ui;
                var expected = listener switch
                {
                    DashboardListener.OtlpGrpc => Port(_otlpGrpc),
                    DashboardListener.OtlpHttp => Port(_otlpHttp),
                    _ => Port(_ui),
                };
                if (context.Connection.LocalPort != expected)
                {
                    context.SetEndpoint(null);
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
            }
            await next(context).ConfigureAwait(false);
        });
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGrpcService<OtlpGrpcReceiver>().AllowAnonymous().WithMetadata(new DashboardListenerMetadata(DashboardListener.OtlpGrpc));
        app.MapOtlpHttp().AllowAnonymous().WithMetadata(new DashboardListenerMetadata(DashboardListener.OtlpHttp));
        app.MapDashboardLogin(options, BrowserToken);
        app.MapDashboardAssets();
        app.MapResourcesApi();
        app.MapTelemetryApi();

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"The dashboard cannot listen on 127.0.0.1 ports {options.Port}/{options.OtlpGrpcPort}/{options.OtlpHttpPort}: one is already in use. " +
                $"Stop what listens there or choose others with --{DashboardOptions.Section}:Port=PORT, --{DashboardOptions.Section}:OtlpGrpcPort=PORT, --{DashboardOptions.Section}:OtlpHttpPort=PORT.", ex);
        }
        _app = app;

        var otlp = OtlpGrpcEndpoint.ToString().TrimEnd('/');
        orchestrator.ConfigureValues = values =>
        {
            values.OtlpEndpoint = otlp;
            values.OtlpApiKey = options.OtlpApiKey is { Length: > 0 } key ? key : null;
        };
        LogListening(loggerFactory.CreateLogger<DashboardServer>(), Url, OtlpGrpcEndpoint, OtlpHttpEndpoint);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static int Port(ListenOptions? listener) =>
        listener?.IPEndPoint?.Port ?? throw new InvalidOperationException("The dashboard has not started.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dashboard on {Ui}, OTLP/gRPC on {Grpc}, OTLP/HTTP on {Http}")]
    private static partial void LogListening(ILogger logger, Uri ui, Uri grpc, Uri http);
}

/// <summary>Which of the dashboard's listeners an endpoint belongs to.</summary>
internal enum DashboardListener
{
    Ui,
    OtlpGrpc,
    OtlpHttp,
}

internal sealed record DashboardListenerMetadata(DashboardListener Listener);
