using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Orchestration;

/// <summary>A resource that the local orchestrator runs as processes.</summary>
public interface IRunnableResource : IResource
{
    IResourceRunner CreateRunner(RunContext context);
}

/// <summary>What the orchestrator needs to know to run one kind of resource locally.</summary>
public interface IResourceRunner
{
    /// <summary>How many processes (replicas) the resource has.</summary>
    int Replicas => 1;

    /// <summary>
    /// Checks that the program exists and prepares its files (initdb, configuration). Throws
    /// <see cref="ResourceFailedException"/> with a one-line reason a human can act on.
    /// </summary>
    Task PrepareAsync(CancellationToken cancellationToken);

    /// <summary>The process of one replica; null for a resource attached from outside (nothing to run).</summary>
    ProcessSpec? CreateProcess(int replica);

    Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken);

    /// <summary>Runs once the first time every replica is healthy (create databases, ...).</summary>
    Task OnHealthyAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
