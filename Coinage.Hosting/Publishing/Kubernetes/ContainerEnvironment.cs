using Aspire.Hosting.ApplicationModel;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// The environment of a project's container, evaluated from the model (<see cref="PublishedEnvironment"/>):
/// plain values go to the project's ConfigMap, secrets come from the Secret (declared first so that later values
/// can expand them), and values that embed a secret (connection strings) stay in the pod spec as templates like
/// <c>Password=$(COINAGEDB_APP_PASSWORD)</c>, because Kubernetes expands references only there.
/// </summary>
internal sealed record ContainerEnvironment(IReadOnlyDictionary<string, string> ConfigMap, IReadOnlyList<V1EnvVar> Variables)
{
    public static string ConfigMapName(IResource resource) => $"{resource.Name}-env";

    public const string ForwardedNetworksVariable = "Coinage__ForwardedHeaders__KnownNetworks";

    /// <summary>The private networks a cluster's pods have their addresses in (RFC 1918, IPv6 unique local).</summary>
    public const string ClusterNetworks = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

    public static ContainerEnvironment For(ProjectResource project, KubernetesModel k8s, DatabaseAccess access = DatabaseAccess.App)
    {
        var values = k8s.Environment(project, access);
        var secrets = values.SelectMany(v => v.Secrets).Distinct().ToList();
        var configMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var variables = secrets.Select(key => FromSecret(key, key)).ToList();
        foreach (var value in values)
        {
            if (value.WholeSecretKey is { } key)
            {
                variables.Add(FromSecret(value.Name, key));
            }
            else if (!value.IsPlain)
            {
                // REDIS_PASSWORD=$(REDIS_PASSWORD): the declaration from the Secret above is this variable already.
                if (!(secrets.Contains(value.Name) && value.Value == KubernetesModel.SecretReference(value.Name)))
                {
                    variables.Add(new V1EnvVar { Name = value.Name, Value = value.Value });
                }
            }
            else
            {
                configMap[value.Name] = value.Value;
            }
        }
        // The real scheme (HTTPS redirects, HSTS, secure cookies) and client address (rate limits, the audit log) come
        // from X-Forwarded-* of the proxy in front: the Ingress controller for the web front end, the web front end for
        // the API. The NetworkPolicies let only those callers (and in-cluster peers) reach a pod, and they all connect
        // from the cluster's private networks, so those are trusted; an overlay narrows them to the pod CIDR (docs/deploy.md).
        configMap[ForwardedNetworksVariable] = ClusterNetworks;
        return new(configMap, variables);
    }

    /// <summary>
    /// The migrator's environment: the service's ConfigMap, with the variables that differ for the owner role
    /// (its connection string, its user name) set in the container, where they take precedence.
    /// </summary>
    public static List<V1EnvVar> MigratorVariables(ProjectResource project, KubernetesModel k8s)
    {
        var service = For(project, k8s);
        var migrator = For(project, k8s, DatabaseAccess.Owner);
        var variables = migrator.Variables.ToList();
        foreach (var (name, value) in migrator.ConfigMap)
        {
            if (!service.ConfigMap.TryGetValue(name, out var shared) || shared != value)
            {
                variables.Add(new V1EnvVar { Name = name, Value = value });
            }
        }
        return variables;
    }

    public static V1EnvVar FromSecret(string name, string key) => new()
    {
        Name = name,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = KubernetesModel.SecretName, Key = key } },
    };

    public List<V1EnvFromSource> EnvFrom(IResource resource) =>
        [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = ConfigMapName(resource) } }];
}
