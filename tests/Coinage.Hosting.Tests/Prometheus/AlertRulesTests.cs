using System.Diagnostics;

namespace Coinage.Hosting.Tests.Prometheus;

/// <summary>
/// The alert rules against their unit tests (deploy/prometheus/alerts.test.yml), with Debian's promtool:
/// series shaped after an idle run must raise no alert, a busy and slow API must (issue 19, defect 7).
/// </summary>
public sealed class AlertRulesTests
{
    [Fact]
    public async Task The_rules_are_valid()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", "alerts.yml");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task An_idle_platform_raises_no_alert_and_a_busy_slow_api_raises_high_latency()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", "alerts.test.yml");
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = Path.Combine(SolutionDirectory(), "deploy", "prometheus"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start (apt-get install prometheus).");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string SolutionDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Coinage.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Coinage.sln not found above the test output folder.");
    }
}
