using Coinage.Hosting.Otlp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting.Dashboard;

public static class DashboardBuilderExtensions
{
    /// <summary>
    /// Turns the dashboard on for a test (it is on by default only for `run`), on free ports.
    /// Settings of <c>Coinage:Dashboard</c> (API key, limits, token) can be passed along.
    /// </summary>
    public static CoinageApplicationBuilder AddDashboard(this CoinageApplicationBuilder builder, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        builder.Configuration.AddInMemoryCollection(
            new[] { new KeyValuePair<string, string?>($"{DashboardOptions.Section}:Enabled", "true") }
                .Concat((settings ?? []).Select(s => new KeyValuePair<string, string?>($"{DashboardOptions.Section}:{s.Key}", s.Value))));
        return builder;
    }

    /// <summary>Registers the dashboard; it must start before the orchestrator, so call this before adding that.</summary>
    internal static void AddDashboardServices(this IServiceCollection services, IConfiguration configuration, CoinageExecutionContext context)
    {
        var options = DashboardOptions.From(configuration, context);
        services.AddSingleton(options);
        services.AddSingleton(new TelemetryStore(options.Limits));
        services.AddSingleton<DashboardServer>();
        services.AddHostedService(provider => provider.GetRequiredService<DashboardServer>());
    }
}
