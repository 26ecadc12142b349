using k8s.Models;

namespace Coinage.Hosting.Publishing.Kubernetes;

/// <summary>
/// What every pod of Coinage gets: the "restricted" Pod Security Standard (non-root, no
/// privilege escalation, no capabilities, RuntimeDefault seccomp) plus a read-only root
/// filesystem, requests and limits, and the standard labels.
/// </summary>
internal static class PodDefaults
{
    public const string NameLabel = "app.kubernetes.io/name";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string PartOf = "coinage";

    public static Dictionary<string, string> Selector(string name) => new() { [NameLabel] = name };

    public static Dictionary<string, string> Labels(string name, string component) =>
        new() { [NameLabel] = name, [ComponentLabel] = component, [PartOfLabel] = PartOf };

    public static V1ObjectMeta Metadata(string name, string component, IDictionary<string, string>? annotations = null) =>
        new() { Name = name, Labels = Labels(name, component), Annotations = annotations };

    public static V1PodSecurityContext PodSecurity(long userId) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = userId,
        RunAsGroup = userId,
        // Volumes (claims, emptyDirs) become writable for the user without a root chown step.
        FsGroup = userId,
        FsGroupChangePolicy = "OnRootMismatch",
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1SecurityContext ContainerSecurity(long userId) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = userId,
        RunAsGroup = userId,
        Privileged = false,
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1ResourceRequirements Resources(ResourceSizes sizes) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(sizes.CpuRequest), ["memory"] = new(sizes.MemoryRequest) },
        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(sizes.CpuLimit), ["memory"] = new(sizes.MemoryLimit) },
    };

    /// <summary>Init containers that only wait or copy files.</summary>
    public static readonly ResourceSizes Helper = new("10m", "16Mi", "100m", "64Mi");

    public static V1Probe HttpProbe(string path, string port, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = port },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    public static V1Probe TcpProbe(string port, int periodSeconds, int failureThreshold) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 3,
        FailureThreshold = failureThreshold,
    };

    public static V1Probe ShellProbe(string command, int periodSeconds, int failureThreshold) => new()
    {
        Exec = new V1ExecAction { Command = ["sh", "-c", command] },
        PeriodSeconds = periodSeconds,
        TimeoutSeconds = 5,
        FailureThreshold = failureThreshold,
    };

    /// <summary>A writable emptyDir for a path under the read-only root.</summary>
    public static string VolumeName(string path) =>
        "scratch" + path.Replace('/', '-').Replace('.', '-').TrimEnd('-');

    /// <summary>An init container from busybox: waits or copies, as the unprivileged "nobody".</summary>
    public static V1Container HelperContainer(string name, string script) => new()
    {
        Name = name,
        Image = ContainerImages.Busybox,
        Command = ["sh", "-c", script],
        Resources = Resources(Helper),
        SecurityContext = ContainerSecurity(65534),
    };
}
