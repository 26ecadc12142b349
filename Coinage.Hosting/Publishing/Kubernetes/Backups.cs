using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// A nightly <c>pg_dump</c> of every database of each PostgreSQL server in the model, kept for a
/// week on a volume of its own (docs/deploy.md says how to restore and copy them off the cluster).
/// </summary>
internal static class Backups
{
    public const string Schedule = "30 2 * * *";
    public const int KeepDays = 7;

    public static string Name(BackingService server) => $"{server.Name}-backup";

    public static IEnumerable<BackingService> Servers(KubernetesModel k8s) =>
        k8s.Servers.Where(s => s.Resource is PostgresServerResource);

    /// <summary>
    /// The dump runs as the superuser: it must read every schema of the database, the services' own (Hangfire's)
    /// included. It is an operator's job, not a service; the superuser's password goes nowhere else.
    /// </summary>
    public static IEnumerable<IKubernetesObject> Create(BackingService server, KubernetesModel k8s)
    {
        var postgres = (PostgresServerResource)server.Resource;
        var name = Name(server);
        var port = server.Endpoints[0].ContainerPort();
        var superuser = server.Environment.Single(e => e.Name == "POSTGRES_USER").Value;
        var dumps = k8s.Model.Resources.OfType<PostgresDatabaseResource>().Where(d => d.Parent == postgres).Select(d =>
            $"pg_dump -h {server.Name} -p {port} -U {superuser} -Fc -f /backups/{d.DatabaseName}-$stamp.dump {d.DatabaseName}");
        var script = "set -e; stamp=$(date +%Y%m%d-%H%M%S); "
            + string.Join("; ", dumps)
            + $"; find /backups -name '*.dump' -mtime +{KeepDays} -delete; ls -l /backups";

        yield return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = PodDefaults.Metadata(name, "backup"),
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(server.Sizes.Storage ?? "10Gi") } },
            },
        };
        yield return new V1CronJob
        {
            ApiVersion = "batch/v1",
            Kind = "CronJob",
            Metadata = PodDefaults.Metadata(name, "backup"),
            Spec = new V1CronJobSpec
            {
                Schedule = Schedule,
                ConcurrencyPolicy = "Forbid",
                SuccessfulJobsHistoryLimit = 3,
                FailedJobsHistoryLimit = 3,
                JobTemplate = new V1JobTemplateSpec
                {
                    Spec = new V1JobSpec
                    {
                        BackoffLimit = 2,
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Labels = PodDefaults.Labels(name, "backup") },
                            Spec = new V1PodSpec
                            {
                                RestartPolicy = "OnFailure",
                                AutomountServiceAccountToken = false,
                                SecurityContext = PodDefaults.PodSecurity(server.UserId),
                                Containers =
                                [
                                    new V1Container
                                    {
                                        Name = "pg-dump",
                                        Image = server.Image,
                                        Command = ["sh", "-c", script],
                                        Env = [ContainerEnvironment.FromSecret("PGPASSWORD", server.SecretKeyOf("POSTGRES_PASSWORD")!)],
                                        Resources = PodDefaults.Resources(new ResourceSizes("50m", "64Mi", "1", "512Mi")),
                                        SecurityContext = PodDefaults.ContainerSecurity(server.UserId),
                                        VolumeMounts =
                                        [
                                            new V1VolumeMount { Name = "backups", MountPath = "/backups" },
                                            new V1VolumeMount { Name = "tmp", MountPath = "/tmp" },
                                        ],
                                    },
                                ],
                                Volumes =
                                [
                                    new V1Volume { Name = "backups", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = name } },
                                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                                ],
                            },
                        },
                    },
                },
            },
        };
    }
}
