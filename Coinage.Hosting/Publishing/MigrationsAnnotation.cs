
namespace Coinage.Hosting.ApplicationModel;

/// <summary>
/// The project migrates the schema when started with <see cref="Args"/> and then exits. Published
/// artifacts run that step before a new version takes traffic: an init container of the
/// project's pods in Kubernetes (the migrator takes an advisory lock, so it runs once however
/// many pods start), a one-shot service the project depends on in Compose. A local run ignores
/// it: the project migrates at start-up.
/// </summary>
public sealed record MigrationsAnnotation(IReadOnlyList<string> Args) : IResourceAnnotation;

public static class MigrationsBuilderExtensions
{
    /// <summary>Runs the project with <paramref name="args"/> (for example "migrate") before it takes traffic in a deployment.</summary>
    public static IResourceBuilder<ProjectResource> WithMigrations(this IResourceBuilder<ProjectResource> builder, params string[] args)
    {
        ArgumentOutOfRangeException.ThrowIfZero(args.Length);
        return builder.WithAnnotation(new MigrationsAnnotation(args));
    }
}
