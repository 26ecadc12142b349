namespace Coinage.Hosting.ApplicationModel;

/// <summary>A network endpoint a resource listens on.</summary>
/// <param name="Resource">The resource that owns the endpoint.</param>
/// <param name="Name">Endpoint name ("http", "tcp", "smtp"); part of <c>services__name__endpoint__0</c>.</param>
/// <param name="Scheme">URI scheme used to build URLs.</param>
/// <param name="TargetPort">The port the program listens on inside a container (publish).</param>
public sealed record EndpointAnnotation(IResource Resource, string Name, string Scheme, int TargetPort) : IResourceAnnotation
{
    /// <summary>A fixed local port (run mode). Null means "any free port".</summary>
    public int? Port { get; set; }

    /// <summary>Reachable from outside the platform (ingress, printed URL).</summary>
    public bool IsExternal { get; set; }

    /// <summary>Whether it is an HTTP endpoint that browsers can open.</summary>
    public bool IsHttp => Scheme is "http" or "https";
}

/// <summary>An environment variable computed from the model.</summary>
public sealed record EnvironmentAnnotation(string Name, Func<IValueContext, string> Value, bool IsSecret = false) : IResourceAnnotation;

/// <summary>This resource starts only once <paramref name="Target"/> is healthy.</summary>
public sealed record WaitAnnotation(IResource Target) : IResourceAnnotation;

/// <summary>This resource consumes <paramref name="Target"/> (connection string or service discovery).</summary>
public sealed record ReferenceAnnotation(IResource Target) : IResourceAnnotation;

/// <summary>Health is decided by an HTTP GET on this path answering 2xx.</summary>
public sealed record HttpHealthCheckAnnotation(string Path, string EndpointName = "http") : IResourceAnnotation;

/// <summary>How many copies of a project run.</summary>
public sealed record ReplicaAnnotation(int Replicas) : IResourceAnnotation;

/// <summary>Extra command-line arguments.</summary>
public sealed record ArgsAnnotation(IReadOnlyList<string> Args) : IResourceAnnotation;

/// <summary>The resource may be missing; the rest of the model runs without it.</summary>
public sealed record OptionalAnnotation(string WhenMissing) : IResourceAnnotation;

/// <summary>The HTTP path on which a project serves Prometheus metrics.</summary>
public sealed record MetricsEndpointAnnotation(string Path = "/metrics", string EndpointName = "http") : IResourceAnnotation;

/// <summary>A link printed at start-up and shown on the dashboard (e.g. the API's Scalar page).</summary>
public sealed record UrlAnnotation(string Label, string Path, string EndpointName = "http") : IResourceAnnotation;
