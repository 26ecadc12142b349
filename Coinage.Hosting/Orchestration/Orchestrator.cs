using System.Collections.Concurrent;
using System.Diagnostics;
using Coinage.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace Coinage.Hosting.Orchestration;

/// <summary>
/// Runs the app model on this machine (our stand-in for Aspire's DCP): allocates ports, starts
/// each resource once what it waits for is healthy, watches health and exits, and stops
/// everything in reverse dependency order.
/// </summary>
public sealed partial class Orchestrator(
    AppModel model,
    ResourceStateStore states,
    ResourceLogStore logs,
    ProcessLauncher launcher,
    ILogger<Orchestrator> logger) : IAsyncDisposable
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Instance> _instances = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
    private IReadOnlyList<IResource> _started = [];
    private RunContext? _context;

    /// <summary>How long a process may take to stop after its stop signal before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a resource may take from start to healthy.</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public AppModel Model => model;

    /// <summary>Ports and values of this run; available once <see cref="StartAsync"/> began.</summary>
    public LocalValueContext Values => _context?.Values ?? throw new InvalidOperationException("The orchestrator has not started.");

    public RunContext Context => _context ?? throw new InvalidOperationException("The orchestrator has not started.");

    /// <summary>Adjusts the values of a run before anything starts (the dashboard sets the OTLP endpoint here).</summary>
    public Action<LocalValueContext>? ConfigureValues { get; set; }

    /// <summary>
    /// Starts <paramref name="only"/> (and what they depend on), or the whole model. Returns when
    /// every started resource is healthy; throws <see cref="ResourceFailedException"/> naming the
    /// first resource that could not start (optional resources only log).
    /// </summary>
    public async Task StartAsync(IEnumerable<string>? only = null, CancellationToken cancellationToken = default)
    {
        states.Initialize(model.Resources);
        var values = new LocalValueContext(model);
        ConfigureValues?.Invoke(values);
        _context = new RunContext(model, values, launcher, logs, _http);
        _started = model.InStartOrder(only?.Select(name => model[name]));

        foreach (var (endpoint, port) in values.PinnedPortsInUse())
        {
            throw new ResourceFailedException(endpoint.Resource.Name,
                $"port {port} on 127.0.0.1 is already in use; stop what listens there or choose another port with --Coinage:Ports:{endpoint.Resource.Name}=PORT.");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var ready = new Dictionary<IResource, Task<bool>>();
        foreach (var resource in _started)
        {
            var dependencies = resource.Dependencies().Where(ready.ContainsKey).Select(d => (d, ready[d])).ToList();
            ready[resource] = StartWhenReadyAsync(resource, dependencies, linked.Token);
        }
        await Task.WhenAll(ready.Values).ConfigureAwait(false);

        var failed = _started.Select(r => states.Get(r.Name)).FirstOrDefault(s => !s.IsReady && !s.IsOptional);
        if (failed is not null)
        {
            throw new ResourceFailedException(failed.Name, failed.Message ?? failed.State);
        }
    }

    /// <summary>Stops every running resource, dependents first.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var resource in _started.Reverse())
        {
            await StopResourceAsync(resource.Name).ConfigureAwait(false);
        }
    }

    /// <summary>Stops one resource's processes (graceful signal, then kill).</summary>
    public Task StopResourceAsync(string name) => StopResourceAsync(name, restarting: false);

    /// <param name="restarting">
    /// A restart goes Stopping → Starting without passing through Finished, a terminal state that
    /// would tell anyone waiting on the resource that it is gone for good.
    /// </param>
    private async Task StopResourceAsync(string name, bool restarting)
    {
        if (!_instances.TryGetValue(name, out var instance) || instance.Processes.Count == 0)
        {
            return;
        }
        instance.Stopping = true;
        states.Update(name, s => s with { State = KnownResourceStates.Stopping });
        await Task.WhenAll(instance.Processes.Select(p => ProcessLauncher.StopAsync(p.Process, p.Spec.StopSignal, StopTimeout))).ConfigureAwait(false);
        var exitCode = instance.Processes.Select(p => p.Process.HasExited ? p.Process.ExitCode : (int?)null).FirstOrDefault();
        foreach (var (process, _) in instance.Processes)
        {
            process.Dispose();
        }
        instance.Processes.Clear();
        states.Update(name, s => s with
        {
            State = restarting ? KnownResourceStates.Stopping : KnownResourceStates.Finished,
            Health = HealthStatus.Unknown,
            StoppedAt = DateTimeOffset.UtcNow,
            ExitCode = exitCode,
            ProcessIds = [],
        });
    }

    /// <summary>Starts a stopped resource again (dashboard action); its dependencies must be running.</summary>
    public async Task StartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var resource = model[name];
        if (_instances.TryGetValue(name, out var instance) && instance.Processes.Count > 0)
        {
            return;
        }
        states.Update(name, s => s with { Restarts = s.Restarts + (s.StartedAt is null ? 0 : 1) });
        await RunAsync(resource, cancellationToken).ConfigureAwait(false);
    }

    public async Task RestartResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        await StopResourceAsync(name, restarting: true).ConfigureAwait(false);
        await StartResourceAsync(name, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task<bool> StartWhenReadyAsync(IResource resource, List<(IResource Resource, Task<bool> Ready)> dependencies, CancellationToken cancellationToken)
    {
        if (dependencies.Count > 0)
        {
            states.Update(resource.Name, s => s with { State = KnownResourceStates.Waiting });
        }
        foreach (var (dependency, readyTask) in dependencies)
        {
            if (!await readyTask.ConfigureAwait(false) && !dependency.IsOptional())
            {
                Fail(resource, $"not started because {dependency.Name} did not start.", KnownResourceStates.NotStarted);
                return false;
            }
        }
        try
        {
            await RunAsync(resource, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ResourceFailedException ex)
        {
            Fail(resource, ex.Reason, KnownResourceStates.FailedToStart);
        }
        catch (OperationCanceledException)
        {
            Fail(resource, "start-up was cancelled.", KnownResourceStates.NotStarted);
        }
        catch (Exception ex)
        {
            Fail(resource, $"{ex.GetType().Name}: {ex.Message}", KnownResourceStates.FailedToStart);
            LogUnexpected(logger, resource.Name, ex);
        }
        return false;
    }

    private void Fail(IResource resource, string reason, string state)
    {
        states.Update(resource.Name, s => s with { State = state, Health = HealthStatus.Unhealthy, Message = reason });
        if (resource.IsOptional())
        {
            _context?.Values.MarkUnavailable(resource);
            LogOptionalUnavailable(logger, resource.Name, reason);
        }
        else if (state == KnownResourceStates.FailedToStart)
        {
            LogFailed(logger, resource.Name, reason);
        }
    }

    private async Task RunAsync(IResource resource, CancellationToken cancellationToken)
    {
        if (resource is not IRunnableResource runnable)
        {
            // A database inside a server, a parameter: ready as soon as what it lives in is.
            states.Update(resource.Name, s => s with { State = KnownResourceStates.Running, Health = HealthStatus.Healthy, StartedAt = DateTimeOffset.UtcNow });
            return;
        }

        var instance = _instances.GetOrAdd(resource.Name, _ => new Instance(runnable.CreateRunner(Context)));
        instance.Stopping = false;
        states.Update(resource.Name, s => s with { State = KnownResourceStates.Starting, Message = null, ExitCode = null, StoppedAt = null });
        await instance.Runner.PrepareAsync(cancellationToken).ConfigureAwait(false);

        for (var replica = 0; replica < instance.Runner.Replicas; replica++)
        {
            if (instance.Runner.CreateProcess(replica) is not { } spec)
            {
                continue;
            }
            var process = await launcher.StartAsync(spec,
                (line, isError) => logs.Write(resource.Name, line, isError),
                exited => OnExited(resource, instance, exited)).ConfigureAwait(false);
            instance.Processes.Add((process, spec));
        }
        states.Update(resource.Name, s => s with
        {
            State = KnownResourceStates.Running,
            Health = HealthStatus.Unknown,
            StartedAt = DateTimeOffset.UtcNow,
            ProcessIds = [.. instance.Processes.Select(p => p.Process.Id)],
            Urls = [.. Urls(resource)],
        });

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartupTimeout);
        for (var replica = 0; replica < instance.Runner.Replicas; replica++)
        {
            while (!await instance.Runner.IsHealthyAsync(replica, deadline.Token).ConfigureAwait(false))
            {
                if (instance.Processes.Select(p => p.Process).FirstOrDefault(p => p.HasExited) is { } dead)
                {
                    await dead.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false); // drains its output, so the reason is complete
                    throw new ResourceFailedException(resource.Name, $"exited with code {dead.ExitCode} during start-up: {LastError(resource.Name)}");
                }
                if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new ResourceFailedException(resource.Name, $"not healthy after {StartupTimeout.TotalSeconds:0} s: {LastError(resource.Name)}");
                }
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Startup timeout: reported on the next loop.
                }
            }
        }
        await instance.Runner.OnHealthyAsync(cancellationToken).ConfigureAwait(false);
        states.Update(resource.Name, s => s with { Health = HealthStatus.Healthy });
        _ = MonitorHealthAsync(resource, instance);
    }

    /// <summary>Keeps the Healthy/Unhealthy flag current for ops while the resource runs.</summary>
    private async Task MonitorHealthAsync(IResource resource, Instance instance)
    {
        try
        {
            while (!_stopping.IsCancellationRequested && !instance.Stopping && instance.Processes.All(p => !p.Process.HasExited))
            {
                await Task.Delay(HealthInterval, _stopping.Token).ConfigureAwait(false);
                var healthy = true;
                for (var replica = 0; replica < instance.Runner.Replicas && healthy; replica++)
                {
                    healthy = await instance.Runner.IsHealthyAsync(replica, _stopping.Token).ConfigureAwait(false);
                }
                var current = states.Get(resource.Name);
                if (current.State == KnownResourceStates.Running && current.Health != (healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy))
                {
                    states.Update(resource.Name, s => s with { Health = healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy });
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void OnExited(IResource resource, Instance instance, Process process)
    {
        if (instance.Stopping || _stopping.IsCancellationRequested)
        {
            return;
        }
        process.WaitForExit(); // drains the output still in flight, so the reason below is complete
        var code = process.ExitCode;
        var state = states.Get(resource.Name);
        if (state.State == KnownResourceStates.Running && state.Health == HealthStatus.Healthy)
        {
            LogExited(logger, resource.Name, code, LastError(resource.Name));
            states.Update(resource.Name, s => s with
            {
                State = KnownResourceStates.Exited,
                Health = HealthStatus.Unhealthy,
                ExitCode = code,
                StoppedAt = DateTimeOffset.UtcNow,
                Message = $"exited with code {code}: {LastError(resource.Name)}",
            });
        }
    }

    private IEnumerable<string> Urls(IResource resource)
    {
        var replicas = resource is ProjectResource project ? project.Replicas : 1;
        return resource.Endpoints().SelectMany(e => Enumerable.Range(0, replicas).Select(r => Values.Url(e, r)));
    }

    /// <summary>The most telling line a failed process printed: an exception, a FATAL, else its last line.</summary>
    private string LastError(string resource)
    {
        var lines = logs.Snapshot(resource).TakeLast(200).Select(l => l.Text.Trim()).Where(t => t.Length > 0).ToList();
        return lines.LastOrDefault(l => l.StartsWith("Unhandled exception", StringComparison.Ordinal))
            ?? lines.LastOrDefault(l => l.Contains("FATAL", StringComparison.Ordinal) || l.Contains("Exception:", StringComparison.Ordinal))
            ?? lines.LastOrDefault()
            ?? "it printed nothing.";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Resource} failed with an unexpected exception")]
    private static partial void LogUnexpected(ILogger logger, string resource, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Resource} is unavailable (optional): {Reason}")]
    private static partial void LogOptionalUnavailable(ILogger logger, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Resource} exited unexpectedly with code {ExitCode}: {Reason}")]
    private static partial void LogExited(ILogger logger, string resource, int exitCode, string reason);

    private sealed class Instance(IResourceRunner runner)
    {
        public IResourceRunner Runner { get; } = runner;

        public List<(Process Process, ProcessSpec Spec)> Processes { get; } = [];

        public volatile bool Stopping;
    }
}
