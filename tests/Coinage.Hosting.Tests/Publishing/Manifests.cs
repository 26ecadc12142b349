using k8s;
using k8s.Models;

namespace Coinage.Hosting.Tests.Publishing;

/// <summary>A Deployment, StatefulSet, CronJob or Job: what runs pods.</summary>
internal sealed record Workload(string Kind, string Name, V1PodTemplateSpec Template)
{
    public IEnumerable<V1Container> AllContainers => Template.Spec.Containers.Concat(Template.Spec.InitContainers ?? []);

    public IDictionary<string, string> Labels => Template.Metadata.Labels;

    /// <summary>Servers run until stopped and are probed; a job's pod runs to completion.</summary>
    public bool IsServer => Kind is not "CronJob" and not "Job";
}

/// <summary>Queries over rendered manifests, including a small NetworkPolicy evaluator.</summary>
internal static class Manifests
{
    public static List<Workload> Workloads(IEnumerable<IKubernetesObject> objects) =>
    [
        .. objects.OfType<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Spec.Template)),
        .. objects.OfType<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Spec.Template)),
        .. objects.OfType<V1CronJob>().Select(c => new Workload("CronJob", c.Metadata.Name, c.Spec.JobTemplate.Spec.Template)),
        .. objects.OfType<V1Job>().Select(j => new Workload("Job", j.Metadata.Name, j.Spec.Template)),
    ];

    public static Workload Workload(IEnumerable<IKubernetesObject> objects, string name) =>
        Assert.Single(Workloads(objects), w => w.Name == name);

    /// <summary>Label selection as Kubernetes does it (our manifests use matchLabels only).</summary>
    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string> labels)
    {
        Assert.True(selector?.MatchExpressions is null or { Count: 0 }, "the evaluator handles matchLabels only");
        return selector?.MatchLabels is null || selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);
    }

    public static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string> labels) =>
        selector is { Count: > 0 } && selector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

    /// <summary>
    /// Whether a pod with <paramref name="from"/>'s labels may open TCP <paramref name="port"/> on a
    /// pod of <paramref name="to"/> in the same namespace: both the sender's egress and the
    /// receiver's ingress must allow it (isolated by any policy, then allowed by some rule).
    /// </summary>
    public static bool Allows(IReadOnlyList<V1NetworkPolicy> policies, Workload from, Workload to, int port)
    {
        var egress = policies.Where(p => p.Spec.PolicyTypes.Contains("Egress") && Selects(p.Spec.PodSelector, from.Labels)).ToList();
        var ingress = policies.Where(p => p.Spec.PolicyTypes.Contains("Ingress") && Selects(p.Spec.PodSelector, to.Labels)).ToList();
        var egressAllowed = egress.Count == 0 || egress.Any(p => (p.Spec.Egress ?? []).Any(r =>
            PortMatches(r.Ports, port) && (r.To is null or { Count: 0 } || r.To.Any(peer => PodPeer(peer, to.Labels)))));
        var ingressAllowed = ingress.Count == 0 || ingress.Any(p => (p.Spec.Ingress ?? []).Any(r =>
            PortMatches(r.Ports, port) && (r.FromProperty is null or { Count: 0 } || r.FromProperty.Any(peer => PodPeer(peer, from.Labels)))));
        return egressAllowed && ingressAllowed;
    }

    /// <summary>Whether pods of another namespace (by its name label) may reach <paramref name="to"/> on <paramref name="port"/>.</summary>
    public static bool AllowsFromNamespace(IReadOnlyList<V1NetworkPolicy> policies, string @namespace, Workload to, int port) =>
        policies.Where(p => p.Spec.PolicyTypes.Contains("Ingress") && Selects(p.Spec.PodSelector, to.Labels))
            .Any(p => (p.Spec.Ingress ?? []).Any(r => PortMatches(r.Ports, port) && (r.FromProperty ?? []).Any(peer =>
                peer.PodSelector is null && peer.NamespaceSelector?.MatchLabels is { } labels
                && labels.TryGetValue("kubernetes.io/metadata.name", out var name) && name == @namespace)));

    private static bool PodPeer(V1NetworkPolicyPeer peer, IDictionary<string, string> labels) =>
        peer.NamespaceSelector is null && peer.IpBlock is null && peer.PodSelector is not null && Selects(peer.PodSelector, labels);

    private static bool PortMatches(IList<V1NetworkPolicyPort>? ports, int port) =>
        ports is null or { Count: 0 } || ports.Any(p => (p.Protocol ?? "TCP") == "TCP" && (p.Port is null || p.Port.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
