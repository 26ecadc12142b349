
namespace Coinage.Hosting.ApplicationModel;

/// <summary>The Aspire-style verbs that connect resources.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Injects <c>ConnectionStrings__{name}</c> into <paramref name="builder"/>'s resource.</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source)
        where T : IResource
    {
        var target = source.Resource;
        builder.WithAnnotation(new ReferenceAnnotation(target));
        // An optional resource that is unavailable in this run (e.g. no Elasticsearch installed) gives no
        // connection string: its consumers then run as if it were not configured, rather than calling a dead port.
        return builder.WithAnnotation(new EnvironmentAnnotation(
            $"ConnectionStrings__{target.ConnectionStringName}",
            context => context.IsUnavailable(target) ? "" : target.GetConnectionString(context), IsSecret: true));
    }

    /// <summary>
    /// Service discovery: injects <c>services__{name}__{endpoint}__{i}</c> for every HTTP endpoint
    /// (and every replica) of <paramref name="source"/>, read by Microsoft.Extensions.ServiceDiscovery
    /// as <c>http://{name}</c>.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProjectResource> source)
        where T : IResource
    {
        var target = source.Resource;
        builder.WithAnnotation(new ReferenceAnnotation(target));
        foreach (var endpoint in target.Endpoints().Where(e => e.IsHttp))
        {
            var count = Math.Max(1, target.Replicas);
            for (var i = 0; i < count; i++)
            {
                var replica = i;
                builder.WithAnnotation(new EnvironmentAnnotation(
                    $"services__{target.Name}__{endpoint.Name}__{replica}",
                    ctx => replica < ctx.AddressCount(endpoint) ? ctx.Url(endpoint, replica) : string.Empty));
            }
        }
        return builder;
    }

    /// <summary>Starts this resource only once <paramref name="dependency"/> is running and healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResource =>
        builder.WithAnnotation(new WaitAnnotation(dependency.Resource));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : IResource =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, _ => value));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : IResource =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, ctx => ctx.Value(parameter.Resource), parameter.Resource.IsSecret));

    /// <summary>
    /// Injects the URL of <paramref name="project"/>'s <c>http</c> endpoint (plus <paramref name="path"/>),
    /// e.g. so the API can build links to the web front end, which references the API (a
    /// <c>WithReference</c> the other way would be a cycle).
    /// </summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ProjectResource> project, string path = "")
        where T : IResource
    {
        var endpoint = project.Resource.GetEndpoint("http");
        return builder.WithAnnotation(new EnvironmentAnnotation(name, ctx => ctx.Url(endpoint) + path));
    }

    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args)
        where T : IResource =>
        builder.WithAnnotation(new ArgsAnnotation(args));

    /// <summary>Healthy means GET <paramref name="path"/> answers 2xx.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string endpointName = "http")
        where T : IResource =>
        builder.WithAnnotation(new HttpHealthCheckAnnotation(path, endpointName));

    /// <summary>Marks every HTTP endpoint as reachable from outside (ingress, printed URLs).</summary>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : IResource
    {
        foreach (var endpoint in builder.Resource.Endpoints().Where(e => e.IsHttp))
        {
            endpoint.IsExternal = true;
        }
        return builder;
    }

    /// <summary>Pins an endpoint to a local port in run mode (tests always take free ports).</summary>
    public static IResourceBuilder<T> WithHostPort<T>(this IResourceBuilder<T> builder, int? port, string endpointName = "http")
        where T : IResource
    {
        builder.Resource.GetEndpoint(endpointName).Port = port;
        return builder;
    }

    public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (builder.ApplicationBuilder.Resources.Any(r => r.References().Contains(builder.Resource)))
        {
            throw new InvalidOperationException($"Call WithReplicas on '{builder.Resource.Name}' before other resources reference it.");
        }
        return builder.WithAnnotation(new ReplicaAnnotation(replicas));
    }

    /// <summary>Exposes Prometheus metrics at <paramref name="path"/> for the generated scrape configuration.</summary>
    public static IResourceBuilder<ProjectResource> WithMetricsEndpoint(this IResourceBuilder<ProjectResource> builder, string path = "/metrics") =>
        builder.WithAnnotation(new MetricsEndpointAnnotation(path));
}

public static class UrlBuilderExtensions
{
    /// <summary>Adds a labelled link (endpoint URL + <paramref name="path"/>) printed at start-up.</summary>
    public static IResourceBuilder<T> WithUrl<T>(this IResourceBuilder<T> builder, string label, string path = "/", string endpointName = "http")
        where T : IResource =>
        builder.WithAnnotation(new UrlAnnotation(label, path, endpointName));
}
