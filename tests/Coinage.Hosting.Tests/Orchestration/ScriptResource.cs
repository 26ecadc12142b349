using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Tests.Orchestration;

/// <summary>
/// A resource that runs a shell script: the smallest real process, for testing the orchestrator's
/// ordering, failure and shutdown behaviour without the weight of a database.
/// </summary>
internal sealed class ScriptResource(string name, string script, string? readyFile = null, string? requiredProgram = null)
    : Resource(name), IRunnableResource
{
    public override string ResourceType => "Script";

    private string Script { get; } = script;

    private string? ReadyFile { get; } = readyFile;

    private string? RequiredProgram { get; } = requiredProgram;

    public IResourceRunner CreateRunner(RunContext context) => new Runner(this);

    private sealed class Runner(ScriptResource resource) : IResourceRunner
    {
        public Task PrepareAsync(CancellationToken cancellationToken)
        {
            if (resource.RequiredProgram is { } program)
            {
                ExecutableLocator.Require(resource.Name, $"sudo apt-get install -y {program}", program);
            }
            return Task.CompletedTask;
        }

        public ProcessSpec? CreateProcess(int replica) => new("/bin/sh", ["-c", resource.Script]);

        public Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken) =>
            Task.FromResult(resource.ReadyFile is null || File.Exists(resource.ReadyFile));
    }
}
