using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// Kibana beside the model's Elasticsearch (Deployment and a cluster-internal Service: ops reach it through
/// <c>kubectl port-forward</c> and sign in, no Ingress) and the Job that applies the log storage
/// (<see cref="LogStorage"/>): lifecycle policy, index templates, Kibana's saved objects, from a generated ConfigMap.
/// </summary>
internal static class Logging
{
    public const string Component = "logging";
    public const string SetupConfigMapName = "logs-setup";

    /// <summary>A finished Job is removed after an hour, so a later <c>kubectl apply</c> creates and runs it again.</summary>
    private const int SetupTtlSeconds = 3600;

    public static IEnumerable<IKubernetesObject> Create(BackingService search)
    {
        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = PodDefaults.Metadata(LogStorage.KibanaName, Component),
            Spec = new V1ServiceSpec
            {
                Selector = PodDefaults.Selector(LogStorage.KibanaName),
                Ports = [new V1ServicePort { Name = "http", Port = LogStorage.KibanaPort, TargetPort = "http", Protocol = "TCP" }],
            },
        };
        yield return Kibana(search);
        yield return Setup(search);
    }

    private static List<V1EnvVar> Env(IEnumerable<EnvironmentVariable> environment) =>
        [.. environment.Select(e => e.WholeSecretKey is { } key ? ContainerEnvironment.FromSecret(e.Name, key) : new V1EnvVar { Name = e.Name, Value = e.Value })];

    private static V1Deployment Kibana(BackingService search)
    {
        var name = LogStorage.KibanaName;
        string[] scratch = ["/usr/share/kibana/data", "/tmp"];
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = PodDefaults.Metadata(name, Component),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                // Kibana migrates its saved objects when its version changes, and two versions must not run side by side.
                Strategy = new V1DeploymentStrategy { Type = "Recreate" },
                Selector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = PodDefaults.Labels(name, Component) },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodDefaults.PodSecurity(LogStorage.KibanaUserId),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = name,
                                Image = ContainerImages.Kibana(search.Image),
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = LogStorage.KibanaPort, Protocol = "TCP" }],
                                Env = Env(LogStorage.KibanaEnvironment(search)),
                                Resources = PodDefaults.Resources(LogStorage.KibanaSizes),
                                StartupProbe = PodDefaults.TcpProbe("http", periodSeconds: 5, failureThreshold: 60),
                                ReadinessProbe = PodDefaults.HttpProbe(LogStorage.KibanaReadyPath, "http", periodSeconds: 10, failureThreshold: 3),
                                LivenessProbe = PodDefaults.TcpProbe("http", periodSeconds: 20, failureThreshold: 6),
                                SecurityContext = PodDefaults.ContainerSecurity(LogStorage.KibanaUserId),
                                VolumeMounts = [.. scratch.Select(p => new V1VolumeMount { Name = PodDefaults.VolumeName(p), MountPath = p })],
                            },
                        ],
                        Volumes = [.. scratch.Select(p => new V1Volume { Name = PodDefaults.VolumeName(p), EmptyDir = new V1EmptyDirVolumeSource() })],
                    },
                },
            },
        };
    }

    private static V1Job Setup(BackingService search)
    {
        var name = LogStorage.SetupName;
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = PodDefaults.Metadata(name, Component),
            Spec = new V1JobSpec
            {
                BackoffLimit = 10,
                ActiveDeadlineSeconds = 3600,
                TtlSecondsAfterFinished = SetupTtlSeconds,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = PodDefaults.Labels(name, Component) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "OnFailure",
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodDefaults.PodSecurity(LogStorage.SetupUserId),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = name,
                                Image = ContainerImages.Curl,
                                Command = ["sh", $"{LogStorage.SetupDirectory}/setup.sh"],
                                Env = Env(LogStorage.SetupEnvironment(search)),
                                Resources = PodDefaults.Resources(PodDefaults.Helper),
                                SecurityContext = PodDefaults.ContainerSecurity(LogStorage.SetupUserId),
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "setup", MountPath = LogStorage.SetupDirectory, ReadOnlyProperty = true },
                                    new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                                ],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = "setup", ConfigMap = new V1ConfigMapVolumeSource { Name = SetupConfigMapName } },
                            new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
                        ],
                    },
                },
            },
        };
    }
}
