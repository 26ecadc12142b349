using System.Collections.Concurrent;
using System.Collections.Immutable;
using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Orchestration;

/// <summary>Resource state names, the same as Aspire's <c>KnownResourceStates</c>.</summary>
public static class KnownResourceStates
{
    public const string NotStarted = nameof(NotStarted);
    public const string Waiting = nameof(Waiting);
    public const string Starting = nameof(Starting);
    public const string Running = nameof(Running);
    public const string Stopping = nameof(Stopping);
    public const string Exited = nameof(Exited);
    public const string FailedToStart = nameof(FailedToStart);
    public const string Finished = nameof(Finished);

    public static bool IsTerminal(string state) => state is Exited or FailedToStart or Finished;
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>What ops see of a resource at one moment.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string ResourceType,
    string State,
    HealthStatus Health,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    ImmutableArray<int> ProcessIds,
    int? ExitCode,
    int Restarts,
    ImmutableArray<string> Urls,
    string? Message,
    bool IsOptional)
{
    public bool IsReady => State == KnownResourceStates.Running && Health == HealthStatus.Healthy;

    public static ResourceSnapshot Initial(IResource resource) => new(
        resource.Name, resource.ResourceType, KnownResourceStates.NotStarted, HealthStatus.Unknown,
        null, null, [], null, 0, [], null, resource.IsOptional());
}

/// <summary>The current snapshot of every resource, with change notification (our ResourceNotificationService).</summary>
public sealed class ResourceStateStore
{
    private readonly ConcurrentDictionary<string, ResourceSnapshot> _snapshots = new();
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public event Action<ResourceSnapshot>? Changed;

    public IReadOnlyCollection<ResourceSnapshot> All => _snapshots.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    public ResourceSnapshot Get(string name) =>
        _snapshots.TryGetValue(name, out var snapshot) ? snapshot : throw new KeyNotFoundException($"No resource named '{name}'.");

    internal void Initialize(IEnumerable<IResource> resources)
    {
        foreach (var resource in resources)
        {
            _snapshots.TryAdd(resource.Name, ResourceSnapshot.Initial(resource));
        }
    }

    internal ResourceSnapshot Update(string name, Func<ResourceSnapshot, ResourceSnapshot> change)
    {
        ResourceSnapshot updated;
        TaskCompletionSource toSignal;
        lock (_gate)
        {
            updated = change(Get(name));
            _snapshots[name] = updated;
            toSignal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        toSignal.SetResult();
        Changed?.Invoke(updated);
        return updated;
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the resource, or it ends in a terminal state.</summary>
    public async Task<ResourceSnapshot> WaitForAsync(string name, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            var snapshot = Get(name);
            if (predicate(snapshot))
            {
                return snapshot;
            }
            if (KnownResourceStates.IsTerminal(snapshot.State))
            {
                throw new ResourceFailedException(name, snapshot.Message ?? $"it is {snapshot.State}");
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ResourceSnapshot> WaitForHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        WaitForAsync(name, s => s.IsReady, cancellationToken);
}

/// <summary>A resource could not start or stopped working; the message is one line for a human.</summary>
public sealed class ResourceFailedException(string resource, string reason, Exception? inner = null)
    : Exception($"{resource}: {reason}", inner)
{
    public string Resource { get; } = resource;

    public string Reason { get; } = reason;
}
