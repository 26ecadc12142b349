using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// The images the published artifacts run besides the model's own containers (whose images the model names):
/// the projects' images, built by the .NET SDK, and the publisher's helpers, pinned to a version (a deployment
/// must not change under us); overlays or <c>kustomize edit set image</c> move them.
/// </summary>
internal static class ContainerImages
{
    /// <summary>
    /// The collector, contrib distribution (its <c>elasticsearch</c> exporter). 0.139: from 0.120 to 0.129 the exporter
    /// capped HTTP retries at two, so logs were lost while Elasticsearch restarted (contrib #41142), and it supports
    /// Elasticsearch 9 and the <c>sending_queue</c> batching this configuration uses.
    /// </summary>
    public const string OtelCollector = "otel/opentelemetry-collector-contrib:0.139.0";

    /// <summary>curl and a shell, for the job that applies the log storage (<see cref="LogStorage"/>).</summary>
    public const string Curl = "curlimages/curl:8.16.0";

    /// <summary>
    /// Kibana in the version of the model's Elasticsearch image: Kibana refuses a server of another version, so the
    /// two move together (<c>WithImageTag</c> on the Elasticsearch resource moves both).
    /// </summary>
    public static string Kibana(string elasticsearchImage)
    {
        var colon = elasticsearchImage.LastIndexOf(':');
        var tag = colon < 0 ? "" : elasticsearchImage[(colon + 1)..];
        if (elasticsearchImage.Contains('@', StringComparison.Ordinal) || tag.Length == 0 || tag.Contains('/', StringComparison.Ordinal) || tag == "latest")
        {
            throw new NotSupportedException($"Kibana must run the version of Elasticsearch, which the image '{elasticsearchImage}' does not name: pin a version tag.");
        }
        return $"docker.elastic.co/kibana/kibana:{tag}";
    }

    /// <summary>Small image with a shell, nc and wget for the "wait for a dependency" init containers.</summary>
    public const string Busybox = "busybox:1.37.0";

    /// <summary>The non-root user of the chiseled ASP.NET images ($APP_UID), set by eng/containers.props.</summary>
    public const long ProjectUserId = 1654;

    /// <summary>
    /// <c>coinage/&lt;project name without "Coinage.", lower case&gt;</c>: the same rule as
    /// <c>ContainerRepository</c> in eng/containers.props, so the manifests name the images the SDK builds.
    /// </summary>
    public static string Repository(ProjectResource project)
    {
        var name = Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath);
        const string prefix = "Coinage.";
        return "coinage/" + (name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name).ToLowerInvariant();
    }

    /// <summary>
    /// The version the SDK tags the image with (MinVer's, from git), read from the project's newest build output
    /// so that publishing right after a build names the images that build produced; "latest" when the project
    /// was not built.
    /// </summary>
    public static string Tag(ProjectResource project)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var assembly = Path.GetFileNameWithoutExtension(projectPath) + ".dll";
        var output = Path.Combine(Path.GetDirectoryName(projectPath)!, "bin");
        var built = Directory.Exists(output)
            ? Directory.EnumerateFiles(output, assembly, SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}publish{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        // Build metadata (+sha) is not allowed in an image tag.
        var tag = built is null ? null : FileVersionInfo.GetVersionInfo(built).ProductVersion?.Split('+')[0];
        return string.IsNullOrWhiteSpace(tag) ? "latest" : tag;
    }
}
