using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Coinage.ServiceDefaults.Compliance;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service defaults: logs with trace ids and PII redacted (<see cref="LoggingDefaults"/>), OpenTelemetry (OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set,
/// Prometheus at /metrics always), health checks, service discovery and standard resilience on
/// every HttpClient. Every Coinage service calls <see cref="AddServiceDefaults{TBuilder}"/> first.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";

    /// <summary>Meters and activity sources of Coinage's own code ("Coinage.*").</summary>
    public const string CoinageTelemetryPrefix = "Coinage.";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureLogging();
        builder.ConfigureOpenTelemetry();
        builder.ConfigureForwardedHeaders();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                // Npgsql and Redis telemetry comes with their Aspire client integrations, where a service uses them.
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
                .AddMeter($"{CoinageTelemetryPrefix}*")
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource($"{CoinageTelemetryPrefix}*")
                .AddAspNetCoreInstrumentation(o =>
                    // Probes and scrapes are noise in traces.
                    o.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation()
                // Before any exporter (added later): polling queries outside any trace are not exported.
                .AddProcessor(new BackgroundQueryFilter())
                // Before any exporter (added later), so none of them sees a personal value.
                .AddProcessor(services => new PersonalDataActivityProcessor(services.GetRequiredService<Microsoft.Extensions.Compliance.Redaction.IRedactorProvider>())));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (ready: every check passes), <c>/alive</c> (live: checks tagged "live")
    /// and <c>/metrics</c> (Prometheus) in every environment, because Kubernetes probes and
    /// Prometheus need them; check details are written only in Development.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var detailed = app.Environment.IsDevelopment();
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = detailed ? HealthResponseWriter.WriteDetailed : HealthResponseWriter.WriteStatus })
            .DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live"), ResponseWriter = HealthResponseWriter.WriteStatus })
            .DisableHttpMetrics();
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath).DisableHttpMetrics();
        return app;
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath) || path.StartsWithSegments(MetricsEndpointPath);
}
