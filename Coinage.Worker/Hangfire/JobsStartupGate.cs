using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coinage.Worker.Hangfire;

/// <summary>Open once the schema is migrated and this replica's Hangfire server runs.</summary>
public sealed class JobsStartupGate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => _opened.Task.IsCompleted;

    public Task WhenOpen => _opened.Task;

    internal void Open() => _opened.TrySetResult();
}

/// <summary>Keeps the worker unready (but alive) while it waits for the ApiService to migrate.</summary>
internal sealed class JobsStartupHealthCheck(JobsStartupGate gate) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(gate.IsOpen
            ? HealthCheckResult.Healthy("The Hangfire server is running.")
            : HealthCheckResult.Unhealthy("Waiting for the database migrations before starting the Hangfire server."));
}
