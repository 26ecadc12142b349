using Aspire.Hosting.ApplicationModel;
using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>One allowed connection between two workloads of the namespace.</summary>
internal sealed record Flow(string From, string To, IReadOnlyList<int> Ports);

/// <summary>
/// Zero trust inside the namespace: everything is denied, then each workload gets exactly the
/// connections the app model declares (references and waits), telemetry to the collector, the
/// log storage (collector, Kibana and its setup Job to Elasticsearch), the Ingress controller to
/// external endpoints, Prometheus to metrics ports, and DNS. Nobody outside reaches Kibana: ops
/// use <c>kubectl port-forward</c>.
/// </summary>
internal static class NetworkPolicies
{
    public const string DefaultDeny = "default-deny";
    public const string AllowDns = "allow-dns";

    public static IReadOnlyList<Flow> Flows(KubernetesModel k8s)
    {
        var flows = new List<Flow>();
        var collector = KubernetesModel.CollectorName;
        foreach (var project in k8s.Projects)
        {
            foreach (var dependency in k8s.Dependencies(project))
            {
                flows.Add(new Flow(project.Name, dependency.Name, [.. dependency.PublishedEndpoints().Select(e => e.ContainerPort())]));
            }
            flows.Add(new Flow(project.Name, collector, [OtelCollectorConfig.GrpcPort, OtelCollectorConfig.HttpPort]));
        }
        foreach (var server in k8s.Servers)
        {
            foreach (var dependency in k8s.Dependencies(server.Resource))
            {
                flows.Add(new Flow(server.Name, dependency.Name, [.. dependency.PublishedEndpoints().Select(e => e.ContainerPort())]));
            }
        }
        foreach (var server in Backups.Servers(k8s))
        {
            flows.Add(new Flow(Backups.Name(server), server.Name, [.. server.Endpoints.Select(e => e.ContainerPort())]));
        }
        if (k8s.LogStore is { } search)
        {
            int[] http = [search.Resource.PublishedEndpoint("http").ContainerPort()];
            flows.Add(new Flow(collector, search.Name, http));
            flows.Add(new Flow(LogStorage.KibanaName, search.Name, http));
            flows.Add(new Flow(LogStorage.SetupName, search.Name, http));
            flows.Add(new Flow(LogStorage.SetupName, LogStorage.KibanaName, [LogStorage.KibanaPort]));
        }
        return flows;
    }

    public static IEnumerable<V1NetworkPolicy> Create(KubernetesModel k8s)
    {
        yield return Policy(DefaultDeny, new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector(),
            PolicyTypes = ["Ingress", "Egress"],
        });
        yield return Policy(AllowDns, new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector(),
            PolicyTypes = ["Egress"],
            Egress =
            [
                new V1NetworkPolicyEgressRule
                {
                    To = [new V1NetworkPolicyPeer { NamespaceSelector = Namespace("kube-system") }],
                    Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
                },
            ],
        });

        var flows = Flows(k8s);
        foreach (var workload in k8s.Workloads)
        {
            var ingress = flows.Where(f => f.To == workload)
                .Select(f => Rule(PodPeer(f.From), f.Ports))
                .ToList();
            var egress = flows.Where(f => f.From == workload)
                .Select(f => new V1NetworkPolicyEgressRule { To = [PodPeer(f.To)], Ports = Ports(f.Ports) })
                .ToList();

            var project = k8s.Projects.FirstOrDefault(p => p.Name == workload);
            if (project is not null)
            {
                var external = project.PublishedEndpoints().Where(e => e.IsExternal).Select(e => e.ContainerPort()).ToList();
                if (external.Count > 0)
                {
                    ingress.Add(Rule(new V1NetworkPolicyPeer { NamespaceSelector = Namespace(KubernetesModel.IngressNamespace) }, external));
                }
                if (project.Annotations.OfType<MetricsEndpointAnnotation>().LastOrDefault() is { } metrics)
                {
                    ingress.Add(Rule(new V1NetworkPolicyPeer { NamespaceSelector = Namespace(KubernetesModel.MonitoringNamespace) }, [project.PublishedEndpoint(metrics.EndpointName).ContainerPort()]));
                }
                foreach (var service in k8s.ExternalDependencies(project))
                {
                    // Outside the cluster only: private ranges stay closed.
                    egress.Add(new V1NetworkPolicyEgressRule
                    {
                        To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
                        Ports = Ports(service.EgressPorts),
                    });
                }
            }
            if (workload == KubernetesModel.CollectorName)
            {
                ingress.Add(Rule(new V1NetworkPolicyPeer { NamespaceSelector = Namespace(KubernetesModel.MonitoringNamespace) }, [OtelCollectorConfig.MetricsPort]));
            }

            yield return Policy(workload, new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(workload) },
                PolicyTypes = ["Ingress", "Egress"],
                Ingress = ingress,
                Egress = egress,
            });
        }
    }

    private static V1NetworkPolicy Policy(string name, V1NetworkPolicySpec spec) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = PodDefaults.Metadata(name, "network"),
        Spec = spec,
    };

    private static V1NetworkPolicyIngressRule Rule(V1NetworkPolicyPeer from, IEnumerable<int> ports) =>
        new() { FromProperty = [from], Ports = Ports(ports) };

    private static V1NetworkPolicyPeer PodPeer(string workload) =>
        new() { PodSelector = new V1LabelSelector { MatchLabels = PodDefaults.Selector(workload) } };

    private static V1LabelSelector Namespace(string name) =>
        new() { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = name } };

    private static List<V1NetworkPolicyPort> Ports(IEnumerable<int> ports) =>
        [.. ports.Distinct().Select(p => new V1NetworkPolicyPort { Protocol = "TCP", Port = p })];
}
