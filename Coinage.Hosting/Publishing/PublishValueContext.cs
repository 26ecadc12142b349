using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// Values as a deployed resource sees them: other resources by their service name and container
/// port, and secrets as references that the platform resolves when the container starts
/// (<c>$(POSTGRES_PASSWORD)</c> for Kubernetes, <c>${POSTGRES_PASSWORD}</c> for Compose), so a
/// manifest never holds a secret value. One instance per resource: it records the secrets that
/// resource's environment refers to.
/// </summary>
public sealed class PublishValueContext(Func<string, string> secretReference, string? otlpEndpoint) : IValueContext
{
    private readonly List<ParameterResource> _secrets = [];

    /// <summary>The secret parameters referred to so far, in first-use order.</summary>
    public IReadOnlyList<ParameterResource> SecretsUsed => _secrets;

    public bool IsPublishing => true;

    public string? OtlpEndpoint { get; } = otlpEndpoint;

    public string Host(EndpointAnnotation endpoint) => endpoint.Resource.Name;

    public int Port(EndpointAnnotation endpoint, int replica = 0) => endpoint.TargetPort;

    /// <summary>A published service is one address (its Service or Compose service name) whatever its replica count.</summary>
    public int AddressCount(EndpointAnnotation endpoint) => 1;

    public string Value(ParameterResource parameter)
    {
        if (!parameter.IsSecret)
        {
            return parameter.Value;
        }
        if (!_secrets.Contains(parameter))
        {
            _secrets.Add(parameter);
        }
        return secretReference(parameter.EnvironmentName);
    }

    /// <summary>The environment of <paramref name="resource"/> as published, with the secrets it refers to.</summary>
    public static (IReadOnlyList<EnvironmentValue> Values, IReadOnlyList<ParameterResource> Secrets) Environment(
        IResource resource, AppModel model, Func<string, string> secretReference, string? otlpEndpoint)
    {
        var context = new PublishValueContext(secretReference, otlpEndpoint);
        var values = ResourceEnvironment.Build(resource, context, model.Context);
        return (values, context.SecretsUsed);
    }
}
