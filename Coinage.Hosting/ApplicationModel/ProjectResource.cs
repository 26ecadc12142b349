using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.ApplicationModel;

/// <summary>A .NET project of the solution, run from its build output.</summary>
public sealed class ProjectResource(string name, IProjectMetadata metadata) : Resource(name), IRunnableResource
{
    public override string ResourceType => "Project";

    public IProjectMetadata Metadata { get; } = metadata;

    public string ProjectDirectory => Path.GetDirectoryName(Metadata.ProjectPath)!;

    public int Replicas => Annotations.OfType<ReplicaAnnotation>().LastOrDefault()?.Replicas ?? 1;

    /// <summary>The port every project listens on inside a container (HTTP_PORTS in manifests).</summary>
    public const int ContainerHttpPort = 8080;

    public IResourceRunner CreateRunner(RunContext context) => new ProjectRunner(this, context);
}
