namespace Coinage.Hosting.Prometheus;

/// <summary>Prometheus scraping every project with a <see cref="MetricsEndpointAnnotation"/>, with the repository's alert rules.</summary>
public interface IPrometheusResource : IResourceWithEndpoints
{
    public const string HttpEndpointName = "http";

    /// <summary>Rule files, relative to the repository root.</summary>
    List<string> RuleFiles { get; }
}

/// <summary>The machine's prometheus program, run by DCP as an executable with a scrape configuration generated from the model.</summary>
public sealed class PrometheusProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IPrometheusResource
{
    public List<string> RuleFiles { get; } = [];
}

/// <summary>The Prometheus container image; a deployment gives it its configuration (see the publishers).</summary>
public sealed class PrometheusContainerResource(string name) : ContainerResource(name), IPrometheusResource
{
    public const string Image = "prom/prometheus";
    public const string Tag = "v3.5.0";

    public List<string> RuleFiles { get; } = [];
}
