using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting.Run;

/// <summary>
/// On Ctrl+C/SIGTERM, stops the projects before anything else, dependents first (the web front end and the worker
/// before the API): left to itself, DCP stops every resource at once, and services whose PostgreSQL and Redis vanish
/// under them spend their shutdown on connection timeouts. Registered after Aspire's own hosted services, so its
/// StopAsync runs before theirs (the host stops them in reverse order).
/// </summary>
internal sealed class OrderedShutdown(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ILogger<OrderedShutdown> logger) : IHostedService
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var wave in Waves(model.Resources.OfType<ProjectResource>().ToList()))
        {
            await Task.WhenAll(wave.Select(project => StopAsync(project, cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>Groups of projects to stop together: first those nothing else waits for, then what they waited for.</summary>
    internal static IEnumerable<IReadOnlyList<ProjectResource>> Waves(IReadOnlyList<ProjectResource> projects)
    {
        var remaining = projects.ToHashSet();
        while (remaining.Count > 0)
        {
            var wave = remaining.Where(p => !remaining.Any(other => other != p && WaitsFor(other, p))).ToList();
            if (wave.Count == 0)
            {
                wave = [.. remaining]; // a cycle: nothing to order by
            }
            remaining.ExceptWith(wave);
            yield return wave;
        }
    }

    private static bool WaitsFor(IResource resource, IResource dependency) =>
        resource.Annotations.OfType<WaitAnnotation>().Any(w => w.Resource == dependency);

    private async Task StopAsync(ProjectResource project, CancellationToken cancellationToken)
    {
        if (!notifications.TryGetCurrentState(project.Name, out var current) || current.Snapshot.State?.Text != KnownResourceStates.Running)
        {
            return;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StopTimeout);
        try
        {
            await commands.ExecuteCommandAsync(project.Name, KnownResourceCommands.StopCommand, timeout.Token).ConfigureAwait(false);
            await notifications.WaitForResourceAsync(project.Name, KnownResourceStates.TerminalStates, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("{Resource} did not stop within {Seconds} s; DCP stops it with the rest.", project.Name, StopTimeout.TotalSeconds);
        }
    }
}
