using Coinage.Hosting.Run;
using Aspire.Hosting.Lifecycle;

namespace Coinage.Hosting;

public static class RunHostingExtensions
{
    /// <summary>
    /// The local run as <c>./coinage run</c> gives it: the dashboard on loopback (see <see cref="LocalRunDefaults"/>),
    /// the summary printed once everything is healthy, or the one line saying what could not start, and Ctrl+C stopping
    /// the projects dependents first (see <see cref="OrderedShutdown"/>).
    /// </summary>
    public static IDistributedApplicationBuilder AddCoinageRun(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var hosting = CoinageHosting.For(builder);
        if (builder.ExecutionContext.IsRunMode)
        {
            LocalRunDefaults.Apply(builder, hosting);
            builder.Services.AddSingleton(hosting);
            builder.Services.AddSingleton<RunFailure>();
            builder.Services.AddOptions<LoggerFilterOptions>().Configure<RunFailure>((options, failure) =>
                // Warning and up, as appsettings.json's "Microsoft" (a rule this specific replaces that one).
                options.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Warning && (level < LogLevel.Error || !failure.Reported)));
            builder.Services.AddEventingSubscriber<RunSummary>();
            builder.Services.AddHostedService<OrderedShutdown>();
        }
        return builder;
    }

    /// <summary>
    /// A Coinage service: its HTTP endpoint (port <c>Coinage:Ports:{name}</c>), the environment the services run in
    /// (<c>DOTNET_ENVIRONMENT</c> of the AppHost, else Development), ready when <c>/health</c> answers, metrics at <c>/metrics</c>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithCoinageServiceDefaults(this IResourceBuilder<ProjectResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var hosting = CoinageHosting.For(builder.ApplicationBuilder);
        builder.WithHttpEndpoint(port: hosting.PinnedPort(builder.Resource.Name), name: "http")
            .WithHttpHealthCheck("/health")
            .WithMetricsEndpoint();
        if (builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            builder.WithEnvironment("DOTNET_ENVIRONMENT", hosting.ServiceEnvironment);
        }
        return builder;
    }

    /// <summary>A secret parameter, generated on the first run and kept in <c>secrets.json</c> of the data directory; <c>--Parameters:{name}=…</c> fixes it.</summary>
    public static IResourceBuilder<ParameterResource> AddCoinageSecret(this IDistributedApplicationBuilder builder, string name) =>
        CoinageHosting.For(builder).AddSecret(name);

    /// <summary>References <paramref name="source"/> when the model has it (an optional resource such as Elasticsearch).</summary>
    public static IResourceBuilder<T> WithOptionalReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString>? source)
        where T : IResourceWithEnvironment =>
        source is null ? builder : builder.WithReference(source);

    /// <summary>Shows the endpoint <c>http</c> at <paramref name="path"/> as <paramref name="label"/> in the dashboard and the summary.</summary>
    public static IResourceBuilder<T> WithLink<T>(this IResourceBuilder<T> builder, string label, string path) where T : IResourceWithEndpoints =>
        builder.WithUrlForEndpoint("http", url =>
        {
            url.Url = path;
            url.DisplayText = label;
        });
}
