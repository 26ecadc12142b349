using Coinage.Hosting.ApplicationModel;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// The environment of a project's container, computed by <see cref="ResourceEnvironment"/>
/// exactly as for a local run: plain values go to the project's ConfigMap, secrets come from
/// the Secret (declared first so that later values can expand them), and values that embed a
/// secret (connection strings) stay in the pod spec as templates like
/// <c>Password=$(POSTGRES_PASSWORD)</c>, because Kubernetes expands references only there.
/// </summary>
internal sealed record ContainerEnvironment(IReadOnlyDictionary<string, string> ConfigMap, IReadOnlyList<V1EnvVar> Variables)
{
    public static string ConfigMapName(IResource resource) => $"{resource.Name}-env";

    public static ContainerEnvironment For(IResource resource, KubernetesModel k8s)
    {
        var (values, secrets) = PublishValueContext.Environment(resource, k8s.Model, KubernetesModel.SecretReference, KubernetesModel.OtlpEndpoint);
        var externals = k8s.ExternalDependencies(resource).ToDictionary(e => $"ConnectionStrings__{e.Resource.ConnectionStringName}", e => e.SecretKey);

        var configMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var variables = secrets.Select(s => FromSecret(s.EnvironmentName, s.EnvironmentName)).ToList();
        foreach (var value in values)
        {
            if (externals.TryGetValue(value.Name, out var key))
            {
                variables.Add(FromSecret(value.Name, key));
            }
            else if (value.IsSecret || secrets.Any(s => value.Value.Contains(KubernetesModel.SecretReference(s.EnvironmentName), StringComparison.Ordinal)))
            {
                variables.Add(new V1EnvVar { Name = value.Name, Value = value.Value });
            }
            else
            {
                configMap[value.Name] = value.Value;
            }
        }
        if (resource.Endpoints().Any(e => e.IsExternal))
        {
            // Behind the Ingress controller: the real scheme (HTTPS redirects, HSTS, secure
            // cookies) and client address (rate limits) come from X-Forwarded-*. Only the
            // controller can reach these pods (NetworkPolicy), so the headers are trusted.
            configMap["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        }
        return new(configMap, variables);
    }

    public static V1EnvVar FromSecret(string name, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = KubernetesModel.SecretName, Key = key } },
    };

    public List<V1EnvFromSource> EnvFrom(IResource resource) =>
        [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = ConfigMapName(resource) } }];
}
