using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using Coinage.Hosting.Publishing.Kubernetes;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Coinage.Hosting.Tests.Publishing;

[Collection(nameof(PublishedCoinage))]
public class KubernetesPublisherTests(PublishedCoinage published)
{
    public static TheoryData<string> Kustomizations => [.. PublishedCoinage.Kustomizations];

    public static TheoryData<string> Overlays => ["overlays/dev", "overlays/prod"];

    /// <summary>The resources that run as StatefulSets: the model's containers but the development SMTP sink and Prometheus (the cluster has its own).</summary>
    private static IEnumerable<string> Servers(IReadOnlyList<IResource> model) =>
        model.OfType<ContainerResource>().Where(r => r.Name is not "smtp" and not "prometheus").Select(r => r.Name);

    [Fact]
    public void Every_manifest_file_parses_into_typed_kubernetes_objects()
    {
        var kustomizations = Directory.GetFiles(published.KubernetesDirectory, "kustomization.yaml", SearchOption.AllDirectories);
        Assert.Equal(3, kustomizations.Length);
        var manifests = 0;
        foreach (var kustomization in kustomizations)
        {
            var directory = Path.GetDirectoryName(kustomization)!;
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(kustomization)));
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            Assert.Equal("Kustomization", ((YamlScalarNode)root["kind"]).Value);
            foreach (var resource in ((YamlSequenceNode)root["resources"]).Cast<YamlScalarNode>().Select(n => Path.Combine(directory, n.Value!)))
            {
                if (Directory.Exists(resource))
                {
                    Assert.True(File.Exists(Path.Combine(resource, "kustomization.yaml")), $"{resource} is not a kustomization");
                    continue;
                }
                var objects = Kubectl.Parse(File.ReadAllText(resource));
                Assert.NotEmpty(objects);
                Assert.All(objects, o => Assert.False(string.IsNullOrEmpty(o.Kind)));
                manifests++;
            }
        }
        // One per project and server, the collector, the log storage (Kibana and its setup Job), the network policies, two namespaces.
        var model = published.Model;
        var expected = model.Count(r => r is ProjectResource) + Servers(model).Count() + 1 + 1 + 1 + 2;
        Assert.Equal(expected, manifests);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Kubectl_kustomize_renders_the_base_and_both_overlays(string kustomization)
    {
        var objects = published.Objects(kustomization);

        var deployments = objects.OfType<V1Deployment>().Select(d => d.Metadata.Name).ToList();
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            Assert.Contains(project.Name, deployments);
        }
        Assert.Contains(KubernetesModel.CollectorName, deployments);
        Assert.Equal(Servers(published.Model).Order(), objects.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.Equal(["elasticsearch", "postgres", "redis"], Servers(published.Model).Order());
        if (kustomization != "base")
        {
            var secret = Assert.Single(objects.OfType<V1Secret>());
            Assert.StartsWith(KubernetesModel.SecretName + "-", secret.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal(published.DummySecrets.Keys.Order(), secret.Data.Keys.Order());
            var ns = Assert.Single(objects.OfType<V1Namespace>());
            Assert.Equal("restricted", ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
            Assert.All(objects.Where(o => o is not V1Namespace).Cast<IMetadata<V1ObjectMeta>>(), o => Assert.Equal(ns.Metadata.Name, o.Metadata.NamespaceProperty));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_container_has_probes_limits_and_a_restricted_security_context(string overlay)
    {
        var workloads = Manifests.Workloads(published.Objects(overlay));
        Assert.NotEmpty(workloads);
        foreach (var workload in workloads)
        {
            var pod = workload.Template.Spec;
            Assert.False(pod.AutomountServiceAccountToken ?? true, $"{workload.Name} mounts a service account token");
            foreach (var container in workload.IsServer ? pod.Containers : [])
            {
                Assert.True(container.StartupProbe is not null, $"{workload.Name}/{container.Name} has no startup probe");
                Assert.True(container.ReadinessProbe is not null, $"{workload.Name}/{container.Name} has no readiness probe");
                Assert.True(container.LivenessProbe is not null, $"{workload.Name}/{container.Name} has no liveness probe");
            }
            foreach (var container in workload.AllContainers)
            {
                var what = $"{workload.Name}/{container.Name}";
                Assert.True(container.Resources?.Limits?.ContainsKey("cpu") == true && container.Resources.Limits.ContainsKey("memory"), $"{what} has no cpu+memory limits");
                Assert.True(container.Resources.Requests?.ContainsKey("cpu") == true && container.Resources.Requests.ContainsKey("memory"), $"{what} has no requests");
                var security = container.SecurityContext;
                Assert.True(security is not null, $"{what} has no securityContext");
                Assert.True(security.RunAsNonRoot ?? pod.SecurityContext?.RunAsNonRoot ?? false, $"{what} may run as root");
                Assert.True((security.RunAsUser ?? pod.SecurityContext?.RunAsUser ?? 0) > 0, $"{what} runs as uid 0");
                Assert.False(security.AllowPrivilegeEscalation ?? true, $"{what} allows privilege escalation");
                Assert.False(security.Privileged ?? false, $"{what} is privileged");
                Assert.True(security.ReadOnlyRootFilesystem ?? false, $"{what} has a writable root filesystem");
                Assert.Equal(["ALL"], security.Capabilities?.Drop ?? []);
                Assert.Null(security.Capabilities?.Add);
                Assert.Equal("RuntimeDefault", security.SeccompProfile?.Type ?? pod.SecurityContext?.SeccompProfile?.Type);
            }
            Assert.All(pod.Volumes ?? [], v => Assert.True(v.HostPath is null, $"{workload.Name} mounts a host path"));
        }
    }

    [Fact]
    public void Projects_probe_alive_and_health_and_roll_out_without_losing_capacity()
    {
        var objects = published.Objects("overlays/prod");
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            var deployment = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == project.Name);
            var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
            Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/health", project.HttpHealthCheck()?.Path);
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            Assert.NotNull(container.Lifecycle?.PreStop?.Sleep);
            Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > container.Lifecycle.PreStop.Sleep.Seconds + 30);
            Assert.Equal($"coinage/{Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath)["Coinage.".Length..].ToLowerInvariant()}", container.Image.Split(':')[0]);
            Assert.True(Assert.Single(objects.OfType<V1PodDisruptionBudget>(), p => p.Metadata.Name == project.Name).Spec.MaxUnavailable is not null);
        }
    }

    [Fact]
    public void Prod_runs_the_api_and_the_web_front_end_on_at_least_two_autoscaled_replicas()
    {
        var objects = published.Objects("overlays/prod");
        foreach (var name in new[] { "apiservice", "webfrontend" })
        {
            var hpa = Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>(), h => h.Metadata.Name == name);
            Assert.Equal(name, hpa.Spec.ScaleTargetRef.Name);
            Assert.True(hpa.Spec.MinReplicas >= 2, $"{name}: minReplicas {hpa.Spec.MinReplicas}");
            Assert.True(hpa.Spec.MaxReplicas > hpa.Spec.MinReplicas);
            var deployment = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == name);
            Assert.True(deployment.Spec.Replicas is null or >= 2, "a replica count below the autoscaler's minimum");
        }
        // The collector and Kibana are single pods by design (Kibana must not run two versions side by side).
        Assert.All(objects.OfType<V1Deployment>().Where(d => d.Spec.Replicas is not null && d.Metadata.Name is not KubernetesModel.CollectorName and not LogStorage.KibanaName),
            d => Assert.True(d.Spec.Replicas >= 2, $"{d.Metadata.Name} runs {d.Spec.Replicas} replica(s) in prod"));
    }

    [Fact]
    public void The_web_front_end_is_published_through_a_tls_ingress()
    {
        var objects = published.Objects("overlays/prod");
        var ingress = Assert.Single(objects.OfType<V1Ingress>());
        var host = Assert.Single(ingress.Spec.Rules).Host;
        Assert.Equal([host], Assert.Single(ingress.Spec.Tls).Hosts);
        Assert.False(string.IsNullOrEmpty(ingress.Spec.Tls[0].SecretName));
        Assert.Equal("webfrontend", ingress.Spec.Rules[0].Http.Paths[0].Backend.Service.Name);
        Assert.NotEqual(host, Assert.Single(published.Objects("overlays/dev").OfType<V1Ingress>()).Spec.Rules[0].Host);
    }

    [Fact]
    public void Every_secret_value_is_in_a_secret_and_nowhere_else()
    {
        Assert.NotEmpty(published.DummySecrets);
        foreach (var overlay in new[] { "overlays/dev", "overlays/prod" })
        {
            var objects = published.Objects(overlay);
            foreach (var o in objects.Where(o => o is not V1Secret))
            {
                var yaml = KubernetesYaml.Serialize(o);
                Assert.DoesNotContain(published.DummySecrets.Values, yaml.Contains);
            }
            // Secret-looking configuration never goes through a ConfigMap...
            foreach (var map in objects.OfType<V1ConfigMap>())
            {
                Assert.DoesNotContain(map.Data.Keys, PublishedCoinage.LooksSecret);
            }
            // ...and every secret-looking variable is a Secret reference, or a template expanding only Secret references declared before it.
            foreach (var container in Manifests.Workloads(objects).SelectMany(w => w.AllContainers))
            {
                var fromSecrets = new HashSet<string>();
                foreach (var variable in container.Env ?? [])
                {
                    if (variable.ValueFrom?.SecretKeyRef is { } reference)
                    {
                        Assert.StartsWith(KubernetesModel.SecretName, reference.Name, StringComparison.Ordinal);
                        fromSecrets.Add(variable.Name);
                        continue;
                    }
                    var references = System.Text.RegularExpressions.Regex.Matches(variable.Value ?? "", @"\$\(([A-Za-z0-9_]+)\)").Select(m => m.Groups[1].Value).ToList();
                    Assert.All(references, r => Assert.Contains(r, fromSecrets));
                    if (PublishedCoinage.LooksSecret(variable.Name) && variable.Name.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
                    {
                        Assert.True(references.Count > 0, $"{container.Name}: {variable.Name} has a connection string without a password from the Secret");
                    }
                }
            }
        }
        var gitignore = File.ReadAllLines(Path.Combine(published.KubernetesDirectory, ".gitignore"));
        Assert.Contains(KubernetesPublisher.SecretsFile, gitignore);
        Assert.All(Directory.GetFiles(published.KubernetesDirectory, "secrets.env.example", SearchOption.AllDirectories),
            f => Assert.All(File.ReadAllLines(f).Where(l => !l.StartsWith('#')), l => Assert.EndsWith("=", l, StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Every_service_selects_a_workload_on_a_port_it_declares(string kustomization)
    {
        var objects = published.Objects(kustomization);
        var workloads = Manifests.Workloads(objects);
        Assert.NotEmpty(objects.OfType<V1Service>());
        foreach (var service in objects.OfType<V1Service>())
        {
            var selected = workloads.Where(w => Manifests.Selects(service.Spec.Selector, w.Labels)).ToList();
            var workload = Assert.Single(selected);
            var ports = workload.Template.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
            foreach (var port in service.Spec.Ports)
            {
                Assert.Contains(ports, p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == port.TargetPort.Value);
            }
        }
        var statefulSets = objects.OfType<V1StatefulSet>().ToList();
        Assert.All(statefulSets, s =>
        {
            var headless = Assert.Single(objects.OfType<V1Service>(), svc => svc.Metadata.Name == s.Spec.ServiceName);
            Assert.Equal("None", headless.Spec.ClusterIP);
            Assert.NotEmpty(s.Spec.VolumeClaimTemplates);
        });
    }

    [Fact]
    public void Every_postgres_database_is_dumped_nightly_to_a_volume_of_its_own()
    {
        var objects = published.Objects("overlays/prod");
        var backup = Assert.Single(objects.OfType<V1CronJob>());
        Assert.Equal("Forbid", backup.Spec.ConcurrencyPolicy);
        var container = Assert.Single(backup.Spec.JobTemplate.Spec.Template.Spec.Containers);
        Assert.Contains("pg_dump -h postgres -p 5432 -U postgres -Fc", container.Command[2], StringComparison.Ordinal);
        Assert.Contains(" coinagedb", container.Command[2], StringComparison.Ordinal);
        Assert.StartsWith(KubernetesModel.SecretName, Assert.Single(container.Env, e => e.Name == "PGPASSWORD").ValueFrom.SecretKeyRef.Name, StringComparison.Ordinal);
        var claim = backup.Spec.JobTemplate.Spec.Template.Spec.Volumes.Single(v => v.Name == "backups").PersistentVolumeClaim.ClaimName;
        Assert.Contains(objects.OfType<V1PersistentVolumeClaim>(), c => c.Metadata.Name == claim);
    }

    [Fact]
    public async Task A_deployment_receives_the_same_connection_strings_and_service_addresses_as_the_local_run()
    {
        var objects = published.Objects("overlays/prod");
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name);
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            static bool Wiring(string name) => name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || name.StartsWith("services__", StringComparison.Ordinal);
            var expected = (await PublishedCoinage.LocalEnvironmentNamesAsync(project.Name)).Where(Wiring).Order().ToList();

            var container = Manifests.Workload(objects, project.Name).Template.Spec.Containers.Single();
            var names = (container.Env ?? []).Select(e => e.Name)
                .Concat((container.EnvFrom ?? []).SelectMany(f => configMaps[f.ConfigMapRef.Name].Data.Keys))
                .ToList();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, names.Where(Wiring).Order());
            Assert.Contains("HTTP_PORTS", names);
            Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", names);
            Assert.Contains("OTEL_SERVICE_NAME", names);
            Assert.Equal(names.Count, names.Distinct().Count());
        }
        Assert.Contains("ConnectionStrings__coinagedb", await PublishedCoinage.LocalEnvironmentNamesAsync("apiservice"));
    }

    [Fact]
    public void Every_service_believes_forwarded_client_addresses_from_the_cluster_s_own_networks_only()
    {
        // Behind the Ingress controller (web front end) and the web front end (API), each service must see the
        // browser's address for its rate limits and audit log; from anyone outside the cluster the headers are ignored.
        var objects = published.Objects("overlays/prod");
        var configMaps = objects.OfType<V1ConfigMap>().ToDictionary(c => c.Metadata.Name);
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            var container = Manifests.Workload(objects, project.Name).Template.Spec.Containers.Single();
            var settings = (container.EnvFrom ?? []).SelectMany(f => configMaps[f.ConfigMapRef.Name].Data).ToDictionary();
            Assert.Equal("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7", settings["Coinage__ForwardedHeaders__KnownNetworks"]);
        }
    }

    [Fact]
    public void The_services_connect_as_the_app_role_the_migrator_as_the_owner_and_only_the_server_and_its_backup_know_the_superuser()
    {
        var objects = published.Objects("overlays/prod");
        var api = Manifests.Workload(objects, "apiservice").Template.Spec;
        string Env(V1Container container, string name) => Assert.Single(container.Env, e => e.Name == name).Value;
        Assert.Equal("Host=postgres;Port=5432;Username=coinagedb_app;Password=$(COINAGEDB_APP_PASSWORD);Database=coinagedb", Env(api.Containers[0], "ConnectionStrings__coinagedb"));
        var migrations = Assert.Single(api.InitContainers, c => c.Name == "migrations");
        Assert.Equal(["migrate"], migrations.Args);
        Assert.Equal("Host=postgres;Port=5432;Username=coinagedb_owner;Password=$(COINAGEDB_OWNER_PASSWORD);Database=coinagedb", Env(migrations, "ConnectionStrings__coinagedb"));
        Assert.Equal("Host=postgres;Port=5432;Username=coinagedb_app;Password=$(COINAGEDB_APP_PASSWORD);Database=coinagedb",
            Env(Manifests.Workload(objects, "worker").Template.Spec.Containers[0], "ConnectionStrings__coinagedb"));

        var superuser = published.DummySecrets["POSTGRES_PASSWORD"];
        var owner = published.DummySecrets["COINAGEDB_OWNER_PASSWORD"];
        foreach (var workload in Manifests.Workloads(objects))
        {
            foreach (var container in workload.AllContainers)
            {
                var keys = (container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Key).OfType<string>().ToList();
                Assert.True(!keys.Contains("POSTGRES_PASSWORD") || workload.Name is "postgres" or "postgres-backup", $"{workload.Name}/{container.Name} gets the superuser's password");
                Assert.True(!keys.Contains("COINAGEDB_OWNER_PASSWORD") || container.Name is "migrations" or "postgres", $"{workload.Name}/{container.Name} gets the owner's password");
            }
        }
        Assert.DoesNotContain(objects.OfType<V1ConfigMap>(), m => m.Data.Values.Any(v => v.Contains(superuser, StringComparison.Ordinal) || v.Contains(owner, StringComparison.Ordinal)));
        var init = Assert.Single(objects.OfType<V1ConfigMap>(), m => m.Metadata.Name.StartsWith("postgres-init", StringComparison.Ordinal));
        Assert.Contains("CREATE DATABASE \"coinagedb\" OWNER coinagedb_owner;", init.Data[PostgresRoles.InitScriptName], StringComparison.Ordinal);
    }
}
