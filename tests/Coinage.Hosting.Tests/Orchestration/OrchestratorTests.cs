using System.Collections.Concurrent;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.Orchestration;

public class OrchestratorTests
{
    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"coinage-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_dependent_starts_only_after_what_it_waits_for_is_healthy()
    {
        var ready = TempFile();
        var builder = CoinageTestingBuilder.Create();
        var slow = builder.AddResource(new ScriptResource("slow", $"sleep 1; touch {ready}; exec sleep 600", readyFile: ready));
        builder.AddResource(new ScriptResource("dependent", "exec sleep 600")).WaitFor(slow);
        await using var app = await builder.BuildAsync();
        var events = new ConcurrentQueue<(string Name, string State, HealthStatus Health)>();
        app.ResourceStates.Changed += s => events.Enqueue((s.Name, s.State, s.Health));

        await app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        File.Delete(ready);

        var sequence = events.ToList();
        var slowHealthy = sequence.FindIndex(e => e is ("slow", KnownResourceStates.Running, HealthStatus.Healthy));
        var dependentWaiting = sequence.FindIndex(e => e is ("dependent", KnownResourceStates.Waiting, _));
        var dependentStarting = sequence.FindIndex(e => e is ("dependent", KnownResourceStates.Starting, _));
        Assert.True(dependentWaiting >= 0 && slowHealthy >= 0 && dependentStarting >= 0, string.Join("; ", sequence));
        Assert.True(dependentWaiting < slowHealthy, "dependent should wait while slow is not healthy");
        Assert.True(slowHealthy < dependentStarting, "dependent must not start before slow is healthy");
        Assert.True(app.ResourceStates.Get("dependent").IsReady);
    }

    [Fact]
    public async Task A_process_that_crashes_at_start_up_fails_the_start_with_its_error_and_dependents_never_start()
    {
        var builder = CoinageTestingBuilder.Create();
        var crasher = builder.AddResource(new ScriptResource("crasher",
            "echo starting; echo 'Unhandled exception. System.InvalidOperationException: boom' >&2; echo '   at Program.Main()' >&2; exit 3",
            readyFile: "/nonexistent/never"));
        builder.AddResource(new ScriptResource("dependent", "exec sleep 600")).WaitFor(crasher);
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("crasher", error.Resource);
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: boom", error.Message, StringComparison.Ordinal);
        Assert.Equal(KnownResourceStates.FailedToStart, app.ResourceStates.Get("crasher").State);
        Assert.Equal(KnownResourceStates.NotStarted, app.ResourceStates.Get("dependent").State);
        Assert.Contains(app.ResourceLogs.Snapshot("crasher"), l => l.Text == "starting" && !l.IsError);
    }

    [Fact]
    public async Task A_missing_program_names_the_package_to_install()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddResource(new ScriptResource("ghost", "exec sleep 600", requiredProgram: "coinage-no-such-program"));
        await using var app = await builder.BuildAsync();

        var error = await Assert.ThrowsAsync<ResourceFailedException>(() => app.StartAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("ghost: coinage-no-such-program is not installed. Install it with: sudo apt-get install -y coinage-no-such-program", error.Message);
    }

    [Fact]
    public async Task An_optional_resource_that_cannot_start_leaves_the_rest_running()
    {
        var builder = CoinageTestingBuilder.Create();
        var optional = builder.AddResource(new ScriptResource("search", "exit 1", readyFile: "/nonexistent/never"))
            .WithAnnotation(new OptionalAnnotation("search falls back"));
        builder.AddResource(new ScriptResource("api", "exec sleep 600")).WaitFor(optional);
        await using var app = await builder.BuildAsync();

        await app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(KnownResourceStates.FailedToStart, app.ResourceStates.Get("search").State);
        Assert.True(app.ResourceStates.Get("api").IsReady);
    }

    [Fact]
    public async Task Stopping_ends_every_process_even_one_that_ignores_its_stop_signal()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddResource(new ScriptResource("polite", "exec sleep 600"));
        builder.AddResource(new ScriptResource("stubborn", "trap '' TERM; while true; do sleep 0.1; done"));
        var app = await builder.BuildAsync();
        app.Orchestrator.StopTimeout = TimeSpan.FromSeconds(1);
        await app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var states = app.ResourceStates;
        var pids = states.All.SelectMany(s => s.ProcessIds).ToList();
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.True(Directory.Exists($"/proc/{pid}")));

        await app.DisposeAsync();

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still alive"));
        Assert.All(states.All, s => Assert.Equal(KnownResourceStates.Finished, s.State));
    }

    [Fact]
    public async Task A_resource_can_be_stopped_and_started_again()
    {
        var builder = CoinageTestingBuilder.Create();
        builder.AddResource(new ScriptResource("svc", "exec sleep 600"));
        await using var app = await builder.BuildAsync();
        await app.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var first = app.ResourceStates.Get("svc").ProcessIds.Single();

        await app.Orchestrator.RestartResourceAsync("svc", TestContext.Current.CancellationToken);

        var snapshot = app.ResourceStates.Get("svc");
        Assert.True(snapshot.IsReady);
        Assert.Equal(1, snapshot.Restarts);
        Assert.NotEqual(first, snapshot.ProcessIds.Single());
        Assert.False(Directory.Exists($"/proc/{first}"));
    }
}
