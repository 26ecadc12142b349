using System.Diagnostics;
using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>
/// The images the published artifacts run. Third-party images are pinned to a version (a
/// deployment must not change under us); overlays or <c>kustomize edit set image</c> move them.
/// </summary>
internal static class ContainerImages
{
    public const string Postgres = "postgres:15.12";
    public const string Redis = "redis:7.4.2";
    public const string Elasticsearch = "docker.elastic.co/elasticsearch/elasticsearch:8.17.4";
    public const string MailDev = "maildev/maildev:2.2.1";
    public const string Prometheus = "prom/prometheus:v3.2.1";
    public const string OtelCollector = "otel/opentelemetry-collector-contrib:0.120.0";

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
        var name = Path.GetFileNameWithoutExtension(project.Metadata.ProjectPath);
        const string prefix = "Coinage.";
        return "coinage/" + (name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name).ToLowerInvariant();
    }

    /// <summary>
    /// The version the SDK tags the image with (MinVer's, from git), read from the built assembly
    /// so that publishing right after a build names the images that build produced; "latest"
    /// when the project was not built.
    /// </summary>
    public static string Tag(ProjectResource project)
    {
        if (!File.Exists(project.Metadata.TargetPath))
        {
            return "latest";
        }
        var version = FileVersionInfo.GetVersionInfo(project.Metadata.TargetPath).ProductVersion;
        // Build metadata (+sha) is not allowed in an image tag.
        var tag = version?.Split('+')[0];
        return string.IsNullOrWhiteSpace(tag) ? "latest" : tag;
    }
}
