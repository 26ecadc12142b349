using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Coinage.EndToEnd.Tests;

/// <summary>The one-command local run, as a developer uses it.</summary>
public class AppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_platform_comes_up_serves_the_front_end_through_the_api_and_stops_cleanly_on_sigint()
    {
        await using var apphost = AppHostProcess.Start();
        var clock = Stopwatch.StartNew();
        await apphost.WaitUntilRunningAsync(StartTimeout);
        TestContext.Current.SendDiagnosticMessage($"The platform was healthy after {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Contains("Dashboard", apphost.Links.Keys);
        Assert.Contains("Web front end", apphost.Links.Keys);
        Assert.Contains("API reference", apphost.Links.Keys);
        Assert.Contains("Inbox", apphost.Links.Keys);
        Assert.Contains("Jobs", apphost.Links.Keys);
        Assert.Contains("Prometheus", apphost.Links.Keys);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var web = apphost.Links["Web front end"];

        // Browser → web front end → (service discovery, YARP) → API → PostgreSQL + Redis.
        using var status = await http.GetAsync(new Uri(web, "/api/v1/status"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("apiservice", json.RootElement.GetProperty("service").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("database").GetString());
        Assert.Equal("ok", json.RootElement.GetProperty("redis").GetString());

        var page = await http.GetStringAsync(web, TestContext.Current.CancellationToken);
        Assert.Contains("<div id=\"root\"></div>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(apphost.Links["API reference"], TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(apphost.Links["Inbox"], "/email"), TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(apphost.Links["Prometheus"], TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(apphost.Links["Prometheus alerts"], TestContext.Current.CancellationToken)).StatusCode);
        // The Aspire dashboard takes the printed login link (its token) and answers.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(apphost.Links["Dashboard"], TestContext.Current.CancellationToken)).StatusCode);

        var children = apphost.Descendants();
        Assert.True(children.Count >= 7, $"expected postgres, redis, maildev, prometheus, api, worker and web processes; found {children.Count}");

        apphost.Signal("INT");
        try
        {
            await apphost.Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the AppHost did not stop within 90 s of SIGINT; still running: {string.Join(", ", children.Where(ProcessTree.IsAlive))}\n{apphost.Tail(60)}");
        }

        Assert.Equal(0, apphost.Process.ExitCode);
        // DCP, detached from the AppHost, finishes stopping the resources after the AppHost has exited.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (children.Any(ProcessTree.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        var survivors = children.Where(ProcessTree.IsAlive).ToList();
        Assert.True(survivors.Count == 0, $"processes left behind: {string.Join(", ", survivors)}\n{apphost.Tail(40)}");
        Assert.Contains("Coinage is running", apphost.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resource_that_cannot_start_stops_the_run_with_one_clear_line_and_a_failing_exit_code()
    {
        // A PostgreSQL data directory whose lock file names a live process (this test runner).
        await using var apphost = AppHostProcess.Start(dataDirectory =>
        {
            var cluster = Path.Combine(dataDirectory, "postgres");
            Directory.CreateDirectory(cluster);
            File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), "15\n");
            File.WriteAllText(Path.Combine(cluster, "postmaster.pid"), $"{Environment.ProcessId}\n{cluster}\n");
        });
        var failure = await FailedRunAsync(apphost);

        Assert.Contains($"postgres could not start: another PostgreSQL (PID {Environment.ProcessId}) is already running", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_that_crashes_at_start_up_stops_the_run_with_its_exception_in_one_line()
    {
        // The API refuses a signing key shorter than its minimum: it throws at start-up and the process dies.
        await using var apphost = AppHostProcess.Start(arguments: ["--Parameters:jwt-signing-key=short"]);

        var failure = await FailedRunAsync(apphost);

        Assert.Matches(@"✖ apiservice exited with code \d+: Unhandled exception\. System\.InvalidOperationException: JWT signing keys must be at least \d+ characters long\. Stopping everything\.$", failure);
    }

    [Fact]
    public async Task Without_a_postgresql_program_or_a_container_runtime_the_run_stops_with_one_clear_line()
    {
        var empty = Directory.CreateTempSubdirectory("coinage-no-postgres-");
        try
        {
            await using var apphost = AppHostProcess.Start(arguments: ["--Coinage:ContainerRuntime=none", $"--Coinage:Postgres:BinDirectory={empty.FullName}"]);

            var failure = await FailedRunAsync(apphost);

            Assert.Contains($"✖ postgres could not start: no PostgreSQL server program (postgres, initdb in {empty.FullName}) and no container runtime", failure, StringComparison.Ordinal);
            Assert.Contains("Backing services run as local processes", apphost.Output, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete();
        }
    }

    /// <summary>
    /// Waits for a run that cannot start to end, and checks how it ends: exit code 1, one line saying why (returned), no
    /// summary, no host failure dump after it, and every process it had started (resources, DCP, the dashboard) stopped.
    /// </summary>
    private static async Task<string> FailedRunAsync(AppHostProcess apphost)
    {
        var started = new List<int>();
        var exited = apphost.Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(StartTimeout, TestContext.Current.CancellationToken);
        while (!exited.IsCompleted)
        {
            started.AddRange(apphost.Descendants().Except(started)); // whatever starts before the failure
            await Task.WhenAny(exited, Task.Delay(100, TestContext.Current.CancellationToken));
        }
        await exited;

        Assert.True(apphost.Process.ExitCode == 1, $"exit code {apphost.Process.ExitCode}\n{apphost.Tail(40)}");
        var failure = Assert.Single(apphost.Output.Split('\n'), l => l.Contains('✖', StringComparison.Ordinal));
        Assert.DoesNotContain("Coinage is running", apphost.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", apphost.Output, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (started.Any(ProcessTree.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain(started, ProcessTree.IsAlive);
        return failure.Trim();
    }

    [Fact]
    public async Task A_pinned_port_already_taken_stops_the_run_before_anything_starts_with_one_clear_line()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        // Every pinned port of appsettings.json moved to a free one (others may run beside), the web front end's taken.
        List<string> arguments = ["--Coinage:FreePorts=false", $"--Coinage:Ports:webfrontend={port}"];
        foreach (var key in new[] { "apiservice", "worker", "smtp", "smtp-http", "prometheus", "dashboard", "dashboard-otlp", "dashboard-resources" })
        {
            using var free = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            free.Start();
            arguments.Add($"--Coinage:Ports:{key}={((System.Net.IPEndPoint)free.LocalEndpoint).Port}");
        }
        await using var apphost = AppHostProcess.Start(arguments: arguments);

        await apphost.Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(1, apphost.Process.ExitCode);
        var failure = Assert.Single(apphost.Output.Split('\n'), l => l.Contains('✖', StringComparison.Ordinal));
        Assert.Contains($"webfrontend could not start: port {port} on 127.0.0.1 is already in use", failure, StringComparison.Ordinal);
        Assert.Contains("--Coinage:Ports:webfrontend=PORT", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Killing_the_apphost_takes_every_child_with_it()
    {
        await using var apphost = AppHostProcess.Start();
        await apphost.WaitUntilRunningAsync(StartTimeout);
        var children = apphost.Descendants();
        Assert.NotEmpty(children);

        apphost.Signal("KILL");
        await apphost.Process.WaitForExitAsync(TestContext.Current.CancellationToken);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (children.Any(ProcessTree.IsAlive) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain(children, ProcessTree.IsAlive);
    }
}
