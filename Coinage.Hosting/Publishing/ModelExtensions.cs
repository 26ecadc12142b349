using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>What the publishers read from a resource of the Aspire model.</summary>
internal static partial class ModelExtensions
{
    /// <summary>The port an ASP.NET Core container listens on when the model names none (the images' default, HTTP_PORTS).</summary>
    public const int DefaultProjectPort = 8080;

    /// <summary>
    /// The endpoints a container serves. A project's HTTPS endpoint is left out: TLS ends at the Ingress (or the
    /// machine's proxy) and the container speaks plain HTTP on <c>HTTP_PORTS</c>.
    /// </summary>
    public static IReadOnlyList<EndpointAnnotation> PublishedEndpoints(this IResource resource) =>
        [.. resource.Annotations.OfType<EndpointAnnotation>().Where(e => resource is not ProjectResource || e.UriScheme != "https")];

    public static EndpointAnnotation PublishedEndpoint(this IResource resource, string name) =>
        resource.PublishedEndpoints().FirstOrDefault(e => e.Name == name)
        ?? throw new InvalidOperationException($"The resource '{resource.Name}' has no endpoint named '{name}' to publish.");

    /// <summary>
    /// The port inside the container: the model's target port. Aspire's container resources always name one; a
    /// project's endpoint without one is served on the ASP.NET Core images' default, which HTTP_PORTS then says.
    /// </summary>
    public static int ContainerPort(this EndpointAnnotation endpoint) => endpoint.TargetPort ?? DefaultProjectPort;

    public static bool IsHttp(this EndpointAnnotation endpoint) => endpoint.UriScheme is "http" or "https";

    /// <summary>Resources this one waits for before it starts (<c>WaitFor</c>).</summary>
    public static IEnumerable<IResource> WaitsFor(this IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(a => a.Resource).Distinct();

    /// <summary>The resource that runs as a workload: the server for a database, else itself.</summary>
    public static IResource ProcessOwner(this IResource resource) =>
        resource is IResourceWithParent child ? child.Parent.ProcessOwner() : resource;

    public static int Replicas(this IResource resource) =>
        resource.Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    /// <summary>
    /// The readiness check of a project: a readiness probe of the model if it has one, else the path of its
    /// <c>WithHttpHealthCheck</c>, which Aspire keeps only in the check's key (<c>{resource}_{endpoint}_{path}_{status}_check</c>).
    /// </summary>
    public static (string Path, string EndpointName)? HttpHealthCheck(this IResource resource)
    {
#pragma warning disable ASPIREPROBES001 // Probes are experimental; a model that has them means them for deployments.
        if (resource.Annotations.OfType<EndpointProbeAnnotation>().LastOrDefault(p => p.Type == ProbeType.Readiness) is { } probe)
        {
            return (probe.Path, probe.EndpointReference.EndpointName);
        }
#pragma warning restore ASPIREPROBES001
        foreach (var check in resource.Annotations.OfType<HealthCheckAnnotation>().Reverse())
        {
            var prefix = resource.Name + "_";
            if (!check.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var match = HealthCheckKey().Match(check.Key[prefix.Length..]);
            if (match.Success && resource.PublishedEndpoints().Any(e => e.Name == match.Groups["endpoint"].Value))
            {
                return (match.Groups["path"].Value, match.Groups["endpoint"].Value);
            }
        }
        return null;
    }

    /// <summary>The image of a container resource as the model names it: registry/image:tag (or @sha256).</summary>
    public static string Image(this IResource resource)
    {
        var image = resource.Annotations.OfType<ContainerImageAnnotation>().LastOrDefault()
            ?? throw new InvalidOperationException($"The resource '{resource.Name}' has no container image to publish.");
        var name = image.Registry is { Length: > 0 } registry ? $"{registry}/{image.Image}" : image.Image;
        return image.SHA256 is { Length: > 0 } sha ? $"{name}@sha256:{sha}" : $"{name}:{image.Tag ?? "latest"}";
    }

    /// <summary>How a parameter is named in a secrets file: <c>postgres-password</c> is <c>POSTGRES_PASSWORD</c>.</summary>
    public static string EnvironmentName(this ParameterResource parameter) => EnvironmentName(parameter.Name);

    public static string EnvironmentName(string name) => NotAlphanumeric().Replace(name, "_").ToUpperInvariant();

    [GeneratedRegex(@"^(?<endpoint>[^_]+)_(?<path>/.*)_(?<status>\d{3})_check$")]
    private static partial Regex HealthCheckKey();

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex NotAlphanumeric();
}
