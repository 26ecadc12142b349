using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Publishing;
using Coinage.Hosting.Publishing.Kubernetes;
using k8s.Models;

namespace Coinage.Hosting.Tests.Publishing;

[Collection(nameof(PublishedCoinage))]
public class NetworkPolicyTests(PublishedCoinage published)
{
    private (List<Workload> Workloads, List<V1NetworkPolicy> Policies) Rendered()
    {
        var objects = published.Objects("overlays/prod");
        return (Manifests.Workloads(objects), objects.OfType<V1NetworkPolicy>().ToList());
    }

    [Fact]
    public void Everything_is_denied_by_default_and_every_workload_has_its_own_policy()
    {
        var (workloads, policies) = Rendered();
        var deny = Assert.Single(policies, p => p.Metadata.Name == "default-deny");
        Assert.Empty(deny.Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Equal(["Egress", "Ingress"], deny.Spec.PolicyTypes.Order());
        Assert.Null(deny.Spec.Ingress);
        Assert.Null(deny.Spec.Egress);
        foreach (var workload in workloads)
        {
            Assert.Contains(policies, p => p.Spec.PodSelector.MatchLabels is { Count: > 0 } && Manifests.Selects(p.Spec.PodSelector, workload.Labels));
        }
    }

    [Fact]
    public async Task Exactly_the_flows_of_the_app_model_are_allowed()
    {
        var (workloads, policies) = Rendered();
        Workload W(string name) => Assert.Single(workloads, w => w.Name == name);
        int Port(string name) => published[name].PublishedEndpoints()[0].ContainerPort();

        // Declared: every reference and wait of the model whose target runs in the cluster.
        var declared = new HashSet<(string, string)>();
        foreach (var resource in published.Model.Where(r => workloads.Any(w => w.Name == r.Name)))
        {
            var references = await PublishedEnvironment.ReferencesAsync(resource, new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), TestContext.Current.CancellationToken);
            foreach (var target in references.Concat(resource.WaitsFor()).Select(t => t.ProcessOwner()).Where(t => workloads.Any(w => w.Name == t.Name)))
            {
                declared.Add((resource.Name, target.Name));
                Assert.True(Manifests.Allows(policies, W(resource.Name), W(target.Name), Port(target.Name)), $"{resource.Name} -> {target.Name} is blocked");
            }
        }
        Assert.Contains(("webfrontend", "apiservice"), declared);
        Assert.Contains(("apiservice", "postgres"), declared);
        Assert.Contains(("worker", "redis"), declared);
        Assert.Contains(("apiservice", "elasticsearch"), declared);

        // Telemetry: every project to the collector; the collector to Elasticsearch.
        var collector = W(KubernetesModel.CollectorName);
        foreach (var project in published.Model.OfType<ProjectResource>())
        {
            Assert.True(Manifests.Allows(policies, W(project.Name), collector, 4317), $"{project.Name} cannot send OTLP");
            declared.Add((project.Name, collector.Name));
        }
        Assert.True(Manifests.Allows(policies, collector, W("elasticsearch"), 9200));
        declared.Add((collector.Name, "elasticsearch"));

        // Log storage: Kibana reads Elasticsearch; the setup Job writes to Elasticsearch and Kibana.
        foreach (var (from, to, port) in new[] { (LogStorage.KibanaName, "elasticsearch", 9200), (LogStorage.SetupName, "elasticsearch", 9200), (LogStorage.SetupName, LogStorage.KibanaName, LogStorage.KibanaPort) })
        {
            Assert.True(Manifests.Allows(policies, W(from), W(to), port), $"{from} -> {to} is blocked");
            declared.Add((from, to));
        }

        // Backups: the dump job to its server.
        Assert.True(Manifests.Allows(policies, W("postgres-backup"), W("postgres"), 5432));
        declared.Add(("postgres-backup", "postgres"));

        // Nothing else between workloads, on any port a workload listens on.
        foreach (var from in workloads)
        {
            foreach (var to in workloads.Where(t => t != from && !declared.Contains((from.Name, t.Name))))
            {
                foreach (var port in to.Template.Spec.Containers.SelectMany(c => c.Ports ?? []).Select(p => p.ContainerPort))
                {
                    Assert.False(Manifests.Allows(policies, from, to, port), $"{from.Name} -> {to.Name}:{port} is allowed but not declared");
                }
            }
        }
    }

    [Fact]
    public void The_ingress_controller_reaches_only_external_endpoints_and_prometheus_only_metrics()
    {
        var (workloads, policies) = Rendered();
        foreach (var workload in workloads)
        {
            var resource = published.Model.FirstOrDefault(r => r.Name == workload.Name);
            var external = resource?.PublishedEndpoints().Any(e => e.IsExternal) ?? false;
            foreach (var port in workload.Template.Spec.Containers.SelectMany(c => c.Ports ?? []).Select(p => p.ContainerPort))
            {
                Assert.Equal(external, Manifests.AllowsFromNamespace(policies, KubernetesModel.IngressNamespace, workload, port));
            }
            if (workload.Template.Metadata.Annotations?.TryGetValue("prometheus.io/port", out var metricsPort) == true)
            {
                Assert.True(Manifests.AllowsFromNamespace(policies, KubernetesModel.MonitoringNamespace, workload, int.Parse(metricsPort, System.Globalization.CultureInfo.InvariantCulture)),
                    $"Prometheus cannot scrape {workload.Name}");
            }
        }
        Assert.Contains(workloads, w => w.Name == "webfrontend" && Manifests.AllowsFromNamespace(policies, KubernetesModel.IngressNamespace, w, 8080));
    }
}
