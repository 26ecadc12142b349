using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.ApplicationModel;

public static class ProjectBuilderExtensions
{
    /// <summary>Adds a .NET project of the solution (a generated <c>Projects.*</c> class) with an "http" endpoint.</summary>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this CoinageApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = new ProjectResource(name, new TProject());
        project.Annotations.Add(new EndpointAnnotation(project, "http", "http", ProjectResource.ContainerHttpPort));
        return builder.AddResource(project);
    }
}
