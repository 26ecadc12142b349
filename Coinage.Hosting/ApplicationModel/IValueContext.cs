namespace Coinage.Hosting.ApplicationModel;

/// <summary>
/// Resolves the parts of a value that depend on where the model runs. A local run answers with
/// 127.0.0.1, allocated ports and real secret values; a publisher answers with service names,
/// container ports and references to secrets (for example <c>$(POSTGRES_PASSWORD)</c>).
/// </summary>
public interface IValueContext
{
    /// <summary>Host name under which <paramref name="endpoint"/> is reached by other resources.</summary>
    string Host(EndpointAnnotation endpoint);

    /// <summary>Port under which <paramref name="endpoint"/> is reached, for the given replica.</summary>
    int Port(EndpointAnnotation endpoint, int replica = 0);

    /// <summary>The value of a parameter, or a reference to it for secrets in manifests.</summary>
    string Value(ParameterResource parameter);

    /// <summary>How many addresses a project endpoint has (replicas locally, one Service when published).</summary>
    int AddressCount(EndpointAnnotation endpoint);

    /// <summary>True for manifests (containers listen on HTTP_PORTS), false for a local run (ASPNETCORE_URLS).</summary>
    bool IsPublishing { get; }

    /// <summary>Where services send OTLP telemetry, if anywhere.</summary>
    string? OtlpEndpoint { get; }

    /// <summary>True when an optional resource could not be started in this run (never when publishing).</summary>
    bool IsUnavailable(IResource resource) => false;
}

public static class ValueContextExtensions
{
    public static string Url(this IValueContext context, EndpointAnnotation endpoint, int replica = 0) =>
        $"{endpoint.Scheme}://{context.Host(endpoint)}:{context.Port(endpoint, replica)}";

    public static string HostAndPort(this IValueContext context, EndpointAnnotation endpoint) =>
        $"{context.Host(endpoint)}:{context.Port(endpoint)}";
}
