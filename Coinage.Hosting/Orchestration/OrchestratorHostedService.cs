using System.Diagnostics;
using Coinage.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace Coinage.Hosting.Orchestration;

/// <summary>
/// `run` mode: starts the model when the AppHost starts, prints every resource's output with its
/// name, prints the URLs once all is healthy, and stops everything on Ctrl-C/SIGTERM. A resource
/// that cannot start stops the whole model with one clear line and exit code 1.
/// </summary>
internal sealed class OrchestratorHostedService(
    Orchestrator orchestrator,
    ResourceLogStore logs,
    ResourceStateStore states,
    IHostApplicationLifetime lifetime,
    Dashboard.DashboardServer? dashboard = null) : BackgroundService
{
    private static readonly ConsoleColor[] Palette =
        [ConsoleColor.Cyan, ConsoleColor.Green, ConsoleColor.Magenta, ConsoleColor.Yellow, ConsoleColor.Blue, ConsoleColor.DarkCyan, ConsoleColor.DarkGreen, ConsoleColor.DarkYellow];

    private readonly Lock _console = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var width = orchestrator.Model.Resources.Max(r => r.Name.Length);
        var colors = orchestrator.Model.Resources.Select((r, i) => (r.Name, Palette[i % Palette.Length])).ToDictionary();
        logs.LineWritten += line => Write(line.Resource.PadRight(width), colors.GetValueOrDefault(line.Resource, ConsoleColor.Gray), line.Text);
        states.Changed += s => { if (s.ResourceType != "Parameter") Write(s.Name.PadRight(width), colors.GetValueOrDefault(s.Name, ConsoleColor.Gray),
            $"── {s.State}{(s.Health == HealthStatus.Unknown ? "" : $" ({s.Health})")}", dim: true); };

        var clock = Stopwatch.StartNew();
        try
        {
            await orchestrator.StartAsync(cancellationToken: stoppingToken).ConfigureAwait(false);
            PrintSummary(clock.Elapsed);
        }
        catch (ResourceFailedException ex)
        {
            Write("apphost".PadRight(width), ConsoleColor.Red, $"✖ {ex.Message} Stopping everything.");
            Environment.ExitCode = 1;
            await orchestrator.StopAsync().ConfigureAwait(false);
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Ctrl-C during start-up.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await orchestrator.StopAsync().ConfigureAwait(false);
    }

    private void PrintSummary(TimeSpan elapsed)
    {
        lock (_console)
        {
            Console.ForegroundColor = ConsoleColor.Green;
            Console.WriteLine();
            Console.WriteLine($"Coinage is running ({elapsed.TotalSeconds:0.0} s). Press Ctrl+C to stop.");
            Console.ResetColor();
            if (dashboard is not null)
            {
                Console.WriteLine($"  Dashboard: {dashboard.LoginUrl}");
            }
            foreach (var resource in orchestrator.Model.Resources.Where(r => r is not ParameterResource))
            {
                var state = states.Get(resource.Name);
                var links = resource.Annotations.OfType<UrlAnnotation>()
                    .Select(u => $"{u.Label}: {orchestrator.Values.Url(resource.GetEndpoint(u.EndpointName))}{u.Path}")
                    .DefaultIfEmpty(string.Join(" ", state.Urls))
                    .ToList();
                var status = state.IsReady ? "Running" : state.IsOptional ? $"Unavailable (optional): {state.Message}" : $"{state.State}: {state.Message}";
                Console.WriteLine($"  {resource.Name,-14} {status,-10} {string.Join("  ", links)}");
            }
            Console.WriteLine();
        }
    }

    private void Write(string prefix, ConsoleColor color, string text, bool dim = false)
    {
        lock (_console)
        {
            Console.ForegroundColor = color;
            Console.Write(prefix);
            Console.Write(" │ ");
            Console.ForegroundColor = dim ? ConsoleColor.DarkGray : ConsoleColor.Gray;
            Console.WriteLine(text);
            Console.ResetColor();
        }
    }
}
