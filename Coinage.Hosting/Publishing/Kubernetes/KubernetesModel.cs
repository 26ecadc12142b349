using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Prometheus;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>A connection the cluster does not run: its connection string comes from the Secret (DESIGN.md §6).</summary>
/// <param name="EgressPorts">The TCP ports dependents may open to the outside world for it.</param>
internal sealed record ExternalService(IResourceWithConnectionString Resource, IReadOnlyList<int> EgressPorts)
{
    /// <summary><c>SMTP_CONNECTION_STRING</c>: the key of the Secret that holds its connection string.</summary>
    public string SecretKey => $"{Resource.Name.Replace('-', '_').ToUpperInvariant()}_CONNECTION_STRING";
}

/// <summary>
/// What the app model becomes in a cluster: every project a Deployment, every server a
/// StatefulSet, development-only servers (the SMTP sink) an external connection from the
/// Secret, plus the OpenTelemetry Collector that receives every service's telemetry.
/// </summary>
internal sealed class KubernetesModel
{
    public const string SecretName = "coinage-secrets";
    public const string CollectorName = "otel-collector";

    /// <summary>Where the Ingress controller and Prometheus run; overlays change them by patching the NetworkPolicies.</summary>
    public const string IngressNamespace = "ingress-nginx";
    public const string MonitoringNamespace = "monitoring";

    public static string OtlpEndpoint => $"http://{CollectorName}:{OtelCollectorConfig.GrpcPort}";

    public KubernetesModel(AppModel model)
    {
        Model = model;
        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource project:
                    Projects.Add(project);
                    break;
                case MailDevResource mail:
                    Externals.Add(new ExternalService(mail, [25, 465, 587]));
                    break;
                case PrometheusResource prometheus:
                    // The cluster's Prometheus scrapes the annotated pods; we ship the model's rules.
                    RuleFiles.AddRange(prometheus.RuleFiles);
                    break;
                case ParameterResource or PostgresDatabaseResource:
                    break;
                default:
                    Servers.Add(BackingService.For(resource, SecretReference)
                        ?? throw new NotSupportedException($"The Kubernetes publisher does not know how to deploy {resource}."));
                    break;
            }
        }
        if (model.Resources.Any(r => r.Name == CollectorName))
        {
            throw new InvalidOperationException($"The name '{CollectorName}' is taken by the publisher's telemetry collector.");
        }
    }

    public AppModel Model { get; }

    public List<ProjectResource> Projects { get; } = [];

    public List<BackingService> Servers { get; } = [];

    public List<ExternalService> Externals { get; } = [];

    public List<string> RuleFiles { get; } = [];

    /// <summary>Kubernetes expands <c>$(NAME)</c> from environment variables declared before the one using it.</summary>
    public static string SecretReference(string environmentName) => $"$({environmentName})";

    public BackingService? Server(IResource resource) => Servers.FirstOrDefault(s => s.Resource == resource);

    public ExternalService? External(IResource resource) => Externals.FirstOrDefault(e => e.Resource == resource);

    /// <summary>Names of all workloads that run in the cluster (Deployments, StatefulSets, backup CronJobs).</summary>
    public IEnumerable<string> Workloads =>
        Projects.Select(p => p.Name).Concat(Servers.Select(s => s.Name)).Append(CollectorName).Concat(Backups.Servers(this).Select(Backups.Name));

    /// <summary>
    /// The in-cluster workloads <paramref name="resource"/> talks to: what it references or
    /// waits for, a database standing for its server.
    /// </summary>
    public IEnumerable<IResource> Dependencies(IResource resource) =>
        resource.References().Concat(resource.WaitsFor())
            .Select(r => r.ProcessOwner())
            .Where(r => r is ProjectResource || Server(r) is not null)
            .Distinct();

    /// <summary>The external services <paramref name="resource"/> uses.</summary>
    public IEnumerable<ExternalService> ExternalDependencies(IResource resource) =>
        resource.References().Select(r => r.ProcessOwner()).Select(External).OfType<ExternalService>().Distinct();

    /// <summary>A project others call (service discovery) or users reach (external endpoint): it scales out behind its Service.</summary>
    public bool ServesTraffic(ProjectResource project) =>
        project.Endpoints().Any(e => e.IsExternal) || Model.Resources.Any(r => r != project && r.References().Contains(project));

    /// <summary>Every secret key the Secret must hold: secret parameters in use and external connection strings.</summary>
    public IReadOnlyList<string> SecretKeys()
    {
        var keys = new List<string>();
        foreach (var project in Projects)
        {
            keys.AddRange(PublishValueContext.Environment(project, Model, SecretReference, OtlpEndpoint).Secrets.Select(s => s.EnvironmentName));
            keys.AddRange(ExternalDependencies(project).Select(e => e.SecretKey));
        }
        keys.AddRange(Servers.SelectMany(s => s.Secrets.Values).Select(p => p.EnvironmentName));
        return keys.Distinct().ToList();
    }
}
