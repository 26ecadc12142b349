using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting;

/// <summary>The HTTP path on which a project serves Prometheus metrics: scraped by the local Prometheus, annotated for scraping in published manifests.</summary>
public sealed record MetricsEndpointAnnotation(string Path = "/metrics", string EndpointName = "http") : IResourceAnnotation;

/// <summary>
/// The project migrates the schema when started with <see cref="Args"/> and then exits. Published artifacts run that
/// step before a new version takes traffic (an init container in Kubernetes, a one-shot service in Compose); a local
/// run ignores it: the project migrates at start-up.
/// </summary>
public sealed record MigrationsAnnotation(IReadOnlyList<string> Args) : IResourceAnnotation;

public static class CoinageAnnotationExtensions
{
    /// <summary>Exposes Prometheus metrics at <paramref name="path"/> for the scrape configuration.</summary>
    public static IResourceBuilder<ProjectResource> WithMetricsEndpoint(this IResourceBuilder<ProjectResource> builder, string path = "/metrics") =>
        builder.WithAnnotation(new MetricsEndpointAnnotation(path));

    /// <summary>Runs the project with <paramref name="args"/> (for example "migrate") before it takes traffic in a deployment.</summary>
    public static IResourceBuilder<ProjectResource> WithMigrations(this IResourceBuilder<ProjectResource> builder, params string[] args)
    {
        ArgumentOutOfRangeException.ThrowIfZero(args.Length);
        return builder.WithAnnotation(new MigrationsAnnotation(args));
    }
}
