namespace Coinage.Hosting;

/// <summary>
/// Implemented by the generated <c>Projects.*</c> classes (see build/Coinage.Hosting.targets):
/// where a .NET project lives and where its build put the assembly.
/// </summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    string TargetPath { get; }
}
