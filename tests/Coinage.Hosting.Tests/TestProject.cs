namespace Coinage.Hosting.Tests;

/// <summary>Project metadata for model tests that never start the project.</summary>
internal sealed class TestProject : IProjectMetadata
{
    public string ProjectPath => "/src/Test.Service/Test.Service.csproj";

    public string TargetPath => "/src/Test.Service/bin/Test.Service.dll";
}
