using System.Globalization;
using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>The OpenTelemetry Collector: Deployment and Service; its configuration is a generated ConfigMap.</summary>
internal static class Telemetry
{
    public const string ConfigMapName = "otel-collector-config";
    public const string ConfigFile = "otel-collector/config.yaml";
    private const string Component = "telemetry";

    public static IEnumerable<IKubernetesObject> Collector(KubernetesModel k8s)
    {
        var name = KubernetesModel.CollectorName;
        var ports = new (string Name, int Port)[]
        {
            ("otlp-grpc", OtelCollectorConfig.GrpcPort),
            ("otlp-http", OtelCollectorConfig.HttpPort),
            ("metrics", OtelCollectorConfig.MetricsPort),
            ("health", OtelCollectorConfig.HealthPort),
        };
        var searchPassword = OtelCollectorConfig.ElasticsearchPasswordKey(k8s.Servers);

        yield return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = PodDefaults.Metadata(name, Component),
            Spec = new V1ServiceSpec
            {
                Selector = PodDefaults.Selector(name),
                Ports = [.. ports.Take(3).Select(p => new V1ServicePort { Name = p.Name, Port = p.Port, TargetPort = p.Name, Protocol = "TCP" })],
            },
        };
        yield return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = PodDefaults.Metadata(name, Component),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
                Selector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta
                    {
                        Labels = PodDefaults.Labels(name, Component),
                        Annotations = new Dictionary<string, string>
                        {
                            ["prometheus.io/scrape"] = "true",
                            ["prometheus.io/port"] = OtelCollectorConfig.MetricsPort.ToString(CultureInfo.InvariantCulture),
                            ["prometheus.io/path"] = "/metrics",
                        },
                    },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        SecurityContext = PodDefaults.PodSecurity(OtelCollectorConfig.UserId),
                        TerminationGracePeriodSeconds = 30,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = name,
                                Image = ContainerImages.OtelCollector,
                                Args = ["--config=/etc/otelcol/config.yaml"],
                                Ports = [.. ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.Port, Protocol = "TCP" })],
                                Env = searchPassword is null ? null : [ContainerEnvironment.FromSecret(searchPassword, searchPassword)],
                                Resources = PodDefaults.Resources(new ResourceSizes("100m", "128Mi", "1", "512Mi")),
                                StartupProbe = PodDefaults.HttpProbe("/", "health", periodSeconds: 2, failureThreshold: 30),
                                ReadinessProbe = PodDefaults.HttpProbe("/", "health", periodSeconds: 10, failureThreshold: 3),
                                LivenessProbe = PodDefaults.HttpProbe("/", "health", periodSeconds: 20, failureThreshold: 3),
                                SecurityContext = PodDefaults.ContainerSecurity(OtelCollectorConfig.UserId),
                                VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/otelcol", ReadOnlyProperty = true }],
                            },
                        ],
                        Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = ConfigMapName } }],
                    },
                },
            },
        };
    }
}
