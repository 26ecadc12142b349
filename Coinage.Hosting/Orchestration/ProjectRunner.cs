using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Orchestration;

/// <summary>Runs a .NET project from its build output with <c>dotnet exec</c>, from its project folder (its content root).</summary>
internal sealed class ProjectRunner(ProjectResource resource, RunContext context) : IResourceRunner
{
    private string _dotnet = "";

    public int Replicas => resource.Replicas;

    public Task PrepareAsync(CancellationToken cancellationToken)
    {
        _dotnet = ExecutableLocator.Require(resource.Name, "see https://learn.microsoft.com/dotnet/core/install/linux-debian",
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", "dotnet");
        if (!File.Exists(resource.Metadata.TargetPath))
        {
            throw new ResourceFailedException(resource.Name,
                $"{resource.Metadata.TargetPath} does not exist; build the solution first (dotnet build Coinage.sln).");
        }
        return Task.CompletedTask;
    }

    public ProcessSpec? CreateProcess(int replica) =>
        new(_dotnet, ["exec", resource.Metadata.TargetPath, .. resource.Annotations.OfType<ArgsAnnotation>().SelectMany(a => a.Args)])
        {
            WorkingDirectory = resource.ProjectDirectory,
            Environment = context.EnvironmentFor(resource, replica),
        };

    public Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken)
    {
        var check = resource.Annotations.OfType<HttpHealthCheckAnnotation>().LastOrDefault();
        return check is null
            ? Task.FromResult(true)
            : context.HttpOkAsync(context.Values.Url(resource.GetEndpoint(check.EndpointName), replica) + check.Path, cancellationToken);
    }
}
