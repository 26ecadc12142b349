using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting.Run;

/// <summary>
/// What <c>./coinage run</c> prints: how the backing services run, then, once every resource is healthy, the
/// dashboard's login link and each resource with its state and URLs. A resource that cannot start (or exits) before
/// then stops the whole run with one line naming it and the cause, and exit code 1. An eventing subscriber, not a
/// hosted service: Aspire's hosted services start only once every resource was created, which is too late.
/// </summary>
internal sealed partial class RunSummary(
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    DistributedApplicationModel model,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    CoinageHosting hosting,
    RunFailure failure) : IDistributedApplicationEventingSubscriber, IAsyncDisposable
{
    private static readonly string[] Failed = [KnownResourceStates.FailedToStart, KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.RuntimeUnhealthy];

    private readonly ConcurrentDictionary<string, ResourceEvent> _latest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventing);
        eventing.Subscribe<BeforeStartEvent>((_, _) =>
        {
            foreach (var taken in PortsInUse().Take(1))
            {
                // DCP would wait forever for a proxy that cannot listen: say so and stop before anything starts.
                Fail($"✖ {taken.Resource} could not start: port {taken.Port} on 127.0.0.1 is already in use; stop what listens there or choose another port with --{taken.Setting}=PORT (or --Coinage:FreePorts=true). Stopping everything.");
                return Task.CompletedTask;
            }
            var stopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, lifetime.ApplicationStopping);
            _watch = Task.Run(() => WatchAsync(stopping.Token), CancellationToken.None);
            return Task.CompletedTask;
        });
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        Console.WriteLine(hosting.Mode);
        var expected = model.Resources.Where(r => r is not ParameterResource).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var running = false;
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (update.Snapshot.IsHidden || !expected.Contains(update.Resource.Name))
                {
                    expected.Remove(update.Resource.Name);
                    continue;
                }
                _latest[update.Resource.Name] = update;
                var state = update.Snapshot.State?.Text;
                if (!running && state == KnownResourceStates.Running && ResourceStartException.ReasonFor(update.Resource) is not null)
                {
                    // Running but never to be healthy, for a reason we know (a cluster's password).
                    await StopOnFailureAsync(update, running, stoppingToken).ConfigureAwait(false);
                    return;
                }
                if (Failed.Contains(state) && (!running || update.Snapshot.ExitCode is not (null or 0)))
                {
                    await StopOnFailureAsync(update, running, stoppingToken).ConfigureAwait(false);
                    if (!running)
                    {
                        return;
                    }
                }
                if (!running && expected.All(name => _latest.TryGetValue(name, out var e) && IsReady(e)))
                {
                    running = true;
                    PrintSummary(expected);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl+C.
        }
    }

    /// <summary>Pinned ports (<c>Coinage:Ports</c>) something else already listens on.</summary>
    private IEnumerable<(string Resource, int Port, string Setting)> PortsInUse()
    {
        foreach (var resource in model.Resources)
        {
            var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
            for (var i = 0; i < endpoints.Count; i++)
            {
                if (endpoints[i].Port is int port && !CanListen(port))
                {
                    yield return (resource.Name, port, i == 0 ? $"Coinage:Ports:{resource.Name}" : $"Coinage:Ports:{resource.Name}-{endpoints[i].Name}");
                }
            }
        }
    }

    private static bool CanListen(int port)
    {
        try
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private void Fail(string line)
    {
        lock (Console.Out)
        {
            Console.ForegroundColor = ConsoleColor.Red;
            Console.WriteLine(line);
            Console.ResetColor();
        }
        StopFailed();
    }

    private void StopFailed()
    {
        failure.Reported = true;
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    private static bool IsReady(ResourceEvent update) =>
        update.Resource is ConnectionStringResource
        || update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus is null or HealthStatus.Healthy;

    private async Task StopOnFailureAsync(ResourceEvent update, bool running, CancellationToken cancellationToken)
    {
        var reason = (ResourceStartException.ReasonFor(update.Resource)
            ?? await CauseAsync(update.ResourceId, cancellationToken).ConfigureAwait(false)).TrimEnd('.');
        var what = update.Snapshot.State?.Text == KnownResourceStates.FailedToStart || ResourceStartException.ReasonFor(update.Resource) is not null
            ? "could not start"
            : $"exited{(update.Snapshot.ExitCode is { } code ? $" with code {code}" : "")}";
        lock (Console.Out)
        {
            Console.ForegroundColor = ConsoleColor.Red;
            Console.WriteLine(running
                ? $"✖ {update.Resource.Name} {what}: {reason} (the rest keeps running; see its console log in the dashboard)"
                : $"✖ {update.Resource.Name} {what}: {reason}. Stopping everything.");
            Console.ResetColor();
        }
        if (!running)
        {
            StopFailed();
        }
    }

    /// <summary>
    /// The cause, from the log the dashboard shows: the .NET runtime's <c>Unhandled exception. Type: message</c> line of a
    /// project that crashed, else the last error line that is not part of a stack trace (else the last line; DCP's own
    /// <c>[sys]</c> lines only when the process wrote nothing). DCP streams a
    /// process's output a moment after its exit is reported, so the log is followed briefly until such a line arrives.
    /// </summary>
    private async Task<string> CauseAsync(string resourceId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        string? unhandled = null, lastError = null, last = null, lastSystem = null;
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(timeout.Token).ConfigureAwait(false))
            {
                foreach (var line in batch)
                {
                    var content = LogTimestamp().Replace(line.Content, "").Trim();
                    if (content.Length == 0 || StackTraceLine().IsMatch(content))
                    {
                        continue;
                    }
                    if (content.StartsWith("[sys]", StringComparison.Ordinal))
                    {
                        lastSystem = content; // DCP's own lines ("Starting process…"): the cause only when the process said nothing
                        continue;
                    }
                    unhandled ??= content.StartsWith("Unhandled exception.", StringComparison.Ordinal) ? content : null;
                    last = content;
                    lastError = line.IsErrorMessage ? content : lastError;
                }
                if (unhandled is not null)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return unhandled ?? lastError ?? last ?? lastSystem ?? "no output; see its console log in the dashboard";
    }

    /// <summary>The time stamp DCP and Aspire put before a line of a resource's log.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\s*")]
    private static partial Regex LogTimestamp();

    /// <summary>A frame of a .NET stack trace, or its separators.</summary>
    [GeneratedRegex(@"^(at .+|--- End of .+ ---|--- End of stack trace from previous location ---)$")]
    private static partial Regex StackTraceLine();

    private void PrintSummary(IEnumerable<string> names)
    {
        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
        lock (Console.Out)
        {
            Console.ForegroundColor = ConsoleColor.Green;
            Console.WriteLine();
            Console.WriteLine($"Coinage is running ({elapsed.TotalSeconds:0.0} s). Press Ctrl+C to stop.");
            Console.ResetColor();
            if (LocalRunDefaults.DashboardLoginUrl(configuration) is { } dashboard)
            {
                Console.WriteLine($"  Dashboard: {dashboard}");
            }
            foreach (var name in model.Resources.Select(r => r.Name).Where(names.Contains))
            {
                var snapshot = _latest[name].Snapshot;
                var urls = snapshot.Urls.Where(u => !u.IsInternal && !u.IsInactive && u.DisplayProperties.DisplayName is { Length: > 0 } || u.Name is "tcp")
                    .Select(u => u.DisplayProperties.DisplayName is { Length: > 0 } label ? $"{label}: {u.Url}" : u.Url);
                Console.WriteLine($"  {name,-14} {snapshot.State?.Text,-10} {string.Join("  ", urls)}");
            }
            Console.WriteLine();
        }
    }
}

/// <summary>
/// Set once the run summary has said why the run stops. Stopping then cancels the host's start, which the host reports
/// as "Hosting failed to start" with a stack trace of the cancellation: noise after the one line that matters, so
/// <see cref="RunHostingExtensions.AddCoinageRun"/> filters it out from then on.
/// </summary>
internal sealed class RunFailure
{
    private volatile bool _reported;

    public bool Reported
    {
        get => _reported;
        set => _reported = value;
    }
}
