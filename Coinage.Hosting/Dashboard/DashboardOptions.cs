using Coinage.Hosting.Otlp;
using Microsoft.Extensions.Configuration;

namespace Coinage.Hosting.Dashboard;

/// <summary>
/// Section <c>Coinage:Dashboard</c>. Ports are Aspire's (UI 18888, OTLP/gRPC 18889, OTLP/HTTP
/// 18890); tests and <c>Coinage:FreePorts</c> runs take free ones.
/// </summary>
public sealed class DashboardOptions
{
    public const string Section = "Coinage:Dashboard";

    /// <summary>On by default for `run`; tests opt in (<see cref="DashboardBuilderExtensions.AddDashboard"/>).</summary>
    public bool? Enabled { get; set; }

    /// <summary>The UI and its JSON API. 0 = any free port.</summary>
    public int Port { get; set; } = 18888;

    public int OtlpGrpcPort { get; set; } = 18889;

    public int OtlpHttpPort { get; set; } = 18890;

    /// <summary>The sign-in token; a random one is generated per start when empty.</summary>
    public string? BrowserToken { get; set; }

    /// <summary>Anyone who can reach 127.0.0.1 may use the dashboard without a token.</summary>
    public bool Unsecured { get; set; }

    /// <summary>When set, OTLP senders must present it in <c>x-otlp-api-key</c>; projects receive it through OTEL_EXPORTER_OTLP_HEADERS.</summary>
    public string? OtlpApiKey { get; set; }

    /// <summary>Console lines the UI keeps on screen per resource (older ones scroll away).</summary>
    public int MaxConsoleLinesOnScreen { get; set; } = 5_000;

    public TelemetryLimits Limits { get; set; } = new();

    internal static DashboardOptions From(IConfiguration configuration, CoinageExecutionContext context)
    {
        var section = configuration.GetSection(Section);
        var options = new DashboardOptions();
        section.Bind(options);
        options.Limits = new TelemetryLimits();
        section.Bind(options.Limits);
        if (context.IsTesting || configuration.GetValue<bool>("Coinage:FreePorts"))
        {
            options.Port = options.OtlpGrpcPort = options.OtlpHttpPort = 0;
        }
        foreach (var (name, port) in new[] { (nameof(Port), options.Port), (nameof(OtlpGrpcPort), options.OtlpGrpcPort), (nameof(OtlpHttpPort), options.OtlpHttpPort) })
        {
            if (port is < 0 or > 65535)
            {
                throw new ArgumentException($"{Section}:{name} must be a port number between 1 and 65535 (or 0 for any), not {port}.");
            }
        }
        return options;
    }

    internal static bool IsEnabled(IConfiguration configuration, CoinageExecutionContext context) =>
        context.IsRunMode && (configuration.GetValue<bool?>($"{Section}:Enabled") ?? !context.IsTesting);
}
