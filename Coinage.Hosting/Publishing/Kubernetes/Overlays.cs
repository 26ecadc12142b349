using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// An environment on top of the base: its namespace (with the "restricted" Pod Security
/// Standard enforced), its Secret from a local <c>secrets.env</c>, its host name and its scale.
/// </summary>
/// <param name="MinReplicas">Replicas of every project at least; projects that serve traffic autoscale from there.</param>
internal sealed record Overlay(string Name, string Namespace, string Domain, string AspNetCoreEnvironment, int MinReplicas, int MaxReplicas)
{
    public static IReadOnlyList<Overlay> All { get; } =
    [
        new("dev", "coinage-dev", "coinage-dev.example.com", "Staging", MinReplicas: 1, MaxReplicas: 3),
        new("prod", "coinage", Workloads.DefaultDomain, "Production", MinReplicas: 2, MaxReplicas: 10),
    ];

    public IEnumerable<(string File, string Content)> Files(KubernetesModel k8s)
    {
        yield return ("namespace.yaml", $"# {KubernetesPublisher.Header}\n" + KubernetesYaml.Serialize(NamespaceObject()).TrimEnd() + "\n");
        yield return (KubernetesPublisher.SecretsFile + ".example", SecretsExample(k8s));
        yield return ("kustomization.yaml", Kustomization(k8s).Render(
            $"The {Name} environment. {KubernetesPublisher.Header} Deploy: kubectl apply -k . (after writing {KubernetesPublisher.SecretsFile})"));
    }

    private V1Namespace NamespaceObject() => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = Namespace,
            Labels = new Dictionary<string, string>
            {
                [PodDefaults.PartOfLabel] = PodDefaults.PartOf,
                ["pod-security.kubernetes.io/enforce"] = "restricted",
                ["pod-security.kubernetes.io/enforce-version"] = "latest",
                ["pod-security.kubernetes.io/warn"] = "restricted",
            },
        },
    };

    private Kustomization Kustomization(KubernetesModel k8s)
    {
        var patches = new List<Dictionary<string, object>>();
        foreach (var project in k8s.Projects)
        {
            var replicas = Math.Max(MinReplicas, project.Replicas());
            patches.Add(k8s.ServesTraffic(project)
                ? Publishing.Kubernetes.Kustomization.Patch("HorizontalPodAutoscaler", project.Name,
                    ("replace", "/spec/minReplicas", replicas), ("replace", "/spec/maxReplicas", Math.Max(MaxReplicas, replicas)))
                : Publishing.Kubernetes.Kustomization.Patch("Deployment", project.Name, ("replace", "/spec/replicas", replicas)));
            foreach (var endpoint in project.PublishedEndpoints().Where(e => e.IsExternal && e.IsHttp()))
            {
                var host = Workloads.IngressHost(project, k8s, Domain);
                patches.Add(Publishing.Kubernetes.Kustomization.Patch("Ingress", Workloads.IngressName(project, endpoint),
                    ("replace", "/spec/rules/0/host", host), ("replace", "/spec/tls/0/hosts/0", host)));
            }
        }

        return new Kustomization()
            .Set("namespace", Namespace)
            .Set("resources", new List<string> { "namespace.yaml", "../../base" })
            .Set("secretGenerator", new List<object>
            {
                new Dictionary<string, object> { ["name"] = KubernetesModel.SecretName, ["envs"] = new List<string> { KubernetesPublisher.SecretsFile } },
            })
            .Set("configMapGenerator", k8s.Projects.Select(p => new Dictionary<string, object>
            {
                ["name"] = ContainerEnvironment.ConfigMapName(p),
                ["behavior"] = "merge",
                ["literals"] = new List<string> { $"ASPNETCORE_ENVIRONMENT={AspNetCoreEnvironment}" },
            }).ToList())
            .Set("patches", patches);
    }

    private static string SecretsExample(KubernetesModel k8s)
    {
        var lines = new List<string>
        {
            "# The Secret \"" + KubernetesModel.SecretName + "\": copy to " + KubernetesPublisher.SecretsFile + " (git-ignored), fill in, then kubectl apply -k .",
            "# Passwords: letters and digits only, e.g. `openssl rand -hex 24`.",
        };
        var roles = k8s.Model.Resources.OfType<PostgresDatabaseResource>()
            .SelectMany(d => new[] { DatabaseAccess.Owner, DatabaseAccess.App }.Select(a => (Database: d, Access: a, Role: PostgresRoles.For(d, a))))
            .ToDictionary(r => r.Role.PasswordKey);
        foreach (var key in k8s.SecretKeys())
        {
            if (roles.TryGetValue(key, out var role))
            {
                lines.Add($"# Password of the PostgreSQL role {role.Role.Name} of '{role.Database.DatabaseName}' ({(role.Access == DatabaseAccess.Owner ? "the migrator: owns the schema" : "the services: rows only")}),");
                lines.Add("# created with the database on the server's first start (docs/deploy.md: changing it later).");
            }
            if (key == LogStorage.KibanaPasswordKey)
            {
                lines.Add("# Password Kibana signs in to Elasticsearch with (the built-in user kibana_system; the Job logs-setup sets it).");
            }
            if (key == LogStorage.KibanaEncryptionKey)
            {
                lines.Add("# Kibana's key for its encrypted saved objects: at least 32 characters (openssl rand -hex 24 gives 48).");
            }
            if (k8s.Externals.FirstOrDefault(e => e.SecretKey == key) is { } external)
            {
                lines.Add($"# Connection string of the external service replacing '{external.Resource.Name}' (MailDev runs only locally),");
                lines.Add("# e.g. Endpoint=smtp://user:password@smtp.example.com:587");
            }
            lines.Add($"{key}=");
        }
        return string.Join('\n', lines) + "\n";
    }
}
