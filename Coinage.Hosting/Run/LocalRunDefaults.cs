using Microsoft.Extensions.Configuration;

namespace Coinage.Hosting.Run;

/// <summary>
/// What a launch profile gives <c>dotnet run</c> and <c>aspire run</c>, for <c>./coinage run</c> (which starts the
/// built AppHost directly) and tests: the dashboard on plain HTTP on loopback, at the ports of
/// <c>Coinage:Ports:dashboard</c>, <c>dashboard-otlp</c> and <c>dashboard-resources</c> (free ones with
/// <c>Coinage:FreePorts=true</c>). Whatever the environment or a launch profile already set wins.
/// </summary>
internal static class LocalRunDefaults
{
    public const string DashboardUrl = "ASPNETCORE_URLS";
    public const string OtlpUrl = "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL";
    public const string ResourceServiceUrl = "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL";
    public const string AllowUnsecuredTransport = "ASPIRE_ALLOW_UNSECURED_TRANSPORT";

    public static void Apply(IDistributedApplicationBuilder builder, CoinageHosting hosting)
    {
        var configuration = builder.Configuration;
        SetDefault(configuration, DashboardUrl, () => Loopback(hosting.PinnedPort("dashboard")));
        SetDefault(configuration, OtlpUrl, () => Loopback(hosting.PinnedPort("dashboard", "otlp")));
        SetDefault(configuration, ResourceServiceUrl, () => Loopback(hosting.PinnedPort("dashboard", "resources")));
        SetDefault(configuration, AllowUnsecuredTransport, () => "true");
    }

    /// <summary>The link the dashboard prints (<c>/login?t=TOKEN</c>), when it runs.</summary>
    public static string? DashboardLoginUrl(IConfiguration configuration) =>
        configuration[DashboardUrl]?.Split(';')[0].TrimEnd('/') is { Length: > 0 } url && configuration["AppHost:BrowserToken"] is { Length: > 0 } token
            ? $"{url}/login?t={token}"
            : null;

    private static void SetDefault(IConfiguration configuration, string key, Func<string> value)
    {
        if (string.IsNullOrEmpty(configuration[key]))
        {
            configuration[key] = value();
        }
    }

    private static string Loopback(int? port) => $"http://127.0.0.1:{port ?? FreePorts.Next()}";
}
