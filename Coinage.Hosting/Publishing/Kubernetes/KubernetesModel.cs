using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>A connection the cluster does not run: its connection string comes from the Secret (DESIGN.md §6).</summary>
/// <param name="EgressPorts">The TCP ports dependents may open to the outside world for it.</param>
internal sealed record ExternalService(IResource Resource, IReadOnlyList<int> EgressPorts)
{
    /// <summary><c>SMTP_CONNECTION_STRING</c>: the key of the Secret that holds its connection string.</summary>
    public string SecretKey => PublishTarget.ExternalSecretKey(Resource);
}

/// <summary>
/// What the Aspire model becomes in a cluster: every project a Deployment, every server a StatefulSet,
/// development-only servers (the SMTP sink) an external connection from the Secret, the model's Prometheus
/// left to the cluster's own (which gets the model's alert rules), plus the OpenTelemetry Collector that
/// receives every service's telemetry. Environments are evaluated once, here, from the model in publish mode.
/// </summary>
internal sealed class KubernetesModel
{
    public const string SecretName = "coinage-secrets";
    public const string CollectorName = "otel-collector";

    /// <summary>Where the Ingress controller and Prometheus run; overlays change them by patching the NetworkPolicies.</summary>
    public const string IngressNamespace = "ingress-nginx";
    public const string MonitoringNamespace = "monitoring";

    public static string OtlpEndpoint => $"http://{CollectorName}:{OtelCollectorConfig.GrpcPort}";

    /// <summary>Kubernetes expands <c>$(NAME)</c> from environment variables declared before the one using it.</summary>
    public static string SecretReference(string key) => $"$({key})";

    private readonly Dictionary<(IResource, DatabaseAccess), IReadOnlyList<EnvironmentVariable>> _environments = [];
    private readonly Dictionary<IResource, IReadOnlyList<IResource>> _references = [];

    private KubernetesModel(DistributedApplicationModel model)
    {
        Model = model;
    }

    public static async Task<KubernetesModel> CreateAsync(DistributedApplicationModel model, DistributedApplicationExecutionContext execution, string solutionDirectory, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { CollectorName, LogStorage.KibanaName, LogStorage.SetupName })
        {
            if (model.Resources.Any(r => r.Name == name))
            {
                throw new InvalidOperationException($"The name '{name}' is taken by the publisher's telemetry and log storage.");
            }
        }
        var k8s = new KubernetesModel(model);
        var target = new PublishTarget(model, execution, solutionDirectory, SecretReference, k8s.IsExternal, OtlpEndpoint);
        foreach (var resource in model.Resources)
        {
            k8s._references[resource] = await PublishedEnvironment.ReferencesAsync(resource, execution, cancellationToken).ConfigureAwait(false);
            switch (resource)
            {
                case ProjectResource project:
                    k8s.Projects.Add(project);
                    k8s._environments[(project, DatabaseAccess.App)] = await PublishedEnvironment.BuildAsync(project, target, DatabaseAccess.App, cancellationToken).ConfigureAwait(false);
                    if (project.Annotations.OfType<MigrationsAnnotation>().Any())
                    {
                        k8s._environments[(project, DatabaseAccess.Owner)] = await PublishedEnvironment.BuildAsync(project, target, DatabaseAccess.Owner, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case var mail when PublishedResources.IsMailDev(mail):
                    k8s.Externals.Add(new ExternalService(mail, [25, 465, 587]));
                    break;
                case var prometheus when PublishedResources.IsPrometheus(prometheus):
                    // The cluster's Prometheus scrapes the annotated pods; we ship the model's rules.
                    k8s.RuleFiles.AddRange(PublishedResources.RuleFiles(prometheus, solutionDirectory));
                    break;
                case var other when PublishedResources.IsDeclarationOnly(other):
                    break;
                default:
                    k8s.Servers.Add(await BackingService.ForAsync(resource, target, cancellationToken).ConfigureAwait(false)
                        ?? throw new NotSupportedException($"The Kubernetes publisher does not know how to deploy '{resource.Name}' ({resource.GetType().Name})."));
                    break;
            }
        }
        return k8s;
    }

    public DistributedApplicationModel Model { get; }

    public List<ProjectResource> Projects { get; } = [];

    public List<BackingService> Servers { get; } = [];

    public List<ExternalService> Externals { get; } = [];

    /// <summary>Alert rule files of the model's Prometheus, as absolute paths.</summary>
    public List<string> RuleFiles { get; } = [];

    private bool IsExternal(IResource resource) => PublishedResources.IsMailDev(resource);

    /// <summary>The environment of a project's container: as a service (app role) or as its migrator (owner role).</summary>
    public IReadOnlyList<EnvironmentVariable> Environment(ProjectResource project, DatabaseAccess access) => _environments[(project, access)];

    public BackingService? Server(IResource resource) => Servers.FirstOrDefault(s => s.Resource == resource);

    public ExternalService? External(IResource resource) => Externals.FirstOrDefault(e => e.Resource == resource);

    /// <summary>The Elasticsearch server that keeps the logs (with Kibana and the setup Job beside it), if the model has one.</summary>
    public BackingService? LogStore => OtelCollectorConfig.Elasticsearch(Servers);

    /// <summary>Names of all workloads that run in the cluster (Deployments, StatefulSets, backup CronJobs, the log storage's Kibana and Job).</summary>
    public IEnumerable<string> Workloads =>
        Projects.Select(p => p.Name).Concat(Servers.Select(s => s.Name)).Append(CollectorName).Concat(Backups.Servers(this).Select(Backups.Name))
            .Concat(LogStore is null ? [] : [LogStorage.KibanaName, LogStorage.SetupName]);

    /// <summary>What <paramref name="resource"/> calls (<see cref="PublishedEnvironment.ReferencesAsync"/>).</summary>
    public IReadOnlyList<IResource> References(IResource resource) => _references.GetValueOrDefault(resource, []);

    /// <summary>
    /// The in-cluster workloads <paramref name="resource"/> talks to: what it references or
    /// waits for, a database standing for its server.
    /// </summary>
    public IEnumerable<IResource> Dependencies(IResource resource) =>
        References(resource).Concat(resource.WaitsFor())
            .Select(r => r.ProcessOwner())
            .Where(r => r is ProjectResource || Server(r) is not null)
            .Distinct();

    /// <summary>The external services <paramref name="resource"/> uses.</summary>
    public IEnumerable<ExternalService> ExternalDependencies(IResource resource) =>
        References(resource).Select(r => r.ProcessOwner()).Select(External).OfType<ExternalService>().Distinct();

    /// <summary>A project others call (service discovery) or users reach (external endpoint): it scales out behind its Service.</summary>
    public bool ServesTraffic(ProjectResource project) =>
        project.PublishedEndpoints().Any(e => e.IsExternal) || Model.Resources.Any(r => r != project && References(r).Contains(project));

    /// <summary>Every key the Secret must hold: the servers' passwords first, then what only the projects use (their secrets, external connection strings).</summary>
    public IReadOnlyList<string> SecretKeys()
    {
        var keys = Servers.SelectMany(s => s.SecretKeys).ToList();
        if (LogStore is not null)
        {
            keys.AddRange(LogStorage.SecretKeys);
        }
        foreach (var project in Projects)
        {
            foreach (var access in new[] { DatabaseAccess.App, DatabaseAccess.Owner }.Where(a => _environments.ContainsKey((project, a))))
            {
                keys.AddRange(Environment(project, access).SelectMany(v => v.WholeSecretKey is { } key ? [key] : v.Secrets));
            }
        }
        return keys.Distinct().ToList();
    }
}
