using Aspire.Hosting.ApplicationModel;
using Coinage.Hosting.Elasticsearch;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Prometheus;

namespace Coinage.Hosting.Publishing;

/// <summary>How the publishers tell the model's resources apart beyond their Aspire type.</summary>
internal static class PublishedResources
{
    /// <summary>Resources that declare something (a parameter, a database on a server) but run nothing of their own.</summary>
    public static bool IsDeclarationOnly(IResource resource) =>
        resource is ParameterResource or IResourceWithParent && resource is not ProjectResource and not ContainerResource;

    /// <summary>The development SMTP sink: a deployment sends mail through a real SMTP service instead.</summary>
    public static bool IsMailDev(IResource resource) => resource is IMailDevResource;

    /// <summary>The local Prometheus: a cluster has its own, Compose runs this one.</summary>
    public static bool IsPrometheus(IResource resource) => resource is IPrometheusResource;

    public static bool IsElasticsearch(IResource resource) => resource is IElasticsearchResource;

    /// <summary>The alert rule files the model's Prometheus loads, as absolute paths.</summary>
    public static IEnumerable<string> RuleFiles(IResource prometheus, string solutionDirectory) =>
        prometheus is IPrometheusResource { RuleFiles: var files } ? files.Select(f => Path.GetFullPath(f, solutionDirectory)) : [];
}
