using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>The objects of one workload: a project's Deployment and friends, or a server's StatefulSet.</summary>
internal static class Workloads
{
    /// <summary>Liveness of every project (Coinage.ServiceDefaults: checks tagged "live" only, so a dependency outage never restarts pods).</summary>
    public const string AlivePath = "/alive";

    /// <summary>Readiness when the model names no health check (Coinage.ServiceDefaults: every check).</summary>
    public const string HealthPath = "/health";

    public const string DefaultDomain = "coinage.example.com";

    private static readonly ResourceSizes ProjectSizes = new("100m", "256Mi", "1", "512Mi");

    /// <summary>Kestrel's own shutdown waits up to 30 s for requests in flight; the rest covers the pre-stop pause.</summary>
    private const int TerminationGraceSeconds = 45;

    public static IEnumerable<IKubernetesObject> Project(ProjectResource project, KubernetesModel k8s)
    {
        yield return Deployment(project, k8s);
        yield return Service(project.Name, "project", project.PublishedEndpoints(), headless: false);
        if (k8s.ServesTraffic(project))
        {
            yield return Autoscaler(project, minReplicas: project.Replicas(), maxReplicas: Math.Max(3, project.Replicas()));
        }
        yield return new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = PodDefaults.Metadata(project.Name, "project"),
            // One pod at a time: a drain keeps capacity once there are two, and never blocks with one.
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(project.Name) } },
        };
        foreach (var endpoint in project.PublishedEndpoints().Where(e => e.IsExternal && e.IsHttp()))
        {
            yield return Ingress(project, endpoint, IngressHost(project, k8s, DefaultDomain));
        }
    }

    /// <summary>The web address of an externally reachable project: the domain itself when there is one such project.</summary>
    public static string IngressHost(ProjectResource project, KubernetesModel k8s, string domain) =>
        k8s.Projects.Count(p => p.PublishedEndpoints().Any(e => e.IsExternal)) == 1 ? domain : $"{project.Name}.{domain}";

    public static string IngressName(ProjectResource project, EndpointAnnotation endpoint) =>
        endpoint.Name == "http" ? project.Name : $"{project.Name}-{endpoint.Name}";

    private static V1Deployment Deployment(ProjectResource project, KubernetesModel k8s)
    {
        var environment = ContainerEnvironment.For(project, k8s);
        var http = project.PublishedEndpoint("http");
        var readinessPath = project.HttpHealthCheck()?.Path ?? HealthPath;
        var image = ContainerImages.Repository(project);
        var initContainers = WaitForDependencies(project, k8s).ToList();
        if (project.Annotations.OfType<MigrationsAnnotation>().LastOrDefault() is { } migrations)
        {
            initContainers.Add(new V1Container
            {
                Name = "migrations",
                Image = image,
                Args = [.. migrations.Args],
                // The same ConfigMap as the service, but the database's owner role instead of its app role.
                EnvFrom = environment.EnvFrom(project),
                Env = ContainerEnvironment.MigratorVariables(project, k8s),
                Resources = PodDefaults.Resources(ProjectSizes),
                SecurityContext = PodDefaults.ContainerSecurity(ContainerImages.ProjectUserId),
                VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
            });
        }

        var container = new V1Container
        {
            Name = project.Name,
            Image = image,
            Ports = [.. project.PublishedEndpoints().Select(e => new V1ContainerPort { Name = e.Name, ContainerPort = e.ContainerPort(), Protocol = "TCP" })],
            EnvFrom = environment.EnvFrom(project),
            Env = [.. environment.Variables],
            Resources = PodDefaults.Resources(ProjectSizes),
            StartupProbe = PodDefaults.HttpProbe(AlivePath, http.Name, periodSeconds: 2, failureThreshold: 60),
            ReadinessProbe = PodDefaults.HttpProbe(readinessPath, http.Name, periodSeconds: 5, failureThreshold: 3),
            LivenessProbe = PodDefaults.HttpProbe(AlivePath, http.Name, periodSeconds: 10, failureThreshold: 3),
            // Endpoints are removed asynchronously on deletion: keep serving a few seconds so
            // requests routed in that window are not refused, then SIGTERM drains Kestrel.
            Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } },
            SecurityContext = PodDefaults.ContainerSecurity(ContainerImages.ProjectUserId),
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };

        var annotations = new Dictionary<string, string>();
        if (project.Annotations.OfType<MetricsEndpointAnnotation>().LastOrDefault() is { } metrics)
        {
            annotations["prometheus.io/scrape"] = "true";
            annotations["prometheus.io/port"] = project.PublishedEndpoint(metrics.EndpointName).ContainerPort().ToString(CultureInfo.InvariantCulture);
            annotations["prometheus.io/path"] = metrics.Path;
        }

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = PodDefaults.Metadata(project.Name, "project"),
            Spec = new V1DeploymentSpec
            {
                // Left to the HorizontalPodAutoscaler where there is one: a replica count here
                // would reset the scaled-out pods on every `kubectl apply`.
                Replicas = k8s.ServesTraffic(project) ? null : project.Replicas(),
                RevisionHistoryLimit = 10,
                // A new pod must be ready before an old one goes: capacity never drops during a rollout.
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                },
                MinReadySeconds = 5,
                Selector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(project.Name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = PodDefaults.Labels(project.Name, "project"), Annotations = annotations },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodDefaults.PodSecurity(ContainerImages.ProjectUserId),
                        TerminationGracePeriodSeconds = TerminationGraceSeconds,
                        TopologySpreadConstraints =
                        [
                            new V1TopologySpreadConstraint
                            {
                                MaxSkew = 1,
                                TopologyKey = "kubernetes.io/hostname",
                                WhenUnsatisfiable = "ScheduleAnyway",
                                LabelSelector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(project.Name) },
                            },
                        ],
                        InitContainers = initContainers.Count > 0 ? initContainers : null,
                        Containers = [container],
                        // .NET writes diagnostics sockets and temporary files here.
                        Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("256Mi") } }],
                    },
                },
            },
        };
    }

    /// <summary>
    /// WaitFor in a cluster: an init container per in-cluster dependency that blocks until it
    /// answers (its health check for a project, its port for a server).
    /// </summary>
    private static IEnumerable<V1Container> WaitForDependencies(IResource resource, KubernetesModel k8s)
    {
        foreach (var target in resource.WaitsFor().Select(t => t.ProcessOwner()).Distinct())
        {
            if (target is ProjectResource project)
            {
                var health = project.HttpHealthCheck();
                var endpoint = project.PublishedEndpoint(health?.EndpointName ?? "http");
                var url = $"http://{project.Name}:{endpoint.ContainerPort()}{health?.Path ?? HealthPath}";
                yield return PodDefaults.HelperContainer($"wait-for-{project.Name}",
                    $"until wget -q -T 2 -O /dev/null {url}; do echo waiting for {project.Name}; sleep 2; done");
            }
            else if (k8s.Server(target) is { } server)
            {
                var port = server.Endpoints[0].ContainerPort();
                yield return PodDefaults.HelperContainer($"wait-for-{server.Name}",
                    $"until nc -z -w 2 {server.Name} {port}; do echo waiting for {server.Name}; sleep 2; done");
            }
        }
    }

    public static V2HorizontalPodAutoscaler Autoscaler(ProjectResource project, int minReplicas, int maxReplicas) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = PodDefaults.Metadata(project.Name, "project"),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = project.Name },
            MinReplicas = minReplicas,
            MaxReplicas = maxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 } },
                },
            ],
        },
    };

    private static V1Ingress Ingress(ProjectResource project, EndpointAnnotation endpoint, string host) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = PodDefaults.Metadata(IngressName(project, endpoint), "project", new Dictionary<string, string>
        {
            // cert-manager issues the certificate named in spec.tls (docs/deploy.md).
            ["cert-manager.io/cluster-issuer"] = "letsencrypt",
            ["nginx.ingress.kubernetes.io/ssl-redirect"] = "true",
        }),
        Spec = new V1IngressSpec
        {
            IngressClassName = "nginx",
            Tls = [new V1IngressTLS { Hosts = [host], SecretName = $"{IngressName(project, endpoint)}-tls" }],
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = project.Name, Port = new V1ServiceBackendPort { Number = endpoint.ContainerPort() } } },
                            },
                        ],
                    },
                },
            ],
        },
    };

    /// <summary>
    /// A Service on the endpoints' container ports, so that <c>name:port</c> means the same in
    /// a connection string as in <c>services__…</c>. Headless for a StatefulSet: the name
    /// resolves to its pod.
    /// </summary>
    public static V1Service Service(string name, string component, IEnumerable<EndpointAnnotation> endpoints, bool headless) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = PodDefaults.Metadata(name, component),
        Spec = new V1ServiceSpec
        {
            ClusterIP = headless ? "None" : null,
            Selector = PodDefaults.Selector(name),
            Ports = [.. endpoints.Select(e => new V1ServicePort { Name = e.Name, Port = e.ContainerPort(), TargetPort = e.Name, Protocol = "TCP" })],
        },
    };

    public static IEnumerable<IKubernetesObject> Server(BackingService server)
    {
        yield return Service(server.Name, server.Component, server.Endpoints, headless: true);
        yield return StatefulSet(server);
    }

    public static string InitConfigMapName(BackingService server) => $"{server.Name}-init";

    private static V1StatefulSet StatefulSet(BackingService server)
    {
        var component = server.Component;
        var env = server.Environment
            .Select(e => e.WholeSecretKey is { } key ? ContainerEnvironment.FromSecret(e.Name, key) : new V1EnvVar { Name = e.Name, Value = e.Value })
            .OrderBy(e => e.ValueFrom is null) // secrets first: the command line may expand them
            .ToList();
        var mounts = new List<V1VolumeMount>();
        var volumes = new List<V1Volume>();
        foreach (var path in server.ScratchPaths.Concat(server.SeededPaths))
        {
            mounts.Add(new V1VolumeMount { Name = PodDefaults.VolumeName(path), MountPath = path });
            volumes.Add(new V1Volume { Name = PodDefaults.VolumeName(path), EmptyDir = new V1EmptyDirVolumeSource() });
        }
        if (server.DataPath is not null)
        {
            mounts.Add(new V1VolumeMount { Name = "data", MountPath = server.DataPath });
        }
        if (server.InitDirectory is not null)
        {
            mounts.Add(new V1VolumeMount { Name = "init", MountPath = server.InitDirectory, ReadOnlyProperty = true });
            volumes.Add(new V1Volume { Name = "init", ConfigMap = new V1ConfigMapVolumeSource { Name = InitConfigMapName(server) } });
        }
        var firstPort = server.Endpoints.First().Name;

        var initContainers = new List<V1Container>();
        if (server.SeededPaths.Count > 0)
        {
            // The image's own files, copied into the writable emptyDirs before the server starts.
            initContainers.Add(new V1Container
            {
                Name = "seed",
                Image = server.Image,
                Command = ["sh", "-c", string.Join(" && ", server.SeededPaths.Select(p => $"cp -a {p}/. /seed{p}/"))],
                Resources = PodDefaults.Resources(PodDefaults.Helper with { MemoryLimit = "128Mi" }),
                SecurityContext = PodDefaults.ContainerSecurity(server.UserId),
                VolumeMounts = [.. server.SeededPaths.Select(p => new V1VolumeMount { Name = PodDefaults.VolumeName(p), MountPath = $"/seed{p}" })],
            });
        }

        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = PodDefaults.Metadata(server.Name, component),
            Spec = new V1StatefulSetSpec
            {
                // Single node: the model runs one server; high availability is an operator's (docs/deploy.md).
                Replicas = 1,
                ServiceName = server.Name,
                Selector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(server.Name) },
                UpdateStrategy = new V1StatefulSetUpdateStrategy { Type = "RollingUpdate" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = PodDefaults.Labels(server.Name, component) },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodDefaults.PodSecurity(server.UserId),
                        TerminationGracePeriodSeconds = 60,
                        InitContainers = initContainers.Count > 0 ? initContainers : null,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = server.Name,
                                Image = server.Image,
                                Args = server.Arguments.Count > 0 ? [.. server.Arguments] : null,
                                Ports = [.. server.Endpoints.Select(e => new V1ContainerPort { Name = e.Name, ContainerPort = e.ContainerPort(), Protocol = "TCP" })],
                                Env = env,
                                Resources = PodDefaults.Resources(server.Sizes),
                                StartupProbe = PodDefaults.TcpProbe(firstPort, periodSeconds: 5, failureThreshold: 60),
                                ReadinessProbe = PodDefaults.ShellProbe(server.ReadyCommand, periodSeconds: 10, failureThreshold: 3),
                                LivenessProbe = PodDefaults.TcpProbe(firstPort, periodSeconds: 20, failureThreshold: 6),
                                SecurityContext = PodDefaults.ContainerSecurity(server.UserId),
                                VolumeMounts = mounts,
                            },
                        ],
                        Volumes = volumes.Count > 0 ? volumes : null,
                    },
                },
                VolumeClaimTemplates = server.DataPath is null || server.Sizes.Storage is null
                    ? null
                    :
                    [
                        new V1PersistentVolumeClaim
                        {
                            ApiVersion = "v1",
                            Kind = "PersistentVolumeClaim",
                            Metadata = new V1ObjectMeta { Name = "data", Labels = PodDefaults.Labels(server.Name, component) },
                            Spec = new V1PersistentVolumeClaimSpec
                            {
                                AccessModes = ["ReadWriteOnce"],
                                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(server.Sizes.Storage) } },
                            },
                        },
                    ],
            },
        };
    }
}
